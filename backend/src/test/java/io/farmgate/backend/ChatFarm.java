package io.farmgate.backend;

import io.farmgate.agent.AgentConfig;
import io.farmgate.agent.FarmAgent;
import io.farmgate.registry.FarmKeys;
import io.farmgate.registry.HeartbeatCodec;
import io.farmgate.scoring.HostReport;
import io.farmgate.testing.FreePort;
import io.farmgate.testing.RedisServerExtension;
import java.time.Duration;

/** Test helpers shared by the backend tests: configs with short timings, and the stored heartbeats. */
final class ChatFarm {

    static final String FARM = "chat-test";

    private ChatFarm() {
    }

    /** An agent config for a backend on a free port, with test-short heartbeat, expiry and drain. */
    static AgentConfig agentConfig(RedisServerExtension redis, String hostId, int port, long drainMillis) {
        return FarmAgent.builder()
                .redis(redis.uri()).farm(FARM).hostId(hostId)
                .url("ws://127.0.0.1:" + port).address("127.0.0.1").capacity(1000)
                .heartbeatInterval(Duration.ofMillis(200)).heartbeatTtl(Duration.ofMillis(1000))
                .shedTick(Duration.ofMillis(20)).drainPeriod(Duration.ofMillis(drainMillis))
                .shedRate(0.2, 1)
                .buildConfig();
    }

    static BackendConfig backendConfig(RedisServerExtension redis, String hostId, String secret) {
        int port = FreePort.pick();
        return new BackendConfig("127.0.0.1", port, secret, 5, agentConfig(redis, hostId, port, 1000));
    }

    /** The host's stored heartbeat, or null when there is none. */
    static HostReport heartbeat(RedisServerExtension redis, String hostId) {
        Object json = redis.command("GET", new FarmKeys(FARM).host(hostId));
        return json == null ? null : HeartbeatCodec.decode(hostId, (String) json).value();
    }

    static boolean member(RedisServerExtension redis, String hostId) {
        return redis.command("ZSCORE", new FarmKeys(FARM).hosts(), hostId) != null;
    }

    static Duration millis(long ms) {
        return Duration.ofMillis(ms);
    }
}
