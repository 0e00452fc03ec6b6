package io.farmgate.client.fake;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One chat room shared by fake backends: de-duplicates by id across hosts and counts what it accepted. */
public final class FakeChatRoom {

    private final Map<String, Integer> accepted = new ConcurrentHashMap<>();

    /** True the first time an id is offered. */
    boolean accept(String id) {
        return accepted.merge(id, 1, Integer::sum) == 1;
    }

    /** How often the room saw this id (accepted once, then repeats). */
    public int timesOffered(String id) {
        return accepted.getOrDefault(id, 0);
    }

    public boolean hasAccepted(String id) {
        return accepted.containsKey(id);
    }

    public int distinctAccepted() {
        return accepted.size();
    }
}
