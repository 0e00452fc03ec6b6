package io.farmgate.scoring.rebalance;

import static io.farmgate.scoring.Reports.T0;
import static io.farmgate.scoring.Reports.firstSnapshot;
import static io.farmgate.scoring.Reports.report;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import io.farmgate.scoring.Eligibility;
import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.scoring.OperatorState;
import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.scoring.rebalance.RebalancePlan.Verdict;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Hosts here have capacity 1000 and no CPU use, so a score is proportional to connections and
 * "back to the mean" can be checked in connections: mean score = score of the mean connections.
 */
class RebalancePlannerTest {

    /** Caps out of the way, so a test sees only the behaviour it is about; sheds down to the mean. */
    private static final RebalancePolicy UNCAPPED = new RebalancePolicy(0.10, 100_000, 1.0, 100_000, 0.5, 1.0);

    private static FarmSnapshot farm(HostReport... reports) {
        return firstSnapshot(List.of(reports));
    }

    private static RebalancePlan plan(FarmSnapshot s, RebalancePolicy policy) {
        return RebalancePlanner.planWithVerdict(s, policy);
    }

    private static List<ShedOrder> orders(FarmSnapshot s, RebalancePolicy policy) {
        return RebalancePlanner.plan(s, policy);
    }

    // ---- how much ----

    @Test
    void byDefaultAnOverloadedHostShedsAQuarterOfTheWayIntoTheBand() {
        // Mean 500 connections, band edge 550; a quarter of the way in is 537.5: 362.5 -> 363 to shed.
        FarmSnapshot s = farm(report("a", 900), report("b", 300), report("c", 300));

        assertThat(orders(s, UNCAPPED.withShedIntoBandFraction(RebalancePolicy.DEFAULT_SHED_INTO_BAND_FRACTION)))
                .singleElement()
                .extracting(ShedOrder::hostId, ShedOrder::count)
                .containsExactly("a", 363);
    }

    @Test
    void shedIntoTheWholeBandBringsAHostBackToTheMean() {
        FarmSnapshot s = farm(report("a", 900), report("b", 300), report("c", 300));

        assertThat(orders(s, UNCAPPED.withShedIntoBandFraction(1.0))).singleElement()
                .extracting(ShedOrder::hostId, ShedOrder::count)
                .containsExactly("a", 400);
    }

    @Test
    void shedIntoNoneOfTheBandBringsAHostJustToItsEdge() {
        FarmSnapshot s = farm(report("a", 900), report("b", 300), report("c", 300));

        assertThat(orders(s, UNCAPPED.withShedIntoBandFraction(0.0))).singleElement()
                .extracting(ShedOrder::hostId, ShedOrder::count)
                .containsExactly("a", 350);
    }

    @Test
    void fifthHostJoiningFourEvenHostsMovesLittleMoreThanTheBandNeeds() {
        // 4 x 500 and an empty host: mean 400, band edge 440 -> the band needs 4 x 60 = 240 moved; the
        // default target 430 moves 4 x 70 = 280 (1.17x), where shedding to the mean would move 400 (1.67x).
        FarmSnapshot s = farm(report("a", 500), report("b", 500), report("c", 500), report("d", 500),
                report("e", 0));

        List<ShedOrder> orders = orders(s, UNCAPPED.withShedIntoBandFraction(
                RebalancePolicy.DEFAULT_SHED_INTO_BAND_FRACTION));

        assertThat(orders).extracting(ShedOrder::count).containsExactly(70, 70, 70, 70);
    }

    @Test
    void planReportsTheMeanOfFreshActiveHosts() {
        FarmSnapshot s = farm(report("a", 900), report("b", 300), report("c", 300));

        RebalancePlan p = plan(s, UNCAPPED);

        assertThat(p.verdict()).isEqualTo(Verdict.SHED);
        assertThat(p.meanScore()).isCloseTo(0.7 * 0.5, within(1e-12));
        assertThat(p.wantedConnections()).isEqualTo(400);
        assertThat(p.orderedConnections()).isEqualTo(400);
    }

