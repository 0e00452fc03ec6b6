package io.farmgate.agent;

/**
 * One reading of a cumulative CPU counter: how much CPU time was busy, out of how much was
 * available, since some origin. Only the difference between two readings means anything.
 *
 * @param busyNanos      CPU time spent working (all cores added up)
 * @param availableNanos CPU time that could have been spent (wall time times cores)
 */
public record CpuTime(long busyNanos, long availableNanos) {

    /** The share of available CPU used between {@code earlier} and this reading, in [0, 1]; NaN if no time passed. */
    double usageSince(CpuTime earlier) {
        long available = availableNanos - earlier.availableNanos;
        if (available <= 0) {
            return Double.NaN;
        }
        long busy = Math.max(0L, busyNanos - earlier.busyNanos);
        return Math.min(1.0, (double) busy / available);
    }
}
