package io.farmgate.scoring.rebalance;

import java.util.List;
import java.util.Objects;

/**
 * What the rebalancer's leader decided in one period: the plan it made from the snapshot and the
 * actions to store, in order (lifted targets first, then new targets, then targets back within the band).
 *
 * @param plan    the planner's verdict and orders for this snapshot
 * @param actions what to write; empty when the wave is not over or nothing needs doing
 * @param waveOpen true while the last wave of targets is still being shed or settling, so the
 *                 plan's orders were held back
 */
public record RebalanceStep(RebalancePlan plan, List<RebalanceAction> actions, boolean waveOpen) {

    public RebalanceStep {
        Objects.requireNonNull(plan, "plan");
        actions = List.copyOf(actions);
    }
}
