package io.farmgate.scoring.rebalance;

import java.util.Objects;

/**
 * One thing the rebalancer's leader does after a period: store a connection target for a host
 * (its agent sheds toward it), or lift one. Each action is also the event the log records.
 *
 * @param kind              set or clear
 * @param hostId            which host
 * @param targetConnections the new target; {@code -1} for a clear
 * @param count             connections the order moves (for a set); 0 for a clear
 * @param reason            why, for the event log and the dashboard
 */
public record RebalanceAction(Kind kind, String hostId, int targetConnections, int count, String reason) {

    /** What the action does to the host's stored operator state. */
    public enum Kind {
        /** Store {@code targetConnections}: the agent sheds down to it, pickers skip the host until below. */
        SET_TARGET,
        /** Lift the target the rebalancer set earlier. */
        CLEAR_TARGET
    }

    public RebalanceAction {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(reason, "reason");
    }

    static RebalanceAction set(String hostId, int target, int count, String reason) {
        return new RebalanceAction(Kind.SET_TARGET, hostId, target, count, reason);
    }

    static RebalanceAction clear(String hostId, String reason) {
        return new RebalanceAction(Kind.CLEAR_TARGET, hostId, -1, 0, reason);
    }
}
