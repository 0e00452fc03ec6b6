package io.farmgate.scoring.pick;

/**
 * When an edge in a zone keeps new clients in its own zone: always, unless the local hosts are
 * busier than {@code (1 + spillFraction)} x the farm's mean score, or fewer than
 * {@code minLocalEligible} local hosts are eligible (a zone down to one or two hosts would take the
 * whole zone's arrivals). Then the pick spills over the whole farm. Validated once.
 *
 * @param zone             the edge's own zone, as hosts report it ({@code --zone} of the agent); not blank
 * @param spillFraction    how much busier than the farm the local hosts may be; in [0, 10]
 * @param minLocalEligible fewest eligible local hosts to stay local; in [1, 10000]
 */
public record ZonePolicy(String zone, double spillFraction, int minLocalEligible) {

    public static final double DEFAULT_SPILL_FRACTION = 0.10;
    public static final int DEFAULT_MIN_LOCAL_ELIGIBLE = 2;

    public ZonePolicy {
        if (zone == null || zone.isBlank() || zone.length() > 64) {
            throw new IllegalArgumentException("zone: '" + zone + "' (expected: 1-64 characters, not blank)");
        }
        if (!(spillFraction >= 0.0 && spillFraction <= 10.0)) {
            throw new IllegalArgumentException("zoneSpillFraction: " + spillFraction + " (expected: in [0, 10])");
        }
        if (minLocalEligible < 1 || minLocalEligible > 10_000) {
            throw new IllegalArgumentException(
                    "zoneMinEligible: " + minLocalEligible + " (expected: in [1, 10000])");
        }
    }

    /** The same rule for another zone. */
    public ZonePolicy withZone(String other) {
        return new ZonePolicy(other, spillFraction, minLocalEligible);
    }

    /** This zone with the default spill fraction and minimum. */
    public static ZonePolicy of(String zone) {
        return new ZonePolicy(zone, DEFAULT_SPILL_FRACTION, DEFAULT_MIN_LOCAL_ELIGIBLE);
    }
}
