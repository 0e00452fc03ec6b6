package io.farmgate.scoring;

/** Whether a host may get new clients now, and if not, why not (shown to operators). */
public enum Eligibility {
    ELIGIBLE,
    /** Its heartbeat has not moved within the stale bound. */
    STALE,
    /** The host or an operator drains it. */
    DRAINING,
    /** At or above its capacity. */
    FULL,
    /** At or above the connection target the rebalancer or an operator set. */
    OVER_TARGET;

    public boolean eligible() {
        return this == ELIGIBLE;
    }
}
