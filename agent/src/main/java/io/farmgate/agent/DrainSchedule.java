package io.farmgate.agent;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Spreads the closing of every connection of a draining host over the drain period: each
 * connection open when the drain began gets a random moment in the first part of the period,
 * and whatever is still open when that part ends (late arrivals included) is shed then, leaving
 * the rest of the period for clients to leave. Pure policy; one thread.
 */
final class DrainSchedule {

    /** Share of the drain period over which sheds are spread; the rest is for closes to complete. */
    static final double SPREAD_SHARE = 0.8;

    private final long startMillis;
    private final long spreadEndMillis;
    private final long endMillis;
    private final long[] dueMillis;
    private int released;

    private DrainSchedule(long startMillis, long spreadEndMillis, long endMillis, long[] dueMillis) {
        this.startMillis = startMillis;
        this.spreadEndMillis = spreadEndMillis;
        this.endMillis = endMillis;
        this.dueMillis = dueMillis;
    }

    /** A drain of {@code connections} starting at {@code nowMillis} and lasting {@code periodMillis}. */
    static DrainSchedule start(long nowMillis, int connections, long periodMillis, RandomGenerator random) {
        if (periodMillis <= 0) {
            throw new IllegalArgumentException("drainPeriodMillis: " + periodMillis + " (expected: > 0)");
        }
        long spread = Math.max(1L, (long) (periodMillis * SPREAD_SHARE));
        long[] due = new long[Math.max(0, connections)];
        for (int i = 0; i < due.length; i++) {
            due[i] = nowMillis + random.nextLong(spread);
        }
        Arrays.sort(due);
        return new DrainSchedule(nowMillis, nowMillis + spread, nowMillis + periodMillis, due);
    }

    /** How many of the {@code connections} still open to shed at {@code nowMillis}. */
    int shedNow(long nowMillis, int connections) {
        if (connections <= 0) {
            return 0;
        }
        if (nowMillis >= spreadEndMillis) {
            released = dueMillis.length;
            return connections;
        }
        int due = 0;
        while (released + due < dueMillis.length && dueMillis[released + due] <= nowMillis) {
            due++;
        }
        released += due;
        return Math.min(due, connections);
    }

    /** Whether the whole drain period has passed: time to stop waiting for stragglers. */
    boolean over(long nowMillis) {
        return nowMillis >= endMillis;
    }

    long startMillis() {
        return startMillis;
    }

    long endMillis() {
        return endMillis;
    }
}
