package io.farmgate.gateway;

import static io.farmgate.gateway.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.scoring.pick.ZonePolicy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code --zone}: the gateway's assignments stay in its zone while the zone is healthy, and spill when it is busy. */
@Timeout(30)
class ZoneAssignTest {

    private RunningGateway gw;

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    private static HostReport host(String id, String zone, int connections) {
        return new HostReport(id, "ws://10.0.0." + (id.hashCode() & 0x7f) + ":9001", "127.0.0.1", zone, connections,
                1000, 0.0, HostState.ACTIVE, 1.0, System.currentTimeMillis(), 1);
    }

    private Map<String, Integer> assignments(int aLoad, int bLoad, int count) throws Exception {
        FarmSnapshot farm = FarmSnapshot.initial(SnapshotPolicy.DEFAULT).next(List.of(host("a0", "zone-a", aLoad),
                host("a1", "zone-a", aLoad), host("b0", "zone-b", bLoad), host("b1", "zone-b", bLoad)), Map.of(),
                System.currentTimeMillis());
        gw = RunningGateway.start(() -> farm, new TestFarm(), b -> b.zonePolicy(ZonePolicy.of("zone-a")));
        Map<String, Integer> byHost = new HashMap<>();
        for (int i = 0; i < count; i++) {
            byHost.merge(json(gw.get("/v1/assign")).get("hostId").asText(), 1, Integer::sum);
        }
        return byHost;
    }

    @Test
    void aHealthyZoneGetsEveryClientThoughTheOtherIsLighter() throws Exception {
        assertThat(assignments(300, 280, 40)).containsOnlyKeys("a0", "a1");
    }

    @Test
    void aZoneFarBusierThanTheFarmSpills() throws Exception {
        assertThat(assignments(600, 100, 40)).containsKeys("b0", "b1");
    }
}
