package io.farmgate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.testing.FreePort;
import io.farmgate.testing.RedisServerExtension;
import io.farmgate.localredis.RedisServerProcess;
import io.farmgate.scoring.SnapshotPolicy;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A redis-sentinel:// URI finds the master through a real Sentinel. */
class SentinelModeTest {

    @RegisterExtension
    static final RedisServerExtension master = new RedisServerExtension();

    private static RedisServerProcess sentinel;

    @BeforeAll
    static void startSentinel() {
        sentinel = RedisServerProcess.sentinel(FreePort.pick(), "farm-master", master.port());
        sentinel.start();
    }

    @AfterAll
    static void stopSentinel() {
        sentinel.stop();
    }

    @Test
    void heartbeatRoundTripsThroughTheMasterSentinelNames() {
        String uri = "redis-sentinel://127.0.0.1:" + sentinel.port() + "#farm-master";
        try (RegistryConnection connection = RegistryConnection.open(Hosts.fastConfig(uri));
             SnapshotSource source = SnapshotSource.start(connection, SnapshotPolicy.DEFAULT, Clock.systemUTC())) {
            HeartbeatPublisher publisher = new HeartbeatPublisher(connection);

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                publisher.publish(Hosts.report("web-1", 3, 1));
                assertThat(master.command("EXISTS", connection.keys().host("web-1"))).isEqualTo(1L);
                assertThat(source.current().host("web-1")).isNotNull();
            });
        }
    }
}
