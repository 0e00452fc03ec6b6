package io.farmgate.scoring.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.scoring.pick.PickerKind;
import io.farmgate.scoring.rebalance.RebalanceAction;
import io.farmgate.scoring.rebalance.RebalancePolicy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Behavioural specs of the placement policy, checked in simulation: balance, herding and the
 * catch-up of a joined host. Not timing tests: every figure is a function of the seeded config.
 */
class FarmSimulatorTest {

    /**
     * The standard scenario, shortened from 20 to 5 minutes: the same farm, traffic and staleness,
     * a 60 s warm-up and the join halfway through, so both steady state and the join are measured.
     */
    static final SimulationConfig SHORTENED_STANDARD = SimulationConfig.builder()
            .durationSeconds(300)
            .warmupSeconds(60)
            .events(List.of(FarmChange.join(150_000L)))
            .seed(42)
            .build();

    private static final Map<PickerKind, SimulationResult> RESULTS = new EnumMap<>(PickerKind.class);

    @BeforeAll
    static void runShortenedStandardScenario() {
        for (PickerKind kind : List.of(PickerKind.TWO_CHOICE, PickerKind.LEAST_SCORE, PickerKind.RANDOM)) {
            RESULTS.put(kind, new FarmSimulator(SHORTENED_STANDARD.withPicker(kind)).run());
        }
    }

    /** A farm small enough for each test to run its own. */
    private static SimulationConfig.Builder smallFarm() {
        return SimulationConfig.builder()
                .hosts(8).gateways(2).arrivalsPerSecond(200).meanLifetimeSeconds(60)
                .durationSeconds(60).warmupSeconds(10).seed(7);
    }

    private static double joinedPeak(SimulationResult r) {
        assertThat(r.joinedPeakRateRatio()).as("%s", r).isPresent();
        return r.joinedPeakRateRatio().getAsDouble();
    }

    @Test
    void twoChoiceKeepsTheBusiestHostWithinFivePercentOfTheMean() {
        SimulationResult r = RESULTS.get(PickerKind.TWO_CHOICE);

        assertThat(r.steadySamples()).isEqualTo(240);
        assertThat(r.maxOverMeanMax()).as("%s", r).isLessThanOrEqualTo(1.05);
    }

    @Test
    void twoChoiceHerdFactorStaysAtMostTwo() {
        SimulationResult r = RESULTS.get(PickerKind.TWO_CHOICE);

        assertThat(r.herdFactor()).as("%s", r).isLessThanOrEqualTo(2.0);
    }

    @Test
    void twoChoiceNeverSendsAJoinedHostMoreThanThreeTimesTheMeanRate() {
        SimulationResult r = RESULTS.get(PickerKind.TWO_CHOICE);

        assertThat(joinedPeak(r)).as("%s", r).isLessThanOrEqualTo(3.0);
    }

    @Test
    void twoChoiceFillsAJoinedHostFasterThanItsEvenShare() {
        SimulationResult r = RESULTS.get(PickerKind.TWO_CHOICE);

        // An empty host must catch up; the plain random picker gives it only its share plus noise.
        assertThat(joinedPeak(r)).as("%s", r).isGreaterThan(1.8);
    }

    @Test
    void twoChoiceBalancesBetterThanRandom() {
        SimulationResult twoChoice = RESULTS.get(PickerKind.TWO_CHOICE);
        SimulationResult random = RESULTS.get(PickerKind.RANDOM);

        assertThat(twoChoice.maxOverMeanP50()).isLessThan(random.maxOverMeanP50());
    }

    @Test
    void leastScoreHerdsEveryGatewayOntoOneHost() {
        SimulationResult r = RESULTS.get(PickerKind.LEAST_SCORE);

        // Far above two-choice's 2: most intervals, one host takes most of the farm's new clients.
        assertThat(r.herdFactor()).as("%s", r).isGreaterThan(10.0);
    }

    @Test
    void leastScoreFloodsAJoinedHost() {
        SimulationResult r = RESULTS.get(PickerKind.LEAST_SCORE);

        assertThat(joinedPeak(r)).as("%s", r).isGreaterThan(10.0);
    }

    @Test
    void everyClientIsPlacedWhenTheFarmHasRoom() {
        SimulationResult r = RESULTS.get(PickerKind.TWO_CHOICE);

        assertThat(r.arrivals()).isBetween(590_000L, 610_000L);
        assertThat(r.placed()).isEqualTo(r.arrivals());
        assertThat(r.retried()).isZero();
    }

    @Test
    void sameConfigGivesTheSameResult() {
        SimulationConfig c = smallFarm().events(List.of(FarmChange.join(30_000L))).build();

        assertThat(new FarmSimulator(c).run()).isEqualTo(new FarmSimulator(c).run());
    }

    @Test
    void anotherSeedGivesAnotherRun() {
        SimulationResult a = new FarmSimulator(smallFarm().seed(1).build()).run();
        SimulationResult b = new FarmSimulator(smallFarm().seed(2).build()).run();

        assertThat(a.arrivals()).isNotEqualTo(b.arrivals());
    }

    @Test
    void withoutAJoinThereIsNoJoinedHostFigure() {
        SimulationResult r = new FarmSimulator(smallFarm().build()).run();

        assertThat(r.joinedPeakRateRatio()).isEmpty();
    }

