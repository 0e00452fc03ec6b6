package io.farmgate.bench;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Latencies in logarithmic buckets (about 2 % wide, 1 µs to over an hour), recorded from many
 * threads without locks; percentiles are read as a bucket's upper bound, so they err high by at
 * most one bucket. For the load drivers of the bench scripts, which keep one per interval.
 */
final class LatencyHistogram {

    private static final double GROWTH = 1.02;
    private static final double LOG_GROWTH = Math.log(GROWTH);
    private static final int BUCKETS = 1_200;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

    void recordNanos(long nanos) {
        counts.incrementAndGet(bucket(Math.max(0, nanos) / 1_000.0));
    }

    private static int bucket(double micros) {
        if (micros <= 1) {
            return 0;
        }
        return (int) Math.min(BUCKETS - 1, Math.ceil(Math.log(micros) / LOG_GROWTH));
    }

    long count() {
        long n = 0;
        for (int i = 0; i < BUCKETS; i++) {
            n += counts.get(i);
        }
        return n;
    }

    /** The {@code percentile} (0-100) in milliseconds, or NaN when nothing was recorded. */
    double percentileMillis(double percentile) {
        long total = count();
        if (total == 0) {
            return Double.NaN;
        }
        long rank = (long) Math.ceil(total * percentile / 100.0);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts.get(i);
            if (seen >= Math.max(1, rank)) {
                return Math.pow(GROWTH, i) / 1_000.0;
            }
        }
        return Math.pow(GROWTH, BUCKETS - 1) / 1_000.0;
    }
}
