package io.farmgate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostView;
import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.testing.RedisServerExtension;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HeartbeatRegistryTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private RegistryConnection agentSide;
    private RegistryConnection edgeSide;
    private HeartbeatPublisher publisher;
    private SnapshotSource source;
    private FarmKeys keys;

    @BeforeEach
    void open() {
        RegistryConfig config = Hosts.fastConfig(redis.uri());
        keys = config.keys();
        agentSide = RegistryConnection.open(config);
        edgeSide = RegistryConnection.open(config);
        publisher = new HeartbeatPublisher(agentSide);
        source = SnapshotSource.start(edgeSide, SnapshotPolicy.DEFAULT, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        source.close();
        edgeSide.close();
        agentSide.close();
    }

    @Test
    void publishedHeartbeatAppearsInSnapshotWithSameFields() {
        HostReport report = Hosts.report("web-1", 17, 1);

        publisher.publish(report);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            HostView host = source.current().host("web-1");
            assertThat(host).isNotNull();
            assertThat(host.report()).isEqualTo(report);
        });
    }

    @Test
    void firstHeartbeatJoinsAndLaterOnesDoNot() {
        assertThat(publisher.publish(Hosts.report("web-1", 0, 1))).isTrue();
        assertThat(publisher.publish(Hosts.report("web-1", 1, 2))).isFalse();
    }

    @Test
    void heartbeatKeyExpiresAfterTheTtl() {
        publisher.publish(Hosts.report("web-1", 0, 1));

        Long pttl = (Long) redis.command("PTTL", keys.host("web-1"));

        assertThat(pttl).isBetween(1L, 300L);
        assertThat(redis.command("GET", keys.schema())).isEqualTo("1");
    }

    @Test
    void expiredHeartbeatRemovesHostWithinTtl() {
        publisher.publish(Hosts.report("web-1", 0, 1));
        publisher.publish(Hosts.report("web-2", 0, 1));
        await().atMost(Duration.ofSeconds(5)).until(() -> source.current().hosts().size() == 2);

        // web-2 keeps publishing, web-1's agent is gone. TTL 300 ms, refresh every 50 ms.
        long stoppedAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            publisher.publish(Hosts.report("web-2", 0, System.nanoTime()));
            assertThat(source.current().host("web-1")).isNull();
        });
        long goneAfterMillis = (System.nanoTime() - stoppedAt) / 1_000_000;

        assertThat(source.current().host("web-2")).isNotNull();
        assertThat(goneAfterMillis).as("gone within TTL plus a refresh or two").isLessThan(1_000);
        assertThat(redis.command("ZSCORE", keys.hosts(), "web-1")).as("member removed").isNull();
        assertThat(source.expiredHosts()).isEqualTo(1);
    }

    @Test
    void expiryIsRecordedAsAnEvent() {
        publisher.publish(Hosts.report("web-1", 0, 1));
        EventLog events = new EventLog(agentSide);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(events.latest(10)).extracting(FarmEvent::type, FarmEvent::hostId)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple(FarmEvent.Type.EXPIRE, "web-1")));
    }

    @Test
    void removedHostLeavesWithoutWaitingForExpiry() {
        publisher.publish(Hosts.report("web-1", 0, 1));
        await().atMost(Duration.ofSeconds(5)).until(() -> source.current().host("web-1") != null);

        assertThat(publisher.remove("web-1")).isTrue();

        assertThat(redis.command("EXISTS", keys.host("web-1"))).isEqualTo(0L);
        await().atMost(Duration.ofSeconds(5)).until(() -> source.current().host("web-1") == null);
        assertThat(source.expiredHosts()).isZero();
    }

    @Test
    void snapshotIsFreshWhileRedisAnswers() {
        publisher.publish(Hosts.report("web-1", 0, 1));

        await().atMost(Duration.ofSeconds(5)).until(() -> source.current().host("web-1") != null);

        FarmSnapshot s = source.current();
        assertThat(s.stale()).isFalse();
        assertThat(source.ready()).isTrue();
        assertThat(source.refreshFailures()).isZero();
    }
}
