package io.farmgate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostView;
import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.testing.MutableClock;
import io.farmgate.testing.RedisServerExtension;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The registry going away must not take the farm with it. */
class SnapshotFailStaticTest {

    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final long TTL_MILLIS = 1_000;

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private RegistryConnection agentSide;
    private HeartbeatPublisher publisher;
    private SnapshotSource source;

    @BeforeEach
    void open(org.junit.jupiter.api.TestInfo info) {
        org.slf4j.LoggerFactory.getLogger(getClass()).info("---- {}", info.getDisplayName());
        // A TTL the test steps comfortably fit in, even on a busy machine; outages below outlast it.
        RegistryConfig config = Hosts.fastConfig(redis.uri()).withHeartbeat(200, TTL_MILLIS);
        agentSide = RegistryConnection.open(config);
        publisher = new HeartbeatPublisher(agentSide);
        source = SnapshotSource.open(config, SnapshotPolicy.DEFAULT, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        source.close();
        agentSide.close();
    }

    private void publishTwoHostsAndWait() {
        await().atMost(PATIENCE).untilAsserted(() -> {
            publisher.publish(Hosts.report("web-1", 10, 1));
            publisher.publish(Hosts.report("web-2", 20, 1));
            assertThat(source.current().hosts()).hasSize(2);
        });
    }

    @Test
    void killedRedisKeepsTheLastSnapshotMarkedStale() {
        publishTwoHostsAndWait();

        redis.kill();

        await().atMost(PATIENCE).until(() -> source.current().stale());
        FarmSnapshot s = source.current();
        assertThat(s.hosts()).extracting(HostView::id).containsExactly("web-1", "web-2");
        assertThat(s.eligibleCount()).as("hosts stay eligible while the registry is away").isEqualTo(2);
    }

    @Test
    void failedRefreshesAreCountedWhileRedisIsDown() {
        publishTwoHostsAndWait();

        redis.kill();

        await().atMost(PATIENCE).until(() -> source.refreshFailures() >= 3);
    }

    @Test
    void hostsOutliveAnOutageLongerThanTheirTtl() {
        publishTwoHostsAndWait();

        redis.kill();

        // Throughout twice the TTL without Redis (and so without heartbeats), both hosts stay.
        await().during(Duration.ofMillis(2 * TTL_MILLIS)).atMost(PATIENCE)
                .until(() -> source.current().hosts().size() == 2);
        assertThat(source.current().stale()).isTrue();
    }

    @Test
    void restartedRedisClearsStaleAndShowsNewHeartbeats() {
        publishTwoHostsAndWait();
        redis.kill();
        await().atMost(PATIENCE).until(() -> source.current().stale());

        redis.start();
        // The restarted server is empty; the agents publish again as they would on their next beat.
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50)).ignoreExceptions().untilAsserted(() -> {
            publisher.publish(Hosts.report("web-1", 11, 2));
            publisher.publish(Hosts.report("web-2", 21, 2));
            assertThat(source.current().stale()).isFalse();
        });

        assertThat(source.current().host("web-1").report().connections()).isEqualTo(11);
        assertThat(source.current().host("web-2").report().connections()).isEqualTo(21);
    }

    @Test
    void hostMissingAfterRestartIsKeptForOneTtlThenDropped() {
        publishTwoHostsAndWait();
        redis.kill();
        await().atMost(PATIENCE).until(() -> source.current().stale());

        redis.start();
        // Only web-1 comes back; web-2 died during the outage and is dropped when the grace ends.
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50)).ignoreExceptions().untilAsserted(() -> {
            publisher.publish(Hosts.report("web-1", 11, System.nanoTime()));
            assertThat(source.current().host("web-2")).isNull();
            assertThat(source.current().host("web-1")).isNotNull();
        });

        assertThat(source.current().stale()).isFalse();
    }

    @Test
    void hostsOfAWipedRegistryAreKeptForOneTtlOfReceiverTime() {
        source.close();
        // Heartbeats must not expire in Redis during this test: only the wipe should remove them.
        long ttlMillis = 60_000;
        RegistryConfig longTtl = Hosts.fastConfig(redis.uri()).withHeartbeat(5_000, ttlMillis);
        MutableClock clock = MutableClock.atEpochOf2025();
        try (RegistryConnection connection = RegistryConnection.open(longTtl);
             SnapshotSource frozen = SnapshotSource.start(connection, SnapshotPolicy.DEFAULT, clock)) {
            HeartbeatPublisher longLived = new HeartbeatPublisher(connection);
            longLived.publish(Hosts.report("web-1", 10, 1));
            longLived.publish(Hosts.report("web-2", 20, 1));
            await().atMost(PATIENCE).until(() -> frozen.current().hosts().size() == 2);

            // Redis lost its data without the reader ever failing (e.g. a failover to an empty replica).
            redis.command("FLUSHALL");
            long refreshesBefore = frozen.refreshes();
            await().atMost(PATIENCE).until(() -> frozen.refreshes() >= refreshesBefore + 3);
            assertThat(frozen.current().hosts()).hasSize(2);
            assertThat(frozen.current().stale()).isTrue();

            clock.advanceMillis(ttlMillis + 1);
            await().atMost(PATIENCE).until(() -> frozen.current().hosts().isEmpty());
            assertThat(frozen.current().stale()).isFalse();
        }
    }

    @Test
    void sourceStartedWhileRedisIsDownLoadsTheFarmOnceItIsUp() {
        source.close();
        redis.stop();
        SnapshotSource early = SnapshotSource.open(Hosts.fastConfig(redis.uri()), SnapshotPolicy.DEFAULT, Clock.systemUTC());
        try {
            await().atMost(PATIENCE).until(() -> early.refreshFailures() >= 2);
            assertThat(early.ready()).isFalse();
            assertThat(early.current().stale()).isTrue();

            redis.start();
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50)).ignoreExceptions().untilAsserted(() -> {
                publisher.publish(Hosts.report("web-1", 0, System.nanoTime()));
                assertThat(early.current().host("web-1")).isNotNull();
            });
            assertThat(early.ready()).isTrue();
            assertThat(early.current().stale()).isFalse();
        } finally {
            early.close();
        }
    }
}
