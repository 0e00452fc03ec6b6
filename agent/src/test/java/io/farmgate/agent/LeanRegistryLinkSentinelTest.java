package io.farmgate.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.localredis.RedisServerProcess;
import io.farmgate.registry.FarmKeys;
import io.farmgate.registry.RegistryConfig;
import io.farmgate.registry.RegistryException;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.testing.FreePort;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lean link behind a real Sentinel: it writes to the master the Sentinel names, and after the
 * master is killed and the Sentinel promotes the replica, its heartbeats land on the new master.
 */
@Timeout(90)
class LeanRegistryLinkSentinelTest {

    private static final String MASTER = "farm-master";
    private static final FarmKeys KEYS = new FarmKeys("sentinel");
    private RedisServerProcess primary;
    private RedisServerProcess replica;
    private RedisServerProcess sentinel;
    private LeanRegistryLink link;

    @BeforeEach
    void start() {
        primary = new RedisServerProcess(FreePort.pick(), List.of());
        primary.start();
        replica = new RedisServerProcess(FreePort.pick(),
                List.of("--replicaof", primary.host(), Integer.toString(primary.port())));
        replica.start();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                String.valueOf(replica.command("INFO", "replication")).contains("master_link_status:up"));
        sentinel = RedisServerProcess.sentinel(FreePort.pick(), MASTER, primary.port(), 1, 1_000, 3_000);
        sentinel.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> String.valueOf(sentinel.command("SENTINEL", "MASTER", MASTER))
                .contains("num-slaves, 1"));
        link = LeanRegistryLink.of(RegistryConfig.defaults("redis-sentinel://127.0.0.1:" + sentinel.port() + "#" + MASTER,
                "sentinel").withHeartbeat(200, 1_000));
    }

    @AfterEach
    void stop() {
        if (link != null) {
            link.close();
        }
        for (RedisServerProcess p : new RedisServerProcess[] {sentinel, replica, primary}) {
            if (p != null) {
                p.stop();
            }
        }
    }

    private static HostReport report(long sequence) {
        return new HostReport("web-1", "ws://10.0.0.5:9001", "10.0.0.5", "", 1, 10, 0.0, HostState.ACTIVE, 1.0,
                sequence, sequence);
    }

    @Test
    void heartbeatsFollowTheMasterThroughAFailover() {
        link.publish(report(1));
        assertThat(primary.command("EXISTS", KEYS.host("web-1"))).isEqualTo(1L);

        primary.kill();
        await().atMost(Duration.ofSeconds(40)).until(() -> sentinel.command("SENTINEL", "get-master-addr-by-name", MASTER)
                .equals(List.of(replica.host(), Integer.toString(replica.port()))));

        long[] sequence = {1};
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .ignoreExceptionsInstanceOf(RegistryException.class).untilAsserted(() -> {
                    link.publish(report(++sequence[0]));
                    assertThat(String.valueOf(replica.command("GET", KEYS.host("web-1"))))
                            .contains("\"sequence\":" + sequence[0]);
                });
    }
}
