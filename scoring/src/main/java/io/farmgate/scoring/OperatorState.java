package io.farmgate.scoring;

/**
 * What operators and the rebalancer have decided about one host. Stored, not sent: agents and
 * gateways reconcile toward it, so a missed message or a restart loses nothing.
 *
 * @param draining          no new clients; the host sheds all it has
 * @param weight            multiplier on the host's own weight; {@code > 0}, 1 leaves it unchanged
 * @param targetConnections the host should shed down to this many connections and takes no new
 *                          clients until below it; {@link #NO_TARGET} when there is none
 * @param updatedAtMillis   when it was last changed (the writer's clock, for display only)
 */
public record OperatorState(boolean draining, double weight, int targetConnections, long updatedAtMillis) {

    /** {@code targetConnections} when no target is set. */
    public static final int NO_TARGET = -1;

    /** The state of a host nobody has touched. */
    public static final OperatorState DEFAULT = new OperatorState(false, 1.0, NO_TARGET, 0L);

    public OperatorState {
        if (!(weight > 0.0 && weight <= 1000.0)) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: in (0, 1000])");
        }
        if (targetConnections < NO_TARGET) {
            throw new IllegalArgumentException(
                    "targetConnections: " + targetConnections + " (expected: >= 0, or -1 for none)");
        }
    }

    public boolean hasTarget() {
        return targetConnections != NO_TARGET;
    }

    public OperatorState withDraining(boolean value, long atMillis) {
        return new OperatorState(value, weight, value ? targetConnections : NO_TARGET, atMillis);
    }

    public OperatorState withTarget(int connections, long atMillis) {
        return new OperatorState(draining, weight, connections, atMillis);
    }

    public OperatorState withWeight(double value, long atMillis) {
        return new OperatorState(draining, value, targetConnections, atMillis);
    }
}
