package io.farmgate.client;

import java.util.LinkedHashSet;
import java.util.Iterator;

/** The last {@code capacity} message ids seen, to drop duplicates in bounded memory. Not thread-safe. */
final class RecentIds {

    private final int capacity;
    private final LinkedHashSet<String> ids = new LinkedHashSet<>();

    RecentIds(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
        }
        this.capacity = capacity;
    }

    /** True when the id was not among the recent ones (it is now). */
    boolean add(String id) {
        if (!ids.add(id)) {
            return false;
        }
        if (ids.size() > capacity) {
            Iterator<String> oldest = ids.iterator();
            oldest.next();
            oldest.remove();
        }
        return true;
    }

    int size() {
        return ids.size();
    }
}
