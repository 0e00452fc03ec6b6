package io.farmgate.scoring.simulation;

import io.farmgate.scoring.FarmSnapshot;
import java.util.Map;

/**
 * Where a rebalancer plugs into the simulator. Once per heartbeat interval it sees the farm as
 * the registry holds it and may order hosts to close connections; those clients reconnect
 * through the gateways over the next interval and count as moved.
 */
@FunctionalInterface
public interface RebalanceHook {

    /**
     * Connections to close now, by host id; hosts not named keep theirs.
     *
     * @param registryView the rebalancer's own snapshot chain, refreshed from the latest reports
     * @param nowMillis    simulated time
     */
    Map<String, Integer> shedOrders(FarmSnapshot registryView, long nowMillis);
}
