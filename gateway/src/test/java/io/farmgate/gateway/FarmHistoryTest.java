package io.farmgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.farmgate.gateway.FarmHistory.HostSample;
import io.farmgate.gateway.FarmHistory.Sample;
import io.farmgate.gateway.FarmHistory.Totals;
import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.scoring.OperatorState;
import io.farmgate.scoring.ScoreFormula;
import io.farmgate.scoring.SlowStart;
import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.testing.MutableClock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The dashboard's ring of per-second samples, on a hand-moved clock. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FarmHistoryTest {

    private static final SnapshotPolicy POLICY = new SnapshotPolicy(3_000, ScoreFormula.DEFAULT, SlowStart.OFF);

    private final MutableClock clock = MutableClock.atEpochOf2025();

    /** A snapshot of hosts h1..hN with these connections (CPU = connections / 1000). */
    private FarmSnapshot farm(Map<String, OperatorState> operators, int... connections) {
        List<HostReport> reports = new ArrayList<>();
        for (int i = 0; i < connections.length; i++) {
            reports.add(new HostReport(String.format("h%02d", i + 1), "ws://10.0.0.1:9001", "10.0.0.1", "",
                    connections[i], 1000, connections[i] / 1000.0, HostState.ACTIVE, 1.0, clock.millis(), 1));
        }
        return FarmSnapshot.initial(POLICY).next(reports, operators, clock.millis());
    }

    private FarmSnapshot farm(int... connections) {
        return farm(Map.of(), connections);
    }

    @Test
    void ratesArePerSecondSinceThePreviousSampleAndNoneForTheFirst() {
        FarmHistory history = new FarmHistory(10, clock);
        history.sample(farm(10), new Totals(100, 5, 7));
        clock.advanceMillis(2_000);
        history.sample(farm(10), new Totals(140, 9, 8));

        List<Sample> samples = history.since(0);
        assertThat(samples).hasSize(2);
        assertThat(samples.get(0).assignmentsPerSecond()).isNaN();
        assertThat(samples.get(0).reconnectsPerSecond()).isNaN();
        assertThat(samples.get(1).assignmentsPerSecond()).isEqualTo(20.0);
        assertThat(samples.get(1).unavailablePerSecond()).isEqualTo(2.0);
        assertThat(samples.get(1).reconnectsPerSecond()).isEqualTo(0.5);
    }

    @Test
    void aClockThatStepsBackGivesNoRateRatherThanANegativeOne() {
        FarmHistory history = new FarmHistory(10, clock);
        history.sample(farm(10), new Totals(100, 0, 0));
        clock.advanceMillis(-500);
        history.sample(farm(10), new Totals(150, 0, 0));

        assertThat(history.since(Long.MIN_VALUE).get(1).assignmentsPerSecond()).isNaN();
    }

    @Test
    void eachSampleHoldsEveryHostsConnectionsTargetAndCpu() {
        FarmHistory history = new FarmHistory(10, clock);
        history.sample(farm(Map.of("h02", OperatorState.DEFAULT.withTarget(150, clock.millis())), 100, 200),
                new Totals(0, 0, 0));

        assertThat(history.since(0).get(0).hosts()).containsExactly(
                new HostSample("h01", 100, -1, 0.1), new HostSample("h02", 200, 150, 0.2));
        assertThat(history.since(0).get(0).atMillis()).isEqualTo(clock.millis());
    }

    @Test
    void theRingKeepsTheNewestSamplesOldestFirst() {
        FarmHistory history = new FarmHistory(3, clock);
        for (int i = 1; i <= 5; i++) {
            history.sample(farm(i), new Totals(i, 0, 0));
            clock.advanceMillis(1_000);
        }

        assertThat(history.since(0)).extracting(s -> s.hosts().get(0).connections()).containsExactly(3, 4, 5);
    }

    @Test
    void sinceLeavesOutOlderSamples() {
        FarmHistory history = new FarmHistory(10, clock);
        long start = clock.millis();
        for (int i = 1; i <= 4; i++) {
            history.sample(farm(i), new Totals(0, 0, 0));
            clock.advanceMillis(1_000);
        }

        assertThat(history.since(start + 2_000)).extracting(Sample::atMillis)
                .containsExactly(start + 2_000, start + 3_000);
    }

    @Test
    void aLargeFarmKeepsHostsWithTargetsThenTheBusiestAndCountsTheRest() {
        int n = FarmHistory.MAX_HOSTS + 10;
        int[] connections = new int[n];
        for (int i = 0; i < n; i++) {
            connections[i] = 10 + i; // h01 is the least loaded
        }
        Map<String, OperatorState> operators = new HashMap<>();
        operators.put("h01", OperatorState.DEFAULT.withTarget(5, clock.millis()));
        FarmHistory history = new FarmHistory(10, clock);
        history.sample(farm(operators, connections), new Totals(0, 0, 0));

        Sample s = history.since(0).get(0);
        assertThat(s.hosts()).hasSize(FarmHistory.MAX_HOSTS);
        assertThat(s.hostsLeftOut()).isEqualTo(10);
        assertThat(s.hosts().get(0).id()).as("the host with a target comes first").isEqualTo("h01");
        assertThat(s.hosts().get(1).connections()).as("then the busiest").isEqualTo(10 + n - 1);
        assertThat(s.hosts()).extracting(HostSample::id).doesNotContain("h02", "h11");
    }

    @Test
    void anEmptySnapshotIsASampleWithNoHosts() {
        FarmHistory history = new FarmHistory(10, clock);
        history.sample(FarmSnapshot.initial(POLICY), new Totals(0, 0, 0));

        assertThat(history.since(0)).singleElement().satisfies(s -> assertThat(s.hosts()).isEmpty());
    }

    @Test
    void capacityMustBePositive() {
        assertThatThrownBy(() -> new FarmHistory(0, clock)).hasMessage("capacity: 0 (expected: >= 1)");
    }
}
