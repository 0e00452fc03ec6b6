package io.farmgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.SnapshotPolicy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReadinessTest {

    private static final long T0 = 1_000_000L;
    private final FarmSnapshot built = FarmSnapshot.initial(SnapshotPolicy.DEFAULT)
            .next(List.of(TestFarm.report("h1", "ws://10.0.0.1:1", 0, 10)), Map.of(), T0);

    @Test
    void beforeAnyDataItIsStartingAnd503() {
        Readiness r = Readiness.of(FarmSnapshot.initial(SnapshotPolicy.DEFAULT), T0, 5_000, 60_000);

        assertThat(r.status()).isEqualTo("starting");
        assertThat(r.httpStatus()).isEqualTo(503);
    }

    @Test
    void freshSnapshotIsReady() {
        Readiness r = Readiness.of(built, T0 + 1_000, 5_000, 60_000);

        assertThat(r.status()).isEqualTo("ready");
        assertThat(r.httpStatus()).isEqualTo(200);
        assertThat(r.eligibleHosts()).isEqualTo(1);
    }

    @Test
    void failedRefreshIsStaleButStill200() {
        Readiness r = Readiness.of(built.markedStale(), T0 + 1_000, 5_000, 60_000);

        assertThat(r.status()).isEqualTo("stale");
        assertThat(r.httpStatus()).isEqualTo(200);
    }

    @Test
    void oldSnapshotIsStaleEvenWithoutTheFlag() {
        assertThat(Readiness.of(built, T0 + 5_001, 5_000, 60_000).status()).isEqualTo("stale");
    }

    @Test
    void staleBeyondTheHardBoundIs503() {
        Readiness r = Readiness.of(built.markedStale(), T0 + 60_000, 5_000, 60_000);

        assertThat(r.status()).isEqualTo("stale");
        assertThat(r.httpStatus()).isEqualTo(503);
        assertThat(r.ageMillis()).isEqualTo(60_000);
    }
}
