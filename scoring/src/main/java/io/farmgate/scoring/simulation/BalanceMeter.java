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
    private double[] cpuRatios = new double[256];
    private int cpuRatioCount;
    private long balancedAgainMillis = -1;
    private double ratioMaxAfterBalanced = Double.NaN;

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

    void sample(long nowMillis, SimulatedHosts hosts) {
        sample(nowMillis, hosts, -1, true);
    }

    /**
     * Takes the sample at the end of the interval that ends at {@code nowMillis}. Utilisation and
     * CPU are measured over the serving hosts (draining ones are on their way out).
     *
     * @param changeMillis when the first farm change happened, or -1
     * @param settled      whether the clients a change sent away are (almost all) back
     */
    void sample(long nowMillis, SimulatedHosts hosts, long changeMillis, boolean settled) {
        int n = 0;
        double max = 0;
        double sum = 0;
        double cpuMax = 0;
        double cpuSum = 0;
        for (int s = 0; s < hosts.slots(); s++) {
            if (hosts.serving(s)) {
                double u = hosts.utilisation(s);
                max = Math.max(max, u);
                sum += u;
                double cpu = hosts.cpu(s);
                cpuMax = Math.max(cpuMax, cpu);
                cpuSum += cpu;
                n++;
            }
        }
        double ratio = sum > 0 ? max / (sum / n) : Double.NaN;
        if (n > 0 && nowMillis > warmupMillis && sum > 0) {
            addRatio(ratio);
            if (cpuSum > 0) {
                if (cpuRatioCount == cpuRatios.length) {
                    cpuRatios = Arrays.copyOf(cpuRatios, cpuRatioCount * 2);
                }
                cpuRatios[cpuRatioCount++] = cpuMax / (cpuSum / n);
            }
        }
        if (changeMillis >= 0 && nowMillis > changeMillis && !Double.isNaN(ratio)) {
            if (balancedAgainMillis < 0 && settled && ratio <= FarmSimulator.BALANCED) {
                balancedAgainMillis = nowMillis;
            }
            if (balancedAgainMillis >= 0) {
                ratioMaxAfterBalanced = Double.isNaN(ratioMaxAfterBalanced) ? ratio
                        : Math.max(ratioMaxAfterBalanced, ratio);
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
        if (hosts.presentCount() > 0 && total > 0) {
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
        return median(ratios, ratioCount);
    }

    private static double median(double[] values, int count) {
        if (count == 0) {
            return Double.NaN;
        }
        double[] sorted = Arrays.copyOf(values, count);
        Arrays.sort(sorted);
        return sorted[(count + 1) / 2 - 1];
    }

    double ratioMax() {
        double max = Double.NaN;
        for (int i = 0; i < ratioCount; i++) {
            max = Double.isNaN(max) ? ratios[i] : Math.max(max, ratios[i]);
        }
        return max;
    }

    /** Median of the steady-state CPU max/mean samples; NaN without CPU. */
    double cpuRatioP50() {
        return median(cpuRatios, cpuRatioCount);
    }

    /** When max/mean was first back within {@link FarmSimulator#BALANCED} after the change; -1 if never. */
    long balancedAgainMillis() {
        return balancedAgainMillis;
    }

    double ratioMaxAfterBalanced() {
        return ratioMaxAfterBalanced;
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
