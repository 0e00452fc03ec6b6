package io.farmgate.scoring.simulation;

import io.farmgate.scoring.pick.PickerKind;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What one simulated run measured. Balance and herding are taken over the steady-state window,
 * after the warm-up; see docs/balance.md for the exact definitions.
 *
 * @param picker                the policy every gateway ran
 * @param maxOverMeanP50        median, over samples taken every heartbeat interval, of the most
 *                              loaded host's utilisation divided by the mean utilisation
 * @param maxOverMeanMax        the largest such sample
 * @param herdFactor            the largest share of one interval's placements taken by one host,
 *                              divided by its fair share (1/N when capacities are equal, else its
 *                              share of the capacity): 1 is perfect, N is one host taking all.
 *                              Hosts that joined during the run are left out: their deliberate
 *                              catch-up is {@code joinedPeakRateRatio}
 * @param joinedPeakRateRatio   the highest per-interval placement rate of a joined host divided by
 *                              its fair rate in that interval (the per-host mean when capacities
 *                              are equal); empty when nobody joined
 * @param movedByRebalancing    connections the rebalancer closed; empty when no rebalancer ran
 * @param arrivals              new clients (the Poisson stream)
 * @param reconnects            clients of leaving hosts and rebalanced clients coming back
 * @param placed                picks that opened a connection
 * @param retried               picks that failed (no eligible host, host full or gone) and were retried
 * @param abandoned             clients that gave up after {@link FarmSimulator#MAX_ATTEMPTS} failed picks
 * @param steadySamples         utilisation samples in the steady-state window
 */
public record SimulationResult(
        PickerKind picker,
        double maxOverMeanP50,
        double maxOverMeanMax,
        double herdFactor,
        OptionalDouble joinedPeakRateRatio,
        OptionalLong movedByRebalancing,
        long arrivals,
        long reconnects,
        long placed,
        long retried,
        long abandoned,
        int steadySamples) {
}
