package io.farmgate.scoring.simulation;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.rebalance.RebalanceAction;
import io.farmgate.scoring.rebalance.RebalanceController;
import java.util.List;

/**
 * Where a rebalancer plugs into the simulator. Every rebalance period it sees the farm as the
 * registry holds it (reports and operator states) and answers with the targets to set and lift;
 * the simulator stores them as the gateway's rebalancer does, and hosts shed toward them at the
 * agent's pace. {@link #of} runs the production controller.
 */
@FunctionalInterface
public interface RebalanceHook {

    /**
     * What to store now.
     *
     * @param registryView the rebalancer's own snapshot chain, refreshed from the latest reports
     * @param nowMillis    simulated time
     */
    List<RebalanceAction> actions(FarmSnapshot registryView, long nowMillis);

    /** The gateway's rebalancer: {@code controller}'s actions, one step per period. */
    static RebalanceHook of(RebalanceController controller) {
        return (view, now) -> controller.step(view, now).actions();
    }
}
