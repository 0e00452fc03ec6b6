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
 * @param reconnects            clients that came back after their connection was closed (shed, drain, host lost)
 * @param placed                picks that opened a connection
 * @param retried               attempts that failed (503, host full or gone) and were retried
 * @param abandoned             clients that gave up after as many failures in a row as the clients allow
 * @param steadySamples         utilisation samples in the steady-state window
 * @param fleet                 the figures of the fleet scenarios
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
        int steadySamples,
        FleetFigures fleet) {

    /**
     * The fleet-scenario figures of one run.
     *
     * @param minimumToMove          connections that had to move to bring every host within 1.10 x the mean
     *                               right after the first farm change; 0 without one
     * @param secondsToBalance       from the first farm change until max/mean was first <= 1.10 again
     *                               with all its clients back; empty without a change or when never
     * @param requestPeakOverMean    the busiest second's gateway requests (arrivals, reconnects, retries)
     *                               over the mean per second, after the warm-up
     * @param noHost503s             attempts answered 503 because no host was eligible
     * @param cpuMaxOverMeanP50      median of the busiest host's CPU over the mean CPU, after the warm-up
     * @param movesPerClient         connections closed by the farm (shed, drained, host lost) per client
     *                               open at the first change; 0 without one
     * @param drainSeconds           from a scale-in until its last host left; empty without one or when
     *                               not done by the end
     * @param maxOverMeanAfterReturn the largest max/mean sampled from {@code secondsToBalance} to the end
     */
    public record FleetFigures(long minimumToMove, OptionalDouble secondsToBalance, double requestPeakOverMean,
                               long noHost503s, double cpuMaxOverMeanP50, double movesPerClient,
                               OptionalDouble drainSeconds, double maxOverMeanAfterReturn) {
    }
}
