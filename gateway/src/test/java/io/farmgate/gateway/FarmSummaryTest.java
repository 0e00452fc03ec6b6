package io.farmgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.scoring.OperatorState;
import io.farmgate.scoring.ScoreFormula;
import io.farmgate.scoring.SlowStart;
import io.farmgate.scoring.SnapshotPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Farm totals and the desired number of hosts. */
class FarmSummaryTest {

    private static final SnapshotPolicy POLICY = new SnapshotPolicy(3_000, ScoreFormula.DEFAULT, SlowStart.OFF);

    private static FarmSnapshot farm(Map<String, OperatorState> operators, int... connections) {
        List<HostReport> reports = new ArrayList<>();
        for (int i = 0; i < connections.length; i++) {
            reports.add(new HostReport("h" + (i + 1), "ws://10.0.0.1:9001", "10.0.0.1", "", connections[i], 1000, 0.0,
                    HostState.ACTIVE, 1.0, 1_000, 1));
        }
        return FarmSnapshot.initial(POLICY).next(reports, operators, 1_000);
    }

    @Test
    void desiredHostsIsConnectionsOverTargetCapacityRoundedUp() {
        // 2000 / (1000 x 0.7) = 2.86
        assertThat(FarmSummary.of(farm(Map.of(), 500, 500, 500, 500), 0.7).desiredHosts()).isEqualTo(3);
    }

    @Test
    void exactFitIsNotRoundedUp() {
        assertThat(FarmSummary.of(farm(Map.of(), 700, 700), 0.7).desiredHosts()).isEqualTo(2);
    }

    @Test
    void overloadedFarmAsksForMoreHostsThanItHas() {
        assertThat(FarmSummary.of(farm(Map.of(), 900, 900, 900), 0.7).desiredHosts()).isEqualTo(4);
    }

    @Test
    void idleFarmStillWantsOneHost() {
        assertThat(FarmSummary.of(farm(Map.of(), 0, 0, 0), 0.7).desiredHosts()).isEqualTo(1);
    }

    @Test
    void emptyFarmWantsNone() {
        assertThat(FarmSummary.of(FarmSnapshot.initial(POLICY), 0.7).desiredHosts()).isZero();
    }

    @Test
    void drainingHostsCountTheirClientsButNotTheirCapacity() {
        FarmSummary s = FarmSummary.of(farm(Map.of("h3", OperatorState.DEFAULT.withDraining(true, 0)), 400, 400, 600),
                0.7);

        assertThat(s.activeHosts()).isEqualTo(2);
        assertThat(s.drainingHosts()).isEqualTo(1);
        assertThat(s.connections()).isEqualTo(1400);
        assertThat(s.capacity()).isEqualTo(2000);
        assertThat(s.desiredHosts()).isEqualTo(2);
    }
}
