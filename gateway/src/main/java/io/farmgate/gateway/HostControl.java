package io.farmgate.gateway;

/**
 * Where the admin API stores operator decisions so agents reconcile toward them (level-triggered);
 * in production the registry's operator store. Implementations throw on a failed write, and the
 * admin API answers 503 without claiming the change.
 */
public interface HostControl {

    /** Marks the host draining (no new clients; its agent closes its clients over the drain period) or active again. */
    void setDraining(String hostId, boolean draining);

    /** Asks the host to shed down to {@code targetConnections} and take no new clients until below it. */
    void setTargetConnections(String hostId, int targetConnections);

    /**
     * Whether operator state is stored for this host, so it can be undrained while it is away (a
     * drained host that stopped would otherwise come back drained with no way to clear it).
     */
    default boolean hasStoredState(String hostId) {
        return false;
    }

    /** Notes a finished scale-down (the hosts are already draining); for the event log. */
    default void scaledDown(int requested, java.util.List<String> hostIds) {
    }

    /** The farm's latest {@code limit} events, newest first; none when there is no event log. */
    default java.util.List<io.farmgate.registry.FarmEvent> latestEvents(int limit) {
        return java.util.List.of();
    }
}
