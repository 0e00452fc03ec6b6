package io.farmgate.client;

import java.util.random.RandomGenerator;

/**
 * When a cooperating client tries again. The first retry after a connection that was up is drawn
 * uniformly over a window, so the clients of one host do not return in lockstep: over
 * {@code firstRetryWindowMillis} after a shed, drain or rebalance (1012), whose closes the agent
 * already spreads over time; over the longer {@code lostHostRetryWindowMillis} when the host was lost
 * (1006 or a transport error: no close frame; 1011; 1001 from a backend that stops), since then
 * every client of the host breaks at the same instant and only this window spreads their return.
 * Consecutive failures back off exponentially from {@code initialRetryDelayMillis} up to
 * {@code maxRetryDelayMillis} with "equal jitter" (uniform over the upper half of the step).
 *
 * <p>A uniform spread is the one that gives the lowest mean delay for a given peak rate: a lost host
 * holding {@code n} clients sends the gateways {@code n / lostHostRetryWindowMillis} reconnects per
 * millisecond, and each client waits half the window on average (docs/balance.md, host-failure).
 */
public record ReconnectBackoff(long firstRetryWindowMillis, long lostHostRetryWindowMillis,
                               long initialRetryDelayMillis, long maxRetryDelayMillis) {

    /** Five seconds of spread after a 1012, ten after a lost host, then 1 s, 2 s, 4 s ... up to 30 s. */
    public static final ReconnectBackoff DEFAULT = new ReconnectBackoff(5_000, 10_000, 1_000, 30_000);

    public ReconnectBackoff {
        if (firstRetryWindowMillis < 0) {
            throw new IllegalArgumentException("firstRetryWindowMillis: " + firstRetryWindowMillis + " (expected: >= 0)");
        }
        if (lostHostRetryWindowMillis < 0) {
            throw new IllegalArgumentException("lostHostRetryWindowMillis: " + lostHostRetryWindowMillis + " (expected: >= 0)");
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
     * One first-retry window after every kind of close, as before the lost-host window existed (tests
     * that want quick reconnects use this; so may a client that knows its farm's figures).
     */
    public ReconnectBackoff(long firstRetryWindowMillis, long initialRetryDelayMillis, long maxRetryDelayMillis) {
        this(firstRetryWindowMillis, firstRetryWindowMillis, initialRetryDelayMillis, maxRetryDelayMillis);
    }

    /** This backoff with another window for a lost host. */
    public ReconnectBackoff withLostHostRetryWindowMillis(long value) {
        return new ReconnectBackoff(firstRetryWindowMillis, value, initialRetryDelayMillis, maxRetryDelayMillis);
    }

    /**
     * Delay before the first attempt after a connection that was up closed for this cause.
     * {@code TRY_AGAIN_LATER} (1013) waits at least one window: the server asked for "later".
     */
    public long firstRetryDelayMillis(ReconnectCause cause, RandomGenerator random) {
        return switch (cause) {
            case SERVICE_RESTART -> uniform(random, firstRetryWindowMillis);
            case TRY_AGAIN_LATER -> firstRetryWindowMillis + uniform(random, firstRetryWindowMillis);
            case GOING_AWAY, ABNORMAL -> uniform(random, lostHostRetryWindowMillis);
        };
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
