package io.farmgate.client;

import java.util.Arrays;

/** Events counted per whole second since a run started; thread-safe, bounded by the run's length. */
final class PerSecondCounts {

    private final long[] counts;
    private long total;

    PerSecondCounts(long maxSeconds) {
        this.counts = new long[(int) Math.min(Integer.MAX_VALUE - 8, Math.max(1, maxSeconds + 1))];
    }

    synchronized void record(long elapsedMillis) {
        int second = (int) Math.min(counts.length - 1, Math.max(0, elapsedMillis / 1_000));
        counts[second]++;
        total++;
    }

    synchronized long total() {
        return total;
    }

    /** The busiest second's count. */
    synchronized long peak() {
        return Arrays.stream(counts).max().orElse(0);
    }

    /** Events per second over the seconds from the first to the last that had any (0 when none). */
    synchronized double meanOverActiveSpan() {
        int first = -1;
        int last = -1;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                if (first < 0) {
                    first = i;
                }
                last = i;
            }
        }
        return first < 0 ? 0 : (double) total / (last - first + 1);
    }
}