    @Test
    void countRoundsUpSoTheHostEndsAtOrBelowItsTarget() {
        // Mean 1100/3 = 366.67; 700 - 366.67 = 333.33 -> 334.
        FarmSnapshot s = farm(report("a", 700), report("b", 200), report("c", 200));

        assertThat(orders(s, UNCAPPED)).singleElement().extracting(ShedOrder::count).isEqualTo(334);
    }

    @Test
    void everyHostAboveTheBandGetsAnOrder() {
        FarmSnapshot s = farm(report("a", 900), report("b", 700), report("c", 100), report("d", 100),
                report("e", 100));

        // Mean 380.
        assertThat(orders(s, UNCAPPED)).extracting(ShedOrder::hostId, ShedOrder::count)
                .containsExactly(tuple("a", 520),
                        tuple("b", 320));
    }

    // ---- the tolerance band ----

    @Test
    void hostJustInsideTheToleranceBandGetsNoOrder() {
        // Mean (115 + 200) / 3 = 105; band edge 115.5.
        FarmSnapshot s = farm(report("a", 115), report("b", 100), report("c", 100));

        RebalancePlan p = plan(s, UNCAPPED);

        assertThat(p.verdict()).isEqualTo(Verdict.BALANCED);
        assertThat(p.orders()).isEmpty();
    }

    @Test
    void hostJustOutsideTheToleranceBandShedsToTheMean() {
        // Mean (116 + 200) / 3 = 105.33; band edge 115.87; 116 - 105.33 = 10.67 -> 11.
        FarmSnapshot s = farm(report("a", 116), report("b", 100), report("c", 100));

        assertThat(orders(s, UNCAPPED)).singleElement()
                .extracting(ShedOrder::hostId, ShedOrder::count)
                .containsExactly("a", 11);
    }

    @Test
    void idleFarmIsBalanced() {
        FarmSnapshot s = farm(report("a", 0), report("b", 0));

        assertThat(plan(s, UNCAPPED).verdict()).isEqualTo(Verdict.BALANCED);
    }

    @Test
    void hostOfDoubleWeightCarryingDoubleTheClientsIsNotOverloaded() {
        FarmSnapshot s = FarmSnapshot.initial(SnapshotPolicy.DEFAULT).next(
                List.of(report("a", 600), report("b", 300), report("c", 300)),
                Map.of("a", OperatorState.DEFAULT.withWeight(2.0, 0L)), T0);

        assertThat(plan(s, UNCAPPED).verdict()).isEqualTo(Verdict.BALANCED);
    }

    // ---- caps ----

    @Test
    void perHostCapLimitsTheOrder() {
        RebalancePolicy policy = new RebalancePolicy(0.10, 50, 1.0, 100_000, 0.5, 1.0);
        FarmSnapshot s = farm(report("a", 900), report("b", 300), report("c", 300));

        RebalancePlan p = plan(s, policy);

        assertThat(p.orders()).singleElement().extracting(ShedOrder::count).isEqualTo(50);
        assertThat(p.orders().get(0).reason()).contains("per-host cap 50");
        assertThat(p.wantedConnections()).isEqualTo(400);
    }

    @Test
    void perHostFractionCapLimitsTheOrder() {
        RebalancePolicy policy = new RebalancePolicy(0.10, 100_000, 0.1, 100_000, 0.5, 1.0);
        FarmSnapshot s = farm(report("a", 900), report("b", 300), report("c", 300));

        assertThat(orders(s, policy)).singleElement().extracting(ShedOrder::count).isEqualTo(90);
    }

    @Test
    void fractionCapRoundsUpSoASmallHostCanShedOne() {
        RebalancePolicy policy = new RebalancePolicy(0.10, 100_000, 0.1, 100_000, 0.5, 1.0);
        // Capacity 10, mean 7/3 connections: a wants floor(5 - 7/3) = 2; 10% of its 5 rounds up to 1.
        FarmSnapshot s = farm(report("a", 5, 10, 0.0), report("b", 1, 10, 0.0), report("c", 1, 10, 0.0));

        assertThat(orders(s, policy)).singleElement().extracting(ShedOrder::count).isEqualTo(1);
    }

