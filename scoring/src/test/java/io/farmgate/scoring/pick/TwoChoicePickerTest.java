package io.farmgate.scoring.pick;

import static io.farmgate.scoring.Reports.T0;
import static io.farmgate.scoring.Reports.equalHosts;
import static io.farmgate.scoring.Reports.firstSnapshot;
import static io.farmgate.scoring.Reports.indexOf;
import static io.farmgate.scoring.Reports.report;
import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.ScoreFormula;
import io.farmgate.scoring.SlowStart;
import io.farmgate.scoring.SnapshotPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TwoChoicePickerTest {

    private static final int PICKS = 10_000;

    /** Hosts h0..h(n-1) whose scores rise with their index. */
    private static FarmSnapshot risingScores(int n) {
        List<HostReport> reports = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            reports.add(report("h" + i, 50 + 100 * i));
        }
        return firstSnapshot(reports);
    }

    @Test
    void lowerScoresGetMorePicks() {
        FarmSnapshot s = risingScores(5);

        PickCounts c = PickCounts.of(new TwoChoicePicker(new SplittableRandom(4)), s, PICKS);

        for (int i = 1; i < 5; i++) {
            assertThat(c.count(i)).as("host %d of %s", i, c).isLessThan(c.count(i - 1));
        }
        assertThat(c.share(0)).as("%s", c).isGreaterThan(1.0 / 5);
    }

    @Test
    void singleWorstHostIsNeverPicked() {
        // Two distinct candidates: whichever one the worst host is paired with is lower.
        for (int n = 2; n <= 10; n++) {
            FarmSnapshot s = risingScores(n);

            PickCounts c = PickCounts.of(new TwoChoicePicker(new SplittableRandom(n)), s, PICKS);

            assertThat(c.count(n - 1)).as("worst of %d hosts: %s", n, c).isZero();
        }
    }

    @Test
    void ofTwoHostsTheLowerScoreAlwaysWins() {
        FarmSnapshot s = firstSnapshot(List.of(report("a", 300), report("b", 200)));

        PickCounts c = PickCounts.of(new TwoChoicePicker(new SplittableRandom(5)), s, PICKS);

        assertThat(c.count(1)).isEqualTo(PICKS);
    }

    @Test
    void equalScoresWithoutRecordingSpreadUniformly() {
        FarmSnapshot s = firstSnapshot(equalHosts(10, 100));

        PickCounts c = PickCounts.of(new TwoChoicePicker(new SplittableRandom(6)), s, PICKS);

        assertThat(c.chiSquareAgainstUniform()).as("%s", c).isLessThan(PickCounts.CHI_SQUARE_9_DF_P999);
    }

    @Test
    void recordedAssignmentsKeepEqualHostsFromHerding() {
        FarmSnapshot s = firstSnapshot(equalHosts(10, 100));

        PickCounts c = PickCounts.recorded(new TwoChoicePicker(new SplittableRandom(7)), s, PICKS);

        // Without recording the busiest of ten equal hosts gets 0.102-0.109 of 10,000 picks (seeds
        // 0-19); accounting keeps every host within a few picks of the others.
        assertThat(c.maxShare()).as("%s", c).isLessThanOrEqualTo(0.101);
    }

    @Test
    void recordedAssignmentsFillAnIdleHostOnlyUpToTheOthers() {
        // One idle host among busy ones: it takes clients until its effective score catches up,
        // then shares evenly. 9 hosts x 100 + 0 = 900 existing; +10,000 new -> 1,090 each.
        List<HostReport> reports = new ArrayList<>(equalHosts(9, 100));
        reports.add(report("idle", 0));
        FarmSnapshot s = firstSnapshot(reports);
        int idle = indexOf(s, "idle");

        PickCounts c = PickCounts.recorded(new TwoChoicePicker(new SplittableRandom(8)), s, PICKS);

        assertThat(c.count(idle)).as("%s", c).isBetween(1_090L - 20, 1_090L + 20);
    }

    @Test
    void slowStartHostGetsRoughlyItsFactorLimitedShare() {
        double factor = 0.4;
        double throttled = newcomerShare(new SlowStart(60_000, factor));
        double unthrottled = newcomerShare(SlowStart.OFF);

        // Unthrottled, the idle newcomer wins whenever it is a candidate (~2/N of picks).
        assertThat(unthrottled).isBetween(0.37, 0.43);
        assertThat(throttled / unthrottled).isBetween(0.5 * factor, 1.5 * factor);
    }

    /** Share of picks of an idle host that joined after four busy ones, with this slow start. */
    private static double newcomerShare(SlowStart slowStart) {
        SnapshotPolicy policy = new SnapshotPolicy(3_000, ScoreFormula.DEFAULT, slowStart);
        List<HostReport> established = equalHosts(4, 500);
        List<HostReport> all = new ArrayList<>(established);
        all.add(report("new", 0));
        FarmSnapshot s = FarmSnapshot.initial(policy).next(established, Map.of(), T0)
                .next(all, Map.of(), T0 + 1_000);
        int newcomer = indexOf(s, "new");
        assertThat(s.admitProbability(newcomer)).isEqualTo(slowStart == SlowStart.OFF ? 1.0 : 0.4);

        return PickCounts.of(new TwoChoicePicker(new SplittableRandom(9)), s, PICKS).share(newcomer);
    }

    @Test
    void singleEligibleHostIsAlwaysPicked() {
        FarmSnapshot s = firstSnapshot(List.of(report("a", 999)));

        assertThat(new TwoChoicePicker(new SplittableRandom(10)).pick(s)).isZero();
    }
}
