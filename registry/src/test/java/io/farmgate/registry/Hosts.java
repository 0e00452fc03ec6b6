package io.farmgate.registry;

import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;

/** Reports for tests. */
final class Hosts {

    private Hosts() {
    }

    static HostReport report(String hostId, int connections, long sequence) {
        return new HostReport(hostId, "ws://127.0.0.1:9001", "127.0.0.11", "zone-a", connections, 100, 0.25,
                HostState.ACTIVE, 1.0, 1_735_689_600_000L + sequence, sequence);
    }

    /** A config for the fixture's server with short times, so expiry tests stay fast. */
    static RegistryConfig fastConfig(String redisUri) {
        return RegistryConfig.defaults(redisUri, "test-farm")
                .withHeartbeat(100, 300)
                .withRefreshIntervalMillis(50)
                .withCommandTimeoutMillis(500);
    }
}
