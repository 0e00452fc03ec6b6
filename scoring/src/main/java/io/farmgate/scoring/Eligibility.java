package io.farmgate.scoring;

/** Whether a host may get new clients now, and if not, why not (shown to operators). */
public enum Eligibility {
    ELIGIBLE,
    /** Its heartbeat has not moved within the stale bound. */
    STALE,
    /** The host or an operator drains it. */
    DRAINING,
    /**
     * Its advertised URL is not one a client can be sent to ({@link AdvertisedUrl}): a pick that
     * landed on it could only be refused, while other hosts may be healthy.
     */
    UNUSABLE_URL,
    /** At or above its capacity. */
    FULL,
    /** At or above the connection target the rebalancer or an operator set. */
    OVER_TARGET;

    public boolean eligible() {
        return this == ELIGIBLE;
    }
}
