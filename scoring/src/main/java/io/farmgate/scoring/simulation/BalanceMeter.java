package io.farmgate.scoring.simulation;

import java.util.Arrays;

/**
 * Samples the farm once per heartbeat interval: the spread of utilisation (max over mean) and
 * how new clients were shared out in the interval just ended (herding, and the catch-up rate of
 * hosts that joined), each host's placements taken relative to its fair share, which is its
 * share of the farm's capacity.
 */
final class BalanceMeter {

    private final long warmupMillis;
    private final long intervalMillis;
    private int[] placedInInterval = new int[16];
    private double[] ratios = new double[256];
    private int ratioCount;
    private double herdFactor = Double.NaN;
    private double joinedPeak = Double.NaN;

    BalanceMeter(long warmupMillis, long intervalMillis) {
        this.warmupMillis = warmupMillis;
        this.intervalMillis = intervalMillis;
    }

    void placed(int slot) {
        if (slot >= placedInInterval.length) {
            placedInInterval = Arrays.copyOf(placedInInterval, Math.max(slot + 1, placedInInterval.length * 2));
        }
        placedInInterval[slot]++;
    }

    /** Takes the sample at the end of the interval that ends at {@code nowMillis}. */
    void sample(long nowMillis, SimulatedHosts hosts) {
        int n = hosts.presentCount();
        if (n > 0 && nowMillis > warmupMillis) {
            double max = 0;
            double sum = 0;
            for (int s = 0; s < hosts.slots(); s++) {
                if (hosts.present(s)) {
                    double u = hosts.utilisation(s);
                    max = Math.max(max, u);
                    sum += u;
                }
            }
            if (sum > 0) {
                addRatio(max / (sum / n));
            }
        }
        long total = 0;
        long capacity = 0;
        for (int s = 0; s < hosts.slots(); s++) {
            if (hosts.present(s)) {
                total += s < placedInInterval.length ? placedInInterval[s] : 0;
                capacity += hosts.capacity(s);
            }
        }
        if (n > 0 && total > 0) {
            boolean steady = nowMillis - intervalMillis >= warmupMillis;
            for (int s = 0; s < hosts.slots() && s < placedInInterval.length; s++) {
                if (!hosts.present(s)) {
                    continue;
                }
                // A host's fair share of new clients is its share of the capacity: 1/N when all are equal.
                double fair = (double) total * hosts.capacity(s) / capacity;
                double relative = placedInInterval[s] / fair;
                // Joined hosts are measured from their join, warm-up or not: their catch-up is a transient.
                if (hosts.joinedDuringRun(s)) {
                    joinedPeak = Double.isNaN(joinedPeak) ? relative : Math.max(joinedPeak, relative);
                } else if (steady) {
                    herdFactor = Double.isNaN(herdFactor) ? relative : Math.max(herdFactor, relative);
                }
            }
        }
        Arrays.fill(placedInInterval, 0);
    }

    /** Median of the steady-state max/mean samples; NaN without samples. */
    double ratioP50() {
        if (ratioCount == 0) {
            return Double.NaN;
        }
        double[] sorted = Arrays.copyOf(ratios, ratioCount);
        Arrays.sort(sorted);
        return sorted[(ratioCount + 1) / 2 - 1];
    }

    double ratioMax() {
        double max = Double.NaN;
        for (int i = 0; i < ratioCount; i++) {
            max = Double.isNaN(max) ? ratios[i] : Math.max(max, ratios[i]);
        }
        return max;
    }

    int ratioSamples() {
        return ratioCount;
    }

    /** NaN when no interval of the steady-state window had placements. */
    double herdFactor() {
        return herdFactor;
    }

    /** NaN when no host joined (or none got a client). */
    double joinedPeak() {
        return joinedPeak;
    }

    private void addRatio(double r) {
        if (ratioCount == ratios.length) {
            ratios = Arrays.copyOf(ratios, ratioCount * 2);
        }
        ratios[ratioCount++] = r;
    }
}
