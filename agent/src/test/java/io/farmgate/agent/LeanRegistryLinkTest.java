package io.farmgate.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.farmgate.registry.EventLog;
import io.farmgate.registry.FarmEvent;
import io.farmgate.registry.FarmKeys;
import io.farmgate.registry.HeartbeatCodec;
import io.farmgate.registry.RegistryConfig;
import io.farmgate.registry.RegistryConnection;
import io.farmgate.registry.RegistryException;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.scoring.OperatorState;
import io.farmgate.testing.RedisServerExtension;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lean registry link against a real redis-server: it writes what the Lettuce link writes
 * (read back through the registry module), reads operator state, hears nudges, and rides out a
 * Redis restart.
 */
@Timeout(60)
class LeanRegistryLinkTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static final String FARM = "lean";
    private static final Duration WAIT = Duration.ofSeconds(15);
    private final FarmKeys keys = new FarmKeys(FARM);
    private FarmRegistry farm;
    private LeanRegistryLink link;

    @BeforeEach
    void setUp() {
        farm = new FarmRegistry(redis, FARM);
        link = LeanRegistryLink.of(RegistryConfig.defaults(redis.uri(), FARM).withHeartbeat(200, 1_000));
    }

    @AfterEach
    void tearDown() {
        link.close();
        farm.close();
    }

    private static HostReport report(String hostId, long sequence) {
        return new HostReport(hostId, "ws://10.0.0.5:9001", "10.0.0.5", "zone-\"a\"", 7, 100, 0.25, HostState.ACTIVE,
                1.0, 1_700_000_000_000L + sequence, sequence);
    }

    @Test
    void heartbeatIsStoredAsTheRegistryWritesIt() {
        assertThat(link.publish(report("web-1", 1)).joined()).as("joined").isTrue();
        assertThat(link.publish(report("web-1", 2)).joined()).as("joined again").isFalse();

        assertThat(redis.command("GET", keys.host("web-1"))).isEqualTo(HeartbeatCodec.encode(report("web-1", 2)));
        assertThat(farm.heartbeat("web-1")).isEqualTo(report("web-1", 2));
        assertThat(redis.command("ZSCORE", keys.hosts(), "web-1")).isEqualTo(Long.toString(1_700_000_000_002L));
        assertThat(redis.command("GET", keys.schema())).isEqualTo(FarmKeys.SCHEMA_VERSION);
        long ttl = (Long) redis.command("PTTL", keys.host("web-1"));
        assertThat(ttl).isBetween(1L, 1_000L);

        link.remove("web-1");
        assertThat(redis.command("EXISTS", keys.host("web-1"))).isEqualTo(0L);
        assertThat(farm.member("web-1")).isFalse();
    }

    @Test
    void operatorStateIsReadAsStoredAndDefaultsWithoutOne() {
        assertThat(link.operatorState("web-1")).isEqualTo(OperatorState.DEFAULT);

        assertThat(link.publish(report("web-1", 1)).operatorState()).isEqualTo(OperatorState.DEFAULT);
        farm.operators.setTarget("web-1", 40);
        assertThat(link.operatorState("web-1").targetConnections()).isEqualTo(40);
        assertThat(link.publish(report("web-1", 2)).operatorState().targetConnections())
                .as("read with the heartbeat").isEqualTo(40);
        farm.operators.drain("web-1");
        assertThat(link.operatorState("web-1").draining()).isTrue();

        redis.command("HSET", keys.operators(), "web-1", "{not json");
        assertThat(link.operatorState("web-1")).isEqualTo(OperatorState.DEFAULT);
        assertThat(link.publish(report("web-1", 3)).operatorState()).isEqualTo(OperatorState.DEFAULT);
    }

    @Test
    void eventsAreReadBackByTheEventLog() {
        FarmEvent shed = new FarmEvent(FarmEvent.Type.SHED, "web-1", "agent:web-1", "target 3", 1234L,
                Map.of("count", "2"));
        link.event(shed);

        try (RegistryConnection connection = RegistryConnection.open(RegistryConfig.defaults(redis.uri(), FARM))) {
            assertThat(new EventLog(connection).latest(10)).containsExactly(shed);
        }
    }

    @Test
    void nudgesForThisHostCallBackAndOthersDoNot() {
        AtomicInteger nudged = new AtomicInteger();
        link.onNudge("web-1", nudged::incrementAndGet);
        await().atMost(WAIT).until(link::subscribed);

        farm.operators.drain("web-2");
        farm.operators.drain("web-1");

        await().atMost(WAIT).untilAsserted(() -> assertThat(nudged).hasValue(1));
        redis.command("PUBLISH", keys.nudgeChannel(), "web-1");
        await().atMost(WAIT).untilAsserted(() -> assertThat(nudged).hasValue(2));
    }

    @Test
    void heartbeatsAndNudgesResumeAfterARedisRestart() {
        AtomicInteger nudged = new AtomicInteger();
        link.onNudge("web-1", nudged::incrementAndGet);
        assertThat(link.publish(report("web-1", 1)).joined()).isTrue();
        await().atMost(WAIT).until(link::subscribed);

        redis.kill();
        assertThatThrownBy(() -> link.publish(report("web-1", 2))).isInstanceOf(RegistryException.class)
                .hasMessageContaining("publishing the heartbeat of web-1 failed on redis://127.0.0.1:");
        assertThatThrownBy(() -> link.operatorState("web-1")).isInstanceOf(RegistryException.class);
        await().atMost(WAIT).until(() -> !link.subscribed());

        redis.start(); // empty, without the scripts: EVALSHA answers NOSCRIPT and the link sends the text
        long[] sequence = {2};
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).ignoreExceptionsInstanceOf(RegistryException.class)
                .until(() -> link.publish(report("web-1", ++sequence[0])).joined());
        assertThat(farm.heartbeat("web-1").sequence()).isEqualTo(sequence[0]);
        assertThat(farm.member("web-1")).isTrue();

        await().atMost(WAIT).until(link::subscribed);
        farm.operators.drain("web-1");
        await().atMost(WAIT).untilAsserted(() -> assertThat(nudged.get()).isGreaterThanOrEqualTo(1));
        assertThat(link.operatorState("web-1").draining()).isTrue();
    }

    @Test
    void backoffIsJitteredAndCappedAtOneHeartbeatInterval() {
        for (int failures = 1; failures < 40; failures++) {
            long ceiling = Math.min(200, 10L << Math.min(20, failures - 1));
            assertThat(link.backoffMillis(failures)).isBetween(ceiling / 2, ceiling);
        }
    }

    @Test
    void closedLinkRefusesCallsAndStopsItsSubscription() {
        link.onNudge("web-1", () -> { });
        await().atMost(WAIT).until(link::subscribed);

        link.close();

        await().atMost(WAIT).until(() -> !link.subscribed());
        assertThatThrownBy(() -> link.publish(report("web-1", 1))).isInstanceOf(RegistryException.class)
                .hasMessageContaining("is closed");
    }

    @Test
    void clusterUrisAndUnknownUriOptionsAreLeftToLettuce() {
        assertThat(LeanRegistryLink.of(RegistryConfig.defaults("redis-cluster://127.0.0.1:7000", FARM))).isNull();
        assertThat(LeanRegistryLink.of(RegistryConfig.defaults("rediss://10.0.0.2?verifyPeer=NONE", FARM))).isNull();
    }
}