    @Test
    void farmCapGoesToTheMostOverloadedHostFirst() {
        RebalancePolicy policy = new RebalancePolicy(0.10, 100_000, 1.0, 600, 0.5, 1.0);
        // b listed and named first, but a is the more overloaded: a wants 520, b wants 320.
        FarmSnapshot s = farm(report("b", 700), report("a", 900), report("c", 100), report("d", 100),
                report("e", 100));

        RebalancePlan p = plan(s, policy);

        assertThat(p.orders()).extracting(ShedOrder::hostId, ShedOrder::count)
                .containsExactly(tuple("a", 520),
                        tuple("b", 80));
        assertThat(p.orders().get(1).reason()).contains("farm cap");
        assertThat(p.wantedConnections()).isEqualTo(840);
    }

    @Test
    void spentFarmCapLeavesLessOverloadedHostsWithoutAnOrder() {
        RebalancePolicy policy = new RebalancePolicy(0.10, 100_000, 1.0, 300, 0.5, 1.0);
        FarmSnapshot s = farm(report("a", 900), report("b", 700), report("c", 100), report("d", 100),
                report("e", 100));

        assertThat(orders(s, policy)).singleElement()
                .extracting(ShedOrder::hostId, ShedOrder::count)
                .containsExactly("a", 300);
    }

    @Test
    void equallyOverloadedHostsShareTheFarmCapInHostIdOrder() {
        RebalancePolicy policy = new RebalancePolicy(0.10, 100_000, 1.0, 100, 0.5, 1.0);
        FarmSnapshot s = farm(report("x", 900), report("m", 900), report("c", 100), report("d", 100));

        assertThat(orders(s, policy)).singleElement()
                .extracting(ShedOrder::hostId, ShedOrder::count)
                .containsExactly("m", 100);
    }

    // ---- which hosts count ----

    @Test
    void fullHostCountsInTheMeanAndIsOrdered() {
        // Mean 1400 / 3 = 466.67; 1000 - 466.67 = 533.33 -> 534.
        FarmSnapshot s = farm(report("a", 1000), report("b", 200), report("c", 200));

        assertThat(s.host("a").eligibility()).isEqualTo(Eligibility.FULL);
        assertThat(orders(s, UNCAPPED)).singleElement()
                .extracting(ShedOrder::hostId, ShedOrder::count)
                .containsExactly("a", 534);
    }

    @Test
    void drainingHostIsNeitherOrderedNorCountedInTheMean() {
        FarmSnapshot s = farm(report("a", 100), report("b", 100), report("d", 900).withState(HostState.DRAINING));

        RebalancePlan p = plan(s, UNCAPPED);

        assertThat(p.verdict()).isEqualTo(Verdict.BALANCED);
        assertThat(p.meanScore()).isCloseTo(0.07, within(1e-12));
    }

    @Test
    void hostDrainedByAnOperatorIsNotOrdered() {
        FarmSnapshot s = FarmSnapshot.initial(SnapshotPolicy.DEFAULT).next(
                List.of(report("a", 100), report("b", 100), report("d", 900)),
                Map.of("d", OperatorState.DEFAULT.withDraining(true, 0L)), T0);

        assertThat(plan(s, UNCAPPED).verdict()).isEqualTo(Verdict.BALANCED);
    }

    @Test
    void slowStartHostIsNotOrdered() {
        FarmSnapshot s = joined(List.of(report("a", 100), report("b", 100)), report("new", 900));

        RebalancePlan p = plan(s, UNCAPPED);

        assertThat(s.host("new").inSlowStart()).isTrue();
        assertThat(p.verdict()).isEqualTo(Verdict.NOTHING_SHEDDABLE);
        assertThat(p.orders()).isEmpty();
    }

    @Test
    void slowStartHostCountsInTheMean() {
        // With the idle newcomer the mean is 800 / 3 = 266.67 and b sheds 434; without it, 300.
        FarmSnapshot s = joined(List.of(report("a", 100), report("b", 700)), report("new", 0));

        assertThat(orders(s, UNCAPPED)).singleElement()
                .extracting(ShedOrder::hostId, ShedOrder::count)
                .containsExactly("b", 434);
    }

