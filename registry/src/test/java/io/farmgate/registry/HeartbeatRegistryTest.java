package io.farmgate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostView;
import io.farmgate.scoring.OperatorState;
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

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            publisher.publish(report);  // again each time: the TTL is only 300 ms
            HostView host = source.current().host("web-1");
            assertThat(host).isNotNull();
            assertThat(host.report()).isEqualTo(report);
        });
    }

    @Test
    void publishAndReadReturnsTheStoredOperatorStateWithTheHeartbeat() {
        HeartbeatPublisher.Published first = publisher.publishAndRead(Hosts.report("web-1", 0, 1));
        assertThat(first.joined()).isTrue();
        assertThat(first.operatorState()).isEqualTo(OperatorState.DEFAULT);

        new OperatorStore(agentSide, Clock.systemUTC()).setTarget("web-1", 12);
        HeartbeatPublisher.Published second = publisher.publishAndRead(Hosts.report("web-1", 0, 2));

        assertThat(second.joined()).isFalse();
        assertThat(second.operatorState().targetConnections()).isEqualTo(12);
        assertThat(redis.command("GET", keys.host("web-1"))).isEqualTo(HeartbeatCodec.encode(Hosts.report("web-1", 0, 2)));
        assertThat(redis.command("ZSCORE", keys.hosts(), "web-1")).isNotNull();
        assertThat(redis.command("GET", keys.schema())).isEqualTo(FarmKeys.SCHEMA_VERSION);
    }

    @Test
    void firstHeartbeatJoinsAndLaterOnesDoNot() {
        assertThat(publisher.publish(Hosts.report("web-1", 0, 1))).isTrue();
        assertThat(publisher.publish(Hosts.report("web-1", 1, 2))).isFalse();
    }

    @Test
    void heartbeatKeyCarriesTheConfiguredTtl() {
        try (RegistryConnection longTtl = RegistryConnection.open(Hosts.fastConfig(redis.uri()).withHeartbeat(5_000, 60_000))) {
            new HeartbeatPublisher(longTtl).publish(Hosts.report("web-1", 0, 1));
        }

        assertThat((Long) redis.command("PTTL", keys.host("web-1"))).isBetween(50_000L, 60_000L);
        assertThat(redis.command("PTTL", keys.hosts())).as("the member set does not expire").isEqualTo(-1L);
        assertThat(redis.command("GET", keys.schema())).isEqualTo("1");
    }

    @Test
    void expiredHeartbeatRemovesHostWithinTtl() {
        // web-2's agent runs with a long TTL so only web-1 can expire, however slow this machine is.
        try (RegistryConnection longTtl = RegistryConnection.open(Hosts.fastConfig(redis.uri()).withHeartbeat(5_000, 60_000))) {
            new HeartbeatPublisher(longTtl).publish(Hosts.report("web-2", 0, 1));
        }
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            publisher.publish(Hosts.report("web-1", 0, 1));
            assertThat(source.current().hosts()).hasSize(2);
        });

        // web-1's agent has stopped. Its key lives 300 ms; the first refresh that starts after the
        // key is gone must drop the host (counted in refreshes, so a busy machine cannot fail it).
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                .until(() -> Long.valueOf(0).equals(redis.command("EXISTS", keys.host("web-1"))));
        long refreshesAtExpiry = source.refreshes();
        long[] refreshesWhenGone = new long[1];
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> {
            boolean gone = source.current().host("web-1") == null;
            refreshesWhenGone[0] = source.refreshes();
            return gone;
        });

        // One refresh may have been under way at expiry and one more may finish while we look.
        assertThat(refreshesWhenGone[0] - refreshesAtExpiry).as("refreshes after expiry").isLessThanOrEqualTo(3);
        assertThat(source.current().host("web-2")).isNotNull();
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
