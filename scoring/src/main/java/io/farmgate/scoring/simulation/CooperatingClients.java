package io.farmgate.scoring.simulation;

/**
 * How simulated clients come back, as the cooperating clients do (client/ {@code ReconnectBackoff},
 * docs/client.md): after a 1012 (shed or drain, which the agent spreads over time) the first retry is
 * uniform over {@code firstRetryWindowMillis}; after a lost host (its connections broken at once, 1006)
 * uniform over the longer {@code lostHostRetryWindowMillis}; a 503 waits its {@code Retry-After} spread over a further quarter;
 * the n-th failure in a row (host full or gone) waits uniform over {@code [d/2, d]} with
 * {@code d = min(maxRetryDelayMillis, initialRetryDelayMillis x 2^(n-1))}; after {@code maxFailures}
 * in a row the client gives up.
 *
 * @param retryAfterMillis the gateway's {@code Retry-After} on a 503 (its default: 2 s)
 */
public record CooperatingClients(long firstRetryWindowMillis, long lostHostRetryWindowMillis, long initialRetryDelayMillis,
                                 long maxRetryDelayMillis, long retryAfterMillis, int maxFailures) {

    /**
     * The Java client's and the gateway's defaults: 5 s window after a 1012, 10 s after a lost host,
     * 1 s .. 30 s backoff, Retry-After 2 s, 20 failures.
     */
    public static final CooperatingClients DEFAULT = new CooperatingClients(5_000, 10_000, 1_000, 30_000, 2_000, 20);

    /** Most failures a simulated client may be given: the reconnect queue keeps five bits for them. */
    static final int MAX_FAILURES = 31;

    public CooperatingClients {
        if (firstRetryWindowMillis < 0) {
            throw new IllegalArgumentException("firstRetryWindowMillis: " + firstRetryWindowMillis + " (expected: >= 0)");
        }
        if (lostHostRetryWindowMillis < 0) {
            throw new IllegalArgumentException("lostHostRetryWindowMillis: " + lostHostRetryWindowMillis + " (expected: >= 0)");
        }
        if (initialRetryDelayMillis <= 0 || maxRetryDelayMillis < initialRetryDelayMillis) {
            throw new IllegalArgumentException("initialRetryDelayMillis, maxRetryDelayMillis: " + initialRetryDelayMillis
                    + ", " + maxRetryDelayMillis + " (expected: 0 < initial <= max)");
        }
        if (retryAfterMillis < 0) {
            throw new IllegalArgumentException("retryAfterMillis: " + retryAfterMillis + " (expected: >= 0)");
        }
        if (maxFailures < 1 || maxFailures > MAX_FAILURES) {
            throw new IllegalArgumentException("maxFailures: " + maxFailures + " (expected: in [1, " + MAX_FAILURES + "])");
        }
    }

    /** These clients with another window for a lost host. */
    public CooperatingClients withLostHostRetryWindowMillis(long value) {
        return new CooperatingClients(firstRetryWindowMillis, value, initialRetryDelayMillis, maxRetryDelayMillis,
                retryAfterMillis, maxFailures);
    }

    /** Delay after the {@code failures}-th failure in a row, from a uniform draw {@code u} in [0, 1). */
    double failureDelayMillis(int failures, double u) {
        long step = initialRetryDelayMillis;
        for (int i = 1; i < failures && step < maxRetryDelayMillis; i++) {
            step *= 2;
        }
        step = Math.min(step, maxRetryDelayMillis);
        return step / 2.0 + u * (step / 2.0);
    }

    /** Delay after a 503, from a uniform draw {@code u} in [0, 1). */
    double retryAfterDelayMillis(double u) {
        return retryAfterMillis + u * retryAfterMillis / 4.0;
    }
}
