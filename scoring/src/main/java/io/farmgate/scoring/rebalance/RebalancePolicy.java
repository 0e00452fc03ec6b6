package io.farmgate.scoring.rebalance;

/**
 * How hard the rebalancer may push: when a host counts as overloaded and how many connections
 * one planning period may move. Validated once; the rebalancer plans once per period.
 *
 * <p>The per-host cap is the smaller of an absolute count and a fraction of the host's own
 * connections (rounded up, so any host with an excess may shed at least one). The absolute cap
 * keeps big hosts' churn gentle; the fraction keeps a small host from losing most of its clients
 * in one period. Whatever a cap holds back is planned again next period from fresh heartbeats.
 *
 * @param toleranceFraction               a host is overloaded when its score is above
 *                                        {@code mean x (1 + toleranceFraction)}; in [0, 10]
 * @param maxShedPerHostPerPeriod         most connections one host is asked to shed per period; &gt; 0
 * @param maxShedFractionPerHostPerPeriod most of a host's own connections it is asked to shed per
 *                                        period; in (0, 1]
 * @param maxShedFarmPerPeriod            most connections the whole farm is asked to shed per period; &gt; 0
 * @param maxStaleFraction                when more than this fraction of heartbeats is stale the
 *                                        data is not trusted and nothing is ordered; in [0, 1]
 * @param shedIntoBandFraction            how far into the band an overloaded host sheds: it is brought
 *                                        down to {@code mean x (1 + toleranceFraction x (1 - this))},
 *                                        so 1 means down to the mean and 0 just to the band's edge;
 *                                        in [0, 1]
 */
public record RebalancePolicy(
        double toleranceFraction,
        int maxShedPerHostPerPeriod,
        double maxShedFractionPerHostPerPeriod,
        int maxShedFarmPerPeriod,
        double maxStaleFraction,
        double shedIntoBandFraction) {

    /**
     * Sheds a quarter of the way into the band: a host brought exactly to the edge would be pushed
     * over it by the first client it gets; one brought all the way to the mean moves half again as
     * many clients as the band needs (a 5th host joining 4 full ones: 40 instead of 24 of 200).
     */
    public static final double DEFAULT_SHED_INTO_BAND_FRACTION = 0.25;

    public static final RebalancePolicy DEFAULT =
            new RebalancePolicy(0.10, 50, 0.25, 500, 0.5, DEFAULT_SHED_INTO_BAND_FRACTION);

    public RebalancePolicy {
        if (!(toleranceFraction >= 0.0 && toleranceFraction <= 10.0)) {
            throw new IllegalArgumentException(
                    "toleranceFraction: " + toleranceFraction + " (expected: in [0, 10])");
        }
        if (maxShedPerHostPerPeriod <= 0) {
            throw new IllegalArgumentException(
                    "maxShedPerHostPerPeriod: " + maxShedPerHostPerPeriod + " (expected: > 0)");
        }
        if (!(maxShedFractionPerHostPerPeriod > 0.0 && maxShedFractionPerHostPerPeriod <= 1.0)) {
            throw new IllegalArgumentException("maxShedFractionPerHostPerPeriod: "
                    + maxShedFractionPerHostPerPeriod + " (expected: in (0, 1])");
        }
        if (maxShedFarmPerPeriod <= 0) {
            throw new IllegalArgumentException(
                    "maxShedFarmPerPeriod: " + maxShedFarmPerPeriod + " (expected: > 0)");
        }
        if (!(maxStaleFraction >= 0.0 && maxStaleFraction <= 1.0)) {
            throw new IllegalArgumentException(
                    "maxStaleFraction: " + maxStaleFraction + " (expected: in [0, 1])");
        }
        if (!(shedIntoBandFraction >= 0.0 && shedIntoBandFraction <= 1.0)) {
            throw new IllegalArgumentException(
                    "shedIntoBandFraction: " + shedIntoBandFraction + " (expected: in [0, 1])");
        }
    }

    /** This policy with another tolerance band, everything else kept. */
    public RebalancePolicy withToleranceFraction(double fraction) {
        return new RebalancePolicy(fraction, maxShedPerHostPerPeriod, maxShedFractionPerHostPerPeriod,
                maxShedFarmPerPeriod, maxStaleFraction, shedIntoBandFraction);
    }

    /** This policy with another depth of shedding into the band, everything else kept. */
    public RebalancePolicy withShedIntoBandFraction(double fraction) {
        return new RebalancePolicy(toleranceFraction, maxShedPerHostPerPeriod, maxShedFractionPerHostPerPeriod,
                maxShedFarmPerPeriod, maxStaleFraction, fraction);
    }

    /** The score an overloaded host is brought down to, for a farm whose mean score is {@code mean}. */
    double shedTargetScore(double mean) {
        return mean * (1.0 + toleranceFraction * (1.0 - shedIntoBandFraction));
    }

    /** The most connections a host with {@code connections} open may be asked to shed in one period. */
    int perHostCap(int connections) {
        long byFraction = (long) Math.ceil(maxShedFractionPerHostPerPeriod * connections);
        return (int) Math.min(maxShedPerHostPerPeriod, byFraction);
    }
}
