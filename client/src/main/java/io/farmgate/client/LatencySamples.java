package io.farmgate.client;

import java.util.Arrays;

/** Up to a fixed number of latency samples, and their percentiles; thread-safe. */
final class LatencySamples {

    private final long[] samples;
    private int size;
    private long dropped;

    LatencySamples(int capacity) {
        this.samples = new long[capacity];
    }

    synchronized void record(long nanos) {
        if (size < samples.length) {
            samples[size++] = nanos;
        } else {
            dropped++;
        }
    }

    synchronized int size() {
        return size;
    }

    /** The nearest-rank percentile (0 &lt; p &lt;= 100) in nanoseconds; 0 without samples. */
    synchronized long percentileNanos(double p) {
        if (size == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(samples, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * size);
        return sorted[Math.max(0, Math.min(size, rank) - 1)];
    }
}
