package io.farmgate.scoring.rebalance;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.scoring.OperatorState;
import io.farmgate.scoring.Reports;
import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.testing.MutableClock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ScaleDownChoiceTest {

    private final MutableClock clock = new MutableClock(Reports.T0);

    @Test
    void fewestConnectionsFirstSkippingHostsAlreadyDraining() {
        FarmSnapshot s = FarmSnapshot.initial(SnapshotPolicy.DEFAULT).next(List.of(
                Reports.report("a", 50), Reports.report("b", 10), Reports.report("c", 30),
                Reports.report("d", 5).withState(HostState.DRAINING), Reports.report("e", 1)),
                Map.of("e", OperatorState.DEFAULT.withDraining(true, 0L)), clock.millis());

        assertThat(ScaleDownChoice.hostsToDrain(s, 2)).containsExactly("b", "c");
        assertThat(ScaleDownChoice.hostsToDrain(s, 10)).containsExactly("b", "c", "a");
        assertThat(ScaleDownChoice.hostsToDrain(s, 0)).isEmpty();
    }

    @Test
    void tiesGoToTheNewestHostThenById() {
        FarmSnapshot first = FarmSnapshot.initial(SnapshotPolicy.DEFAULT)
                .next(List.of(Reports.report("old", 10), Reports.report("z", 10)), Map.of(), clock.millis());
        clock.advanceMillis(1_000);
        List<HostReport> later = List.of(Reports.report("old", 10), Reports.report("z", 10), Reports.report("new", 10),
                Reports.report("m", 10));
        FarmSnapshot s = first.next(later, Map.of(), clock.millis());

        assertThat(ScaleDownChoice.hostsToDrain(s, 4)).containsExactly("m", "new", "old", "z");
    }
}
