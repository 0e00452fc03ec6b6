package io.farmgate.scoring;

/**
 * The ramp of a host that just joined or came back: its share of new clients grows linearly from
 * {@code floor} to full over {@code windowMillis}, so an empty new host does not swallow every
 * new client while the others' heartbeats catch up.
 *
 * @param windowMillis how long the ramp lasts; 0 turns slow start off
 * @param floor        the share a host starts with, in (0, 1]
 */
public record SlowStart(long windowMillis, double floor) {

    public static final SlowStart DEFAULT = new SlowStart(30_000, 0.1);
    public static final SlowStart OFF = new SlowStart(0, 1.0);

    public SlowStart {
        if (windowMillis < 0) {
            throw new IllegalArgumentException("slowStartWindowMillis: " + windowMillis + " (expected: >= 0)");
        }
        if (!(floor > 0.0 && floor <= 1.0)) {
            throw new IllegalArgumentException("slowStartFloor: " + floor + " (expected: in (0, 1])");
        }
    }

    /** The share factor in [floor, 1] of a host active for {@code activeForMillis}. */
    public double factor(long activeForMillis) {
        if (windowMillis == 0 || activeForMillis >= windowMillis) {
            return 1.0;
        }
        double progress = Math.max(0.0, (double) activeForMillis / windowMillis);
        return floor + (1.0 - floor) * progress;
    }
}
