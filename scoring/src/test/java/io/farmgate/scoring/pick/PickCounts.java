package io.farmgate.scoring.pick;

import io.farmgate.scoring.FarmSnapshot;
import java.util.Arrays;

/** Test fixture: how often each eligible host was picked. */
final class PickCounts {

    /** 99.9th percentile of the chi-square distribution with 9 degrees of freedom (10 hosts). */
    static final double CHI_SQUARE_9_DF_P999 = 27.88;

    private final long[] counts;
    private long total;

    private PickCounts(int hosts) {
        counts = new long[hosts];
    }

    /** {@code picks} picks without recording them, as a gateway that never learns of its clients would. */
    static PickCounts of(Picker picker, FarmSnapshot snapshot, int picks) {
        return run(picker, snapshot, picks, false);
    }

    /** {@code picks} picks, each recorded in the snapshot's ledger as the gateway does. */
    static PickCounts recorded(Picker picker, FarmSnapshot snapshot, int picks) {
        return run(picker, snapshot, picks, true);
    }

    private static PickCounts run(Picker picker, FarmSnapshot snapshot, int picks, boolean record) {
        PickCounts c = new PickCounts(snapshot.eligibleCount());
        for (int i = 0; i < picks; i++) {
            int host = picker.pick(snapshot);
            c.counts[host]++;
            c.total++;
            if (record) {
                snapshot.recordAssignment(host, 1);
            }
        }
        return c;
    }

    long count(int host) {
        return counts[host];
    }

    double share(int host) {
        return (double) counts[host] / total;
    }

    double maxShare() {
        return (double) Arrays.stream(counts).max().orElse(0) / total;
    }

    /** Pearson's statistic against a uniform spread. */
    double chiSquareAgainstUniform() {
        double expected = (double) total / counts.length;
        double sum = 0;
        for (long c : counts) {
            sum += (c - expected) * (c - expected) / expected;
        }
        return sum;
    }

    @Override
    public String toString() {
        return Arrays.toString(counts);
    }
}
