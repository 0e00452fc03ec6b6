package io.farmgate.scoring;

import static io.farmgate.scoring.Reports.T0;
import static io.farmgate.scoring.Reports.indexOf;
import static io.farmgate.scoring.Reports.report;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FarmSnapshotTest {

    private static final long STALE_AFTER = 3_000;
    private static final long WINDOW = 10_000;
    private static final SnapshotPolicy POLICY =
            new SnapshotPolicy(STALE_AFTER, ScoreFormula.DEFAULT, new SlowStart(WINDOW, 0.1));

    private static FarmSnapshot first(HostReport... reports) {
        return Reports.firstSnapshot(POLICY, List.of(reports));
    }

    private static Eligibility verdictOf(FarmSnapshot s, String id) {
        return s.host(id).eligibility();
    }

    // ---- verdicts ----

    @Test
    void freshActiveHostBelowCapacityIsEligible() {
        FarmSnapshot s = first(report("a", 10));

        assertThat(verdictOf(s, "a")).isEqualTo(Eligibility.ELIGIBLE);
        assertThat(s.eligibleCount()).isEqualTo(1);
    }

    @Test
    void hostWhoseSequenceDoesNotMoveGoesStaleOnTheReceiverClock() {
        HostReport a = report("a", 10);

        FarmSnapshot s = first(a).next(List.of(a), Map.of(), T0 + STALE_AFTER + 1);

        assertThat(verdictOf(s, "a")).isEqualTo(Eligibility.STALE);
        assertThat(s.eligibleCount()).isZero();
    }

    @Test
    void hostIsStillFreshAtTheStaleBound() {
        HostReport a = report("a", 10);

        FarmSnapshot s = first(a).next(List.of(a), Map.of(), T0 + STALE_AFTER);

        assertThat(verdictOf(s, "a")).isEqualTo(Eligibility.ELIGIBLE);
    }

    @Test
    void senderClockInTheFutureDoesNotKeepAStuckHostFresh() {
        HostReport a = new HostReport("a", "ws://a:1", "10.0.0.1", "", 10, 1000, 0, HostState.ACTIVE, 1,
                Long.MAX_VALUE / 2, 1);

        FarmSnapshot s = first(a).next(List.of(a), Map.of(), T0 + STALE_AFTER + 1);

        assertThat(verdictOf(s, "a")).isEqualTo(Eligibility.STALE);
    }

    @Test
    void movingSequenceKeepsAHostFreshWhateverItsSenderClockSays() {
        HostReport a = report("a", 10);

        FarmSnapshot s = first(a).next(List.of(a.next(10, 0, 0L)), Map.of(), T0 + 10 * STALE_AFTER);

        assertThat(verdictOf(s, "a")).isEqualTo(Eligibility.ELIGIBLE);
    }

    @Test
    void hostThatSaysItIsDrainingIsDraining() {
        FarmSnapshot s = first(report("a", 10).withState(HostState.DRAINING));

        assertThat(verdictOf(s, "a")).isEqualTo(Eligibility.DRAINING);
    }

    @Test
    void hostDrainedByAnOperatorIsDraining() {
        FarmSnapshot s = FarmSnapshot.initial(POLICY).next(List.of(report("a", 10)),
                Map.of("a", OperatorState.DEFAULT.withDraining(true, 0L)), T0);

        assertThat(verdictOf(s, "a")).isEqualTo(Eligibility.DRAINING);
    }

    @Test
    void hostAtCapacityIsFull() {
        FarmSnapshot s = first(report("a", 100, 100, 0.0));

        assertThat(verdictOf(s, "a")).isEqualTo(Eligibility.FULL);
    }

    @Test
    void hostAtItsOperatorTargetIsOverTarget() {
        FarmSnapshot s = FarmSnapshot.initial(POLICY).next(List.of(report("a", 40)),
                Map.of("a", OperatorState.DEFAULT.withTarget(40, 0L)), T0);

        assertThat(verdictOf(s, "a")).isEqualTo(Eligibility.OVER_TARGET);
    }

    @Test
    void hostBelowItsOperatorTargetIsEligible() {
        FarmSnapshot s = FarmSnapshot.initial(POLICY).next(List.of(report("a", 39)),
                Map.of("a", OperatorState.DEFAULT.withTarget(40, 0L)), T0);

        assertThat(verdictOf(s, "a")).isEqualTo(Eligibility.ELIGIBLE);
    }

    // ---- hosts and scores ----

    @Test
    void hostsAreOrderedByIdAndOnlyEligibleOnesArePickable() {
        FarmSnapshot s = first(report("c", 1), report("a", 1), report("b", 1).withState(HostState.DRAINING));

        assertThat(s.hosts()).extracting(HostView::id).containsExactly("a", "b", "c");
        assertThat(s.eligibleCount()).isEqualTo(2);
        assertThat(List.of(s.eligible(0).id(), s.eligible(1).id())).containsExactly("a", "c");
    }

    @Test
    void hostWithoutAReportLeavesTheNextSnapshot() {
        FarmSnapshot s = first(report("a", 1), report("b", 1)).next(List.of(report("a", 1)), Map.of(), T0 + 1);

        assertThat(s.host("b")).isNull();
        assertThat(s.hosts()).extracting(HostView::id).containsExactly("a");
    }

    @Test
    void operatorWeightDividesTheScore() {
        FarmSnapshot plain = first(report("a", 500));
        FarmSnapshot weighted = FarmSnapshot.initial(POLICY).next(List.of(report("a", 500)),
                Map.of("a", OperatorState.DEFAULT.withWeight(2.0, 0L)), T0);

        assertThat(weighted.baseScore(0)).isCloseTo(plain.baseScore(0) / 2, within(1e-12));
    }

    @Test
    void meanBaseScoreAveragesEligibleHosts() {
        FarmSnapshot s = first(report("a", 200), report("b", 600));

        assertThat(s.meanBaseScore()).isCloseTo(0.7 * 0.4, within(1e-12));
    }

    // ---- slow start ----

    @Test
    void hostsInTheFirstSnapshotSkipSlowStart() {
        FarmSnapshot s = first(report("a", 0), report("b", 0));

        assertThat(s.host("a").slowStartFactor()).isEqualTo(1.0);
        assertThat(s.admitProbability(indexOf(s, "b"))).isEqualTo(1.0);
    }

    @Test
    void laterJoinerStartsAtTheFloor() {
        FarmSnapshot s = first(report("a", 0)).next(List.of(report("a", 0), report("b", 0)), Map.of(), T0 + 1_000);

        assertThat(s.host("b").slowStartFactor()).isEqualTo(0.1);
        assertThat(s.admitProbability(indexOf(s, "b"))).isEqualTo(0.1);
        assertThat(s.host("a").slowStartFactor()).isEqualTo(1.0);
    }

    @Test
    void laterJoinerRampsLinearlyToFull() {
        HostReport b = report("b", 0);
        FarmSnapshot joined = first(report("a", 0)).next(List.of(report("a", 0), b), Map.of(), T0 + 1_000);

        FarmSnapshot half = joined.next(List.of(report("a", 0).next(0, 0, 0), b.next(0, 0, 0)), Map.of(),
                T0 + 1_000 + WINDOW / 2);
        FarmSnapshot done = half.next(List.of(report("a", 0).next(0, 0, 0).next(0, 0, 0),
                b.next(0, 0, 0).next(0, 0, 0)), Map.of(), T0 + 1_000 + WINDOW);

        assertThat(half.host("b").slowStartFactor()).isCloseTo(0.55, within(1e-12));
        assertThat(done.host("b").slowStartFactor()).isEqualTo(1.0);
    }

    @Test
    void undrainedHostRampsAgain() {
        HostReport a = report("a", 0);
        HostReport b = report("b", 0);
        FarmSnapshot drained = first(a, b).next(List.of(a, b),
                Map.of("b", OperatorState.DEFAULT.withDraining(true, 0L)), T0 + 1_000);

        FarmSnapshot undrained = drained.next(List.of(a.next(0, 0, 0), b.next(0, 0, 0)), Map.of(), T0 + 2_000);

        assertThat(drained.host("b").eligibility()).isEqualTo(Eligibility.DRAINING);
        assertThat(undrained.host("b").slowStartFactor()).isEqualTo(0.1);
    }

    @Test
    void hostBackFromStaleRampsAgain() {
        HostReport a = report("a", 0);
        FarmSnapshot stale = first(a).next(List.of(a), Map.of(), T0 + STALE_AFTER + 1);

        FarmSnapshot back = stale.next(List.of(a.next(0, 0, 0)), Map.of(), T0 + STALE_AFTER + 2);

        assertThat(back.host("a").eligibility()).isEqualTo(Eligibility.ELIGIBLE);
        assertThat(back.host("a").slowStartFactor()).isEqualTo(0.1);
    }

    @Test
    void hostThatWasFullDoesNotRampWhenItDropsBelowCapacity() {
        HostReport full = report("a", 100, 100, 0.0);
        FarmSnapshot s1 = first(full);

        FarmSnapshot s2 = s1.next(List.of(full.next(99, 0, 0)), Map.of(), T0 + 1_000);

        assertThat(s1.host("a").eligibility()).isEqualTo(Eligibility.FULL);
        assertThat(s2.host("a").slowStartFactor()).isEqualTo(1.0);
    }

    // ---- the assignment ledger ----

    @Test
    void effectiveScoreAddsPendingAssignmentsAtThePerConnectionRate() {
        FarmSnapshot s = first(report("a", 100));

        s.recordAssignment(0, 10);

        assertThat(s.pendingAssignments(0)).isEqualTo(10);
        assertThat(s.effectiveScore(0)).isCloseTo(ScoreFormula.DEFAULT.score(110, 1000, 0.0, 1.0), within(1e-12));
    }

    @Test
    void ledgerCarriesOverWhenTheSequenceDoesNotMove() {
        HostReport a = report("a", 100);
        FarmSnapshot s1 = first(a);
        s1.recordAssignment(0, 7);

        FarmSnapshot s2 = s1.next(List.of(a), Map.of(), T0 + 1_000);

        assertThat(s2.pendingAssignments(0)).isEqualTo(7);
    }

    @Test
    void ledgerResetsWhenTheSequenceMoves() {
        HostReport a = report("a", 100);
        FarmSnapshot s1 = first(a);
        s1.recordAssignment(0, 7);

        FarmSnapshot s2 = s1.next(List.of(a.next(107, 0, 0)), Map.of(), T0 + 1_000);

        assertThat(s2.pendingAssignments(0)).isZero();
    }

    @Test
    void ledgerFollowsTheHostWhenItsIndexShifts() {
        HostReport b = report("b", 100);
        FarmSnapshot s1 = first(b);
        s1.recordAssignment(0, 7);

        FarmSnapshot s2 = s1.next(List.of(report("a", 0), b), Map.of(), T0 + 1_000);

        assertThat(s2.pendingAssignments(indexOf(s2, "b"))).isEqualTo(7);
        assertThat(s2.pendingAssignments(indexOf(s2, "a"))).isZero();
    }

    @Test
    void markedStaleKeepsHostsAndFlagsStale() {
        FarmSnapshot s = first(report("a", 1), report("b", 1));

        FarmSnapshot marked = s.markedStale();

        assertThat(s.stale()).isFalse();
        assertThat(marked.stale()).isTrue();
        assertThat(marked.hosts()).isEqualTo(s.hosts());
        assertThat(marked.eligibleCount()).isEqualTo(2);
        assertThat(marked.builtAtMillis()).isEqualTo(s.builtAtMillis());
    }

    @Test
    void markedStaleSharesTheLedger() {
        FarmSnapshot s = first(report("a", 1));
        FarmSnapshot marked = s.markedStale();

        marked.recordAssignment(0, 3);

        assertThat(s.pendingAssignments(0)).isEqualTo(3);
    }

    @Test
    void nextSnapshotAfterAStaleOneIsFreshAgain() {
        HostReport a = report("a", 1);
        FarmSnapshot marked = first(a).markedStale();

        assertThat(marked.next(List.of(a.next(1, 0, 0)), Map.of(), T0 + 1).stale()).isFalse();
    }
}
