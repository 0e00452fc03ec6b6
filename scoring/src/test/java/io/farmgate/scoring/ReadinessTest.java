package io.farmgate.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The one readiness rule of the gateway and DNS {@code /readyz}. */
@Timeout(10)
class ReadinessTest {

    private static final long T0 = 1_000_000L;
    private final FarmSnapshot built = FarmSnapshot.initial(SnapshotPolicy.DEFAULT)
            .next(List.of(Reports.report("h1", 0)), Map.of(), T0);

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

    @Test
    void oldDataWithoutTheFlagReachesTheHardBoundToo() {
        // A refresh task that stopped without failing: the data only ages.
        assertThat(Readiness.of(built, T0 + 60_000, 5_000, 60_000).httpStatus()).isEqualTo(503);
        assertThat(Readiness.of(built, T0 + 59_999, 5_000, 60_000).httpStatus()).isEqualTo(200);
    }

    @Test
    void aSnapshotBuiltAtTimeZeroHasData() {
        FarmSnapshot atZero = FarmSnapshot.initial(SnapshotPolicy.DEFAULT)
                .next(List.of(Reports.report("h1", 0)), Map.of(), 0L);

        assertThat(atZero.hasData()).isTrue();
        assertThat(Readiness.of(atZero, 1_000, 5_000, 60_000).status()).isEqualTo("ready");
        assertThat(FarmSnapshot.initial(SnapshotPolicy.DEFAULT).markedStale().hasData()).isFalse();
        assertThat(FarmSnapshot.initial(SnapshotPolicy.DEFAULT).ageMillis(T0)).isZero();
    }

    @Test
    void boundsAreValidated() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Readiness.of(built, T0, 5_000, 5_000))
                .hasMessageContaining("maxStaleMillis: 5000 (expected: > freshMillis, 5000)");
    }
}
