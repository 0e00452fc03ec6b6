package io.farmgate.bench;

import io.farmgate.gateway.Gateway;
import io.farmgate.gateway.GatewayConfig;
import io.farmgate.gateway.HostControl;
import io.farmgate.gateway.ListenAddress;
import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.scoring.SnapshotPolicy;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The gateway's public listener over a fixed three-host farm, for bench/gateway.sh to load with
 * wrk. No Redis: picks never touch it by design, so the figures are the HTTP path alone.
 * Usage: {@code GatewayUnderLoad HOST:PORT ADMIN_HOST:PORT}; runs until killed.
 */
public final class GatewayUnderLoad {

    private GatewayUnderLoad() {
    }

    public static void main(String[] args) throws InterruptedException {
        long now = System.currentTimeMillis();
        List<HostReport> reports = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            reports.add(new HostReport("h" + i, "ws://127.0.0.1" + i + ":900" + i, "127.0.0." + (10 + i), "",
                    100, 1_000_000, 0.1, HostState.ACTIVE, 1.0, now, 1));
        }
        FarmSnapshot snapshot = FarmSnapshot.initial(SnapshotPolicy.DEFAULT).next(reports, Map.of(), now);
        GatewayConfig config = GatewayConfig.builder()
                .listen(ListenAddress.parse("listen", args.length > 0 ? args[0] : "127.0.0.1:18080"))
                .adminListen(ListenAddress.parse("adminListen", args.length > 1 ? args[1] : "127.0.0.1:18081"))
                .adminToken("bench-admin-token-not-secret")
                // Picks stay on fresh data for the whole run.
                .snapshotFreshMillis(Long.MAX_VALUE / 4)
                .snapshotMaxStaleMillis(Long.MAX_VALUE / 2)
                .build();
        HostControl nothing = new HostControl() {
            @Override
            public void setDraining(String hostId, boolean draining) {
            }

            @Override
            public void setTargetConnections(String hostId, int targetConnections) {
            }
        };
        Gateway gateway = Gateway.start(config, () -> snapshot, () -> 0L, nothing, Clock.systemUTC(),
                ThreadLocalRandom.current());
        System.out.println("ready " + gateway.port());
        new CountDownLatch(1).await();
    }
}
