package io.farmgate.scoring;

/**
 * One host as a {@link FarmSnapshot} sees it: the last report, the operator state, what the
 * receiver observed of it, and the verdict.
 *
 * @param firstSeenMillis   receiver time this host was first seen in its current stay
 * @param lastChangedMillis receiver time its sequence number last moved (freshness)
 * @param activeSinceMillis receiver time it last became eligible after being away, drained or
 *                          stale (slow start counts from here)
 * @param score             load score from the report alone (see {@link ScoreFormula})
 * @param slowStartFactor   share factor in (0, 1]; below 1 while ramping up
 * @param urlUsable         whether clients can be sent to the advertised URL ({@link AdvertisedUrl})
 */
public record HostView(
        HostReport report,
        OperatorState operator,
        long firstSeenMillis,
        long lastChangedMillis,
        long activeSinceMillis,
        double score,
        double slowStartFactor,
        Eligibility eligibility,
        boolean urlUsable) {

    public String id() {
        return report.hostId();
    }

    /** Milliseconds since this host's heartbeat last moved, on the receiver's clock. */
    public long heartbeatAgeMillis(long nowMillis) {
        return Math.max(0L, nowMillis - lastChangedMillis);
    }

    /**
     * Whether the host is on its way out: it says so itself, or an operator drains it. The one
     * definition of "draining"; stale or not, such a host gets no new clients and sheds all it has.
     */
    public boolean draining() {
        return draining(report, operator);
    }

    /** {@link #draining()} for a report and operator state not yet joined in a view. */
    public static boolean draining(HostReport report, OperatorState operator) {
        return report.state() == HostState.DRAINING || operator.draining();
    }

    public boolean inSlowStart() {
        return slowStartFactor < 1.0;
    }

    public boolean fresh() {
        return eligibility != Eligibility.STALE;
    }

    /** Weight after the operator's multiplier. */
    public double effectiveWeight() {
        return report.weight() * operator.weight();
    }
}
