package io.farmgate.agent;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Decides how many connections to shed now to move toward a target connection count gently:
 * at most a bounded number per one-second window, at random moments inside the window so the
 * clients do not all reconnect together, and never more than the current excess.
 *
 * <p>The connection count passed in should leave out connections already asked to close (the
 * application knows them); a window lasts long enough for closes to show in a kernel count too.
 * Pure policy: the caller passes the time and the counts; not thread-safe (one agent thread).
 */
final class ShedPacer {

    static final long WINDOW_MILLIS = 1000L;

    private final double maxFractionPerSecond;
    private final int minPerSecond;
    private final RandomGenerator random;

    private boolean windowOpen;
    private long windowStartMillis;
    private long[] dueMillis = new long[0];
    private int released;

    /**
     * @param maxFractionPerSecond at most this share of the current connections is shed per second
     * @param minPerSecond         but always at least this many per second, so a small host gets there
     */
    ShedPacer(double maxFractionPerSecond, int minPerSecond, RandomGenerator random) {
        if (!(maxFractionPerSecond > 0.0 && maxFractionPerSecond <= 1.0)) {
            throw new IllegalArgumentException(
                    "shedFractionPerSecond: " + maxFractionPerSecond + " (expected: in (0, 1])");
        }
        if (minPerSecond < 1) {
            throw new IllegalArgumentException("minShedPerSecond: " + minPerSecond + " (expected: >= 1)");
        }
        this.maxFractionPerSecond = maxFractionPerSecond;
        this.minPerSecond = minPerSecond;
        this.random = random;
    }

    /** Most connections shed in one window when {@code connections} are open. */
    int budgetPerWindow(int connections) {
        return Math.max(minPerSecond, (int) Math.floor(maxFractionPerSecond * connections));
    }

    /**
     * How many connections to shed at {@code nowMillis}, given {@code connections} open and the
     * wish to be at {@code targetConnections}. Returns 0 when at or below the target.
     */
    int shedNow(long nowMillis, int connections, int targetConnections) {
        int excess = connections - Math.max(0, targetConnections);
        if (excess <= 0) {
            reset();
            return 0;
        }
        int carried = 0;
        // A clock that went backwards also starts a new window rather than stalling.
        if (!windowOpen || nowMillis >= windowStartMillis + WINDOW_MILLIS || nowMillis < windowStartMillis) {
            // Moments the caller's tick stepped over at the end of the last window are not lost:
            // they are shed now and count against the new window's budget.
            int leftover = windowOpen ? dueMillis.length - released : 0;
            int budget = Math.min(excess, budgetPerWindow(connections));
            carried = Math.min(leftover, budget);
            startWindow(nowMillis, budget - carried);
        }
        int due = 0;
        while (released + due < dueMillis.length && dueMillis[released + due] <= nowMillis) {
            due++;
        }
        released += due;
        due += carried;
        // The window's plan never exceeds the excess it started with; the cap covers a count that
        // fell by itself (clients leaving) meanwhile.
        return Math.min(due, excess);
    }

    /** Forgets the current window, e.g. when the target changes or is met. */
    void reset() {
        windowOpen = false;
        dueMillis = new long[0];
        released = 0;
    }

    private void startWindow(long nowMillis, int budget) {
        windowOpen = true;
        windowStartMillis = nowMillis;
        dueMillis = new long[budget];
        for (int i = 0; i < budget; i++) {
            dueMillis[i] = nowMillis + random.nextLong(WINDOW_MILLIS);
        }
        Arrays.sort(dueMillis);
        released = 0;
    }
}
