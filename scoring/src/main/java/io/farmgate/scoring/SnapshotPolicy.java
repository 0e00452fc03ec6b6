package io.farmgate.scoring;

/**
 * How a {@link FarmSnapshot} judges hosts.
 *
 * @param staleAfterMillis a host whose sequence number has not moved for longer than this (on the
 *                         receiver's clock) gets no new clients; normally its heartbeat key expires
 *                         in Redis first, this is the second guard
 * @param formula          the load score
 * @param slowStart        the ramp of hosts that just joined or came back
 */
public record SnapshotPolicy(long staleAfterMillis, ScoreFormula formula, SlowStart slowStart) {

    public static final SnapshotPolicy DEFAULT = new SnapshotPolicy(3_000, ScoreFormula.DEFAULT, SlowStart.DEFAULT);

    public SnapshotPolicy {
        if (staleAfterMillis <= 0) {
            throw new IllegalArgumentException("staleAfterMillis: " + staleAfterMillis + " (expected: > 0)");
        }
        java.util.Objects.requireNonNull(formula, "formula");
        java.util.Objects.requireNonNull(slowStart, "slowStart");
    }
}