    @Test
    void staleHostIsNeitherOrderedNorCountedInTheMean() {
        FarmSnapshot s = withStale(List.of(report("a", 100), report("b", 100), report("c", 100)),
                List.of(report("s", 900)));

        RebalancePlan p = plan(s, UNCAPPED);

        assertThat(p.verdict()).isEqualTo(Verdict.BALANCED);
        assertThat(p.meanScore()).isCloseTo(0.07, within(1e-12));
    }

    // ---- when nothing is ordered ----

    @Test
    void staleMajorityOrdersNothing() {
        FarmSnapshot s = withStale(List.of(report("a", 900), report("b", 100)),
                List.of(report("s1", 100), report("s2", 100), report("s3", 100)));

        RebalancePlan p = plan(s, UNCAPPED);

        assertThat(p.verdict()).isEqualTo(Verdict.STALE_MAJORITY);
        assertThat(p.orders()).isEmpty();
    }

    @Test
    void staleHalfAtTheDefaultLimitStillPlans() {
        FarmSnapshot s = withStale(List.of(report("a", 900), report("b", 100)),
                List.of(report("s1", 100), report("s2", 100)));

        assertThat(plan(s, UNCAPPED).verdict()).isEqualTo(Verdict.SHED);
    }

    @Test
    void snapshotMarkedStaleOrdersNothing() {
        FarmSnapshot s = farm(report("a", 900), report("b", 100)).markedStale();

        assertThat(plan(s, UNCAPPED).verdict()).isEqualTo(Verdict.SNAPSHOT_STALE);
    }

    @Test
    void singleFreshActiveHostOrdersNothing() {
        FarmSnapshot s = farm(report("a", 900), report("b", 0).withState(HostState.DRAINING));

        RebalancePlan p = plan(s, UNCAPPED);

        assertThat(p.verdict()).isEqualTo(Verdict.TOO_FEW_HOSTS);
        assertThat(p.orders()).isEmpty();
    }

    @Test
    void emptyFarmOrdersNothing() {
        FarmSnapshot s = FarmSnapshot.initial(SnapshotPolicy.DEFAULT);

        assertThat(plan(s, UNCAPPED).verdict()).isEqualTo(Verdict.TOO_FEW_HOSTS);
    }

    // ---- determinism and reporting ----

    @Test
    void sameFarmGivesTheSamePlanWhateverTheReportOrder() {
        List<HostReport> reports = List.of(report("a", 900), report("b", 700), report("c", 100), report("d", 100));
        List<HostReport> reversed = new ArrayList<>(reports);
        Collections.reverse(reversed);

        assertThat(plan(firstSnapshot(reversed), RebalancePolicy.DEFAULT))
                .isEqualTo(plan(firstSnapshot(reports), RebalancePolicy.DEFAULT));
    }

    @Test
    void summaryNamesTheVerdictAndTheCounts() {
        FarmSnapshot s = farm(report("a", 900), report("b", 300), report("c", 300));

        assertThat(plan(s, RebalancePolicy.DEFAULT).summary())
                .isEqualTo("SHED: 1 order(s), 50 of 363 wanted connection(s), mean score 0.350");
    }

    /** Established hosts from the first snapshot, then {@code newcomer} joining a second later. */
    private static FarmSnapshot joined(List<HostReport> established, HostReport newcomer) {
        List<HostReport> all = new ArrayList<>(established);
        all.add(newcomer);
        return firstSnapshot(established).next(all, Map.of(), T0 + 1_000);
    }

    /** A snapshot past the stale bound in which only the {@code fresh} hosts sent a new heartbeat. */
    private static FarmSnapshot withStale(List<HostReport> fresh, List<HostReport> stale) {
        List<HostReport> all = new ArrayList<>(fresh);
        all.addAll(stale);
        List<HostReport> later = new ArrayList<>();
        for (HostReport r : fresh) {
            later.add(r.next(r.connections(), r.cpu(), 0L));
        }
        later.addAll(stale);
        long pastStaleBound = T0 + SnapshotPolicy.DEFAULT.staleAfterMillis() + 1;
        return firstSnapshot(all).next(later, Map.of(), pastStaleBound);
    }
}