    @Test
    void clientsOfALeavingHostReconnectThroughTheGateways() {
        // 200/s x 60 s = 12,000 connections on 8 hosts: about 1,500 on host-3 when it leaves.
        SimulationConfig c = smallFarm().events(List.of(FarmChange.parse("leave:host-3@30s"))).build();

        SimulationResult r = new FarmSimulator(c).run();

        assertThat(r.reconnects()).isBetween(1_200L, 1_800L);
        assertThat(r.abandoned()).isZero();
    }

    @Test
    void picksForAHostThatLeftAreRetriedUntilTheGatewaysNotice() {
        // Gateways see the host until their next refresh, up to one interval later.
        SimulationConfig c = smallFarm().events(List.of(FarmChange.parse("leave:host-3@30s"))).build();

        SimulationResult r = new FarmSimulator(c).run();

        assertThat(r.retried()).isPositive();
        assertThat(r.abandoned()).isZero();
    }

    @Test
    void clientsOfAFullFarmRetryAndFinallyGiveUp() {
        // Room for 8 x 100 connections, while the traffic wants 12,000; clients that back off briefly.
        SimulationConfig c = smallFarm().capacity(100).clients(new CooperatingClients(1_000, 1_000, 100, 400, 100, 5)).build();

        SimulationResult r = new FarmSimulator(c).run();

        assertThat(r.retried()).isPositive();
        assertThat(r.abandoned()).isPositive();
        assertThat(r.placed()).isLessThan(r.arrivals());
    }

    @Test
    void withoutARebalancerMovedIsNotApplicable() {
        assertThat(RESULTS.get(PickerKind.TWO_CHOICE).movedByRebalancing()).isEmpty();
    }

    @Test
    void targetsFromTheHookAreShedAtTheAgentsPaceCountAsMovedAndComeBack() {
        List<Integer> hostsSeen = Collections.synchronizedList(new ArrayList<>());
        RebalanceHook hundredFewerOnHost0Once = (view, now) -> {
            hostsSeen.add(view.hosts().size());
            if (hostsSeen.size() > 1) {
                return List.of(new RebalanceAction(RebalanceAction.Kind.CLEAR_TARGET, "host-0", -1, 0, "test"));
            }
            int c = view.host("host-0").report().connections();
            return List.of(new RebalanceAction(RebalanceAction.Kind.SET_TARGET, "host-0", c - 100, 100, "test"));
        };

        SimulationResult r = new FarmSimulator(smallFarm().build(), hundredFewerOnHost0Once).run();

        // Asked once per rebalance period (5 s): 12 times in 60 s, with the whole farm in view.
        assertThat(hostsSeen).hasSize(12).containsOnly(8);
        // 100 below the heartbeat's count, shed at 5% of ~1,500 a second; the host took no clients meanwhile.
        assertThat(r.movedByRebalancing().getAsLong()).isBetween(90L, 130L);
        assertThat(r.reconnects()).isEqualTo(r.movedByRebalancing().getAsLong());
    }

    @Test
    void theConfigsRebalancerIsTheProductionController() {
        SimulationConfig c = smallFarm().rebalance(RebalancePolicy.DEFAULT)
                .events(List.of(FarmChange.parse("join@20s"))).hosts(4).build();

        SimulationResult r = new FarmSimulator(c).run();

        assertThat(r.movedByRebalancing()).isPresent();
        assertThat(r.movedByRebalancing().getAsLong()).isPositive();
        assertThat(r.fleet().minimumToMove()).isPositive();
    }

    @Test
    void unequalHostsAreBalancedByUtilisationNotByCount() {
        // Small and large hosts; CPU cost scaled so a full host is at 100% CPU on either size.
        SimulationConfig.Builder farm = smallFarm().durationSeconds(240).warmupSeconds(60)
                .hostCapacities(List.of(10_000, 10_000, 10_000, 10_000, 30_000, 30_000, 30_000, 30_000))
                .hostCpuCosts(List.of(1e-4, 1e-4, 1e-4, 1e-4, 1.0 / 30_000, 1.0 / 30_000, 1.0 / 30_000, 1.0 / 30_000));

        SimulationResult twoChoice = new FarmSimulator(farm.picker(PickerKind.TWO_CHOICE).build()).run();
        SimulationResult random = new FarmSimulator(farm.picker(PickerKind.RANDOM).build()).run();

        // Random sends small hosts as many clients as large ones: three times their utilisation.
        assertThat(twoChoice.maxOverMeanP50()).isLessThanOrEqualTo(1.05);
        assertThat(random.maxOverMeanP50()).isGreaterThan(1.3);
    }

    @Test
    void herdFactorWeighsEachHostsShareAgainstItsCapacity() {
        // Random sends a small host 1/8 of the clients; its fair share is 10,000 / 160,000 = 1/16.
        SimulationConfig c = smallFarm().picker(PickerKind.RANDOM)
                .hostCapacities(List.of(10_000, 10_000, 10_000, 10_000, 30_000, 30_000, 30_000, 30_000)).build();

        SimulationResult r = new FarmSimulator(c).run();

        assertThat(r.herdFactor()).as("%s", r).isGreaterThan(2.5);
    }
}
