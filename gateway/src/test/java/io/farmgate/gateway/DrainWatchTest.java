package io.farmgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.scoring.OperatorState;
import io.farmgate.scoring.ScoreFormula;
import io.farmgate.scoring.SlowStart;
import io.farmgate.scoring.SnapshotPolicy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Scale-down progress from sampled snapshots, on a made-up clock. */
class DrainWatchTest {

    private static final SnapshotPolicy POLICY = new SnapshotPolicy(3_000, ScoreFormula.DEFAULT, SlowStart.OFF);
    private static final Map<String, OperatorState> H2_DRAINING = Map.of("h2", OperatorState.DEFAULT.withDraining(true, 0));

    private FarmSnapshot snapshot = FarmSnapshot.initial(POLICY);
    private long seq;

    private FarmSnapshot beat(long now, int h2Connections, Map<String, OperatorState> operators) {
        seq++;
        snapshot = snapshot.next(List.of(report("h1", 100, now), report("h2", h2Connections, now)), operators, now);
        return snapshot;
    }

    private HostReport report(String id, int connections, long now) {
        return new HostReport(id, "ws://10.0.0.1:9001", "10.0.0.1", "", connections, 1000, 0.0, HostState.ACTIVE,
                1.0, now, seq);
    }

    @Test
    void onlyDrainingHostsAreReported() {
        DrainWatch watch = new DrainWatch();

        watch.observe(beat(1_000, 80, H2_DRAINING), 1_000);

        assertThat(watch.latest()).extracting(DrainWatch.Progress::id).containsExactly("h2");
    }

    @Test
    void firstSampleHasNoRateAndNoEta() {
        DrainWatch watch = new DrainWatch();

        watch.observe(beat(1_000, 80, H2_DRAINING), 1_000);

        DrainWatch.Progress p = watch.latest().get(0);
        assertThat(p.ratePerSecond()).isNull();
        assertThat(p.etaSeconds()).isNull();
        assertThat(p.safeToRemove()).isFalse();
    }

    @Test
    void etaFollowsTheObservedDrainRate() {
        DrainWatch watch = new DrainWatch();
        watch.observe(beat(1_000, 80, H2_DRAINING), 1_000);

        watch.observe(beat(5_000, 60, H2_DRAINING), 5_000);

        // 20 connections in 4 s = 5/s; 60 left -> 12 s.
        DrainWatch.Progress p = watch.latest().get(0);
        assertThat(p.ratePerSecond()).isEqualTo(5.0);
        assertThat(p.etaSeconds()).isEqualTo(12L);
    }

    @Test
    void hostThatIsNotShrinkingHasNoEta() {
        DrainWatch watch = new DrainWatch();
        watch.observe(beat(1_000, 80, H2_DRAINING), 1_000);

        watch.observe(beat(5_000, 80, H2_DRAINING), 5_000);

        assertThat(watch.latest().get(0).ratePerSecond()).isZero();
        assertThat(watch.latest().get(0).etaSeconds()).isNull();
    }

    @Test
    void emptyDrainingHostIsSafeToRemove() {
        DrainWatch watch = new DrainWatch();
        watch.observe(beat(1_000, 80, H2_DRAINING), 1_000);

        watch.observe(beat(2_000, 0, H2_DRAINING), 2_000);

        DrainWatch.Progress p = watch.latest().get(0);
        assertThat(p.safeToRemove()).isTrue();
        assertThat(p.etaSeconds()).isZero();
    }

    @Test
    void undrainedHostIsForgotten() {
        DrainWatch watch = new DrainWatch();
        watch.observe(beat(1_000, 80, H2_DRAINING), 1_000);

        watch.observe(beat(2_000, 80, Map.of()), 2_000);

        assertThat(watch.latest()).isEmpty();
    }

    @Test
    void rateIsMeasuredOverTheRecentWindowOnly() {
        DrainWatch watch = new DrainWatch();
        // Fast at first (1000 -> 400 in 10 s), then 1/s for two minutes.
        watch.observe(beat(0, 1_000, H2_DRAINING), 0);
        watch.observe(beat(10_000, 400, H2_DRAINING), 10_000);
        int left = 400;
        for (long t = 20_000; t <= 130_000; t += 10_000) {
            left -= 10;
            watch.observe(beat(t, left, H2_DRAINING), t);
        }

        assertThat(watch.latest().get(0).ratePerSecond()).isEqualTo(1.0);
    }
}
