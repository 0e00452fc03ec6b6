package io.farmgate.scoring.simulation;

import java.util.Arrays;

/**
 * Clients due to come back through a gateway (retries, clients of a leaving host, rebalanced
 * clients), earliest first. A binary heap of packed longs: the due time in microseconds and the
 * attempts so far share one value, so a burst of tens of thousands costs no objects.
 */
final class ReconnectQueue {

    /** Five bits of attempts and one for a heavy client. */
    private static final int ATTEMPT_BITS = 6;
    private static final long ATTEMPT_MASK = (1L << ATTEMPT_BITS) - 1;
    static final int MAX_ATTEMPTS = 31;
    /** Set in {@link #pollAttempts}'s answer for a heavy client. */
    static final int HEAVY = 32;

    private long[] heap = new long[64];
    private int size;

    void add(double dueMillis, int attempts) {
        add(dueMillis, attempts, false);
    }

    void add(double dueMillis, int attempts, boolean heavy) {
        long micros = (long) Math.ceil(dueMillis * 1_000.0);
        long entry = (micros << ATTEMPT_BITS) | Math.min(attempts, MAX_ATTEMPTS) | (heavy ? HEAVY : 0);
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent] <= entry) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = entry;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** Due time of the earliest entry in milliseconds; +infinity when empty. */
    double peekDueMillis() {
        return size == 0 ? Double.POSITIVE_INFINITY : (heap[0] >>> ATTEMPT_BITS) / 1_000.0;
    }

    /** Removes the earliest entry and returns its attempts so far, with {@link #HEAVY} set for a heavy client. */
    int pollAttempts() {
        long top = heap[0];
        long last = heap[--size];
        int i = 0;
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            if (child + 1 < size && heap[child + 1] < heap[child]) {
                child++;
            }
            if (last <= heap[child]) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        if (size > 0) {
            heap[i] = last;
        }
        return (int) (top & ATTEMPT_MASK);
    }
}
