package io.farmgate.client;

import java.util.random.RandomGenerator;

/**
 * When a cooperating client tries again: the first retry after a lost connection is drawn uniformly
 * over {@code firstRetryWindowMillis}, so the clients of a drained or shedding host do not return
 * in lockstep; consecutive failures back off exponentially from {@code initialRetryDelayMillis} up to
 * {@code maxRetryDelayMillis} with "equal jitter" (uniform over the upper half of the step).
 */
public record ReconnectBackoff(long firstRetryWindowMillis, long initialRetryDelayMillis, long maxRetryDelayMillis) {

    /** Five seconds of spread, then 1 s, 2 s, 4 s ... up to 30 s. */
    public static final ReconnectBackoff DEFAULT = new ReconnectBackoff(5_000, 1_000, 30_000);

    public ReconnectBackoff {
        if (firstRetryWindowMillis < 0) {
            throw new IllegalArgumentException("firstRetryWindowMillis: " + firstRetryWindowMillis + " (expected: >= 0)");
        }
        if (initialRetryDelayMillis <= 0) {
            throw new IllegalArgumentException("initialRetryDelayMillis: " + initialRetryDelayMillis + " (expected: > 0)");
        }
        if (maxRetryDelayMillis < initialRetryDelayMillis) {
            throw new IllegalArgumentException("maxRetryDelayMillis: " + maxRetryDelayMillis
                    + " (expected: >= initialRetryDelayMillis " + initialRetryDelayMillis + ")");
        }
    }

    /**
     * Delay before the first attempt after a connection that was up closed for this cause.
     * {@code TRY_AGAIN_LATER} (1013) waits at least one window: the server asked for "later".
     */
    public long firstRetryDelayMillis(ReconnectCause cause, RandomGenerator random) {
        long spread = uniform(random, firstRetryWindowMillis);
        return cause == ReconnectCause.TRY_AGAIN_LATER ? firstRetryWindowMillis + spread : spread;
    }

    /** Delay after the {@code failures}-th consecutive failed attempt (1 = the first failure). */
    public long delayAfterFailureMillis(int failures, RandomGenerator random) {
        if (failures < 1) {
            throw new IllegalArgumentException("failures: " + failures + " (expected: >= 1)");
        }
        long step = initialRetryDelayMillis;
        for (int i = 1; i < failures && step < maxRetryDelayMillis; i++) {
            step *= 2;
        }
        step = Math.min(step, maxRetryDelayMillis);
        long half = step / 2;
        return half + uniform(random, step - half + 1);
    }

    /** Uniform in [0, bound); 0 when the bound is 0. */
    private static long uniform(RandomGenerator random, long bound) {
        return bound <= 0 ? 0 : random.nextLong(bound);
    }
}
