package io.farmgate.backend;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ids of the last chat messages delivered, so a message resent after a reconnect (possibly
 * to another host of the farm) reaches each client once. Bounded: the oldest ids are forgotten.
 */
final class SeenIds {

    private final Map<String, Boolean> ids;

    SeenIds(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("seenIdCapacity: " + capacity + " (expected: >= 1)");
        }
        this.ids = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Records {@code id}; true if it was not seen before. */
    synchronized boolean firstTime(String id) {
        return ids.put(id, Boolean.TRUE) == null;
    }

    synchronized boolean contains(String id) {
        return ids.containsKey(id);
    }
}
