package io.farmgate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.testing.RedisServerExtension;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The same protocol through RedisClusterClient, against a real one-node cluster owning every slot. */
class ClusterModeTest {

    private static final Duration PATIENCE = Duration.ofSeconds(15);

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension("--cluster-enabled", "yes",
            "--cluster-config-file", "nodes-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".conf");

    private RegistryConnection connection;

    @BeforeAll
    static void claimAllSlots() {
        List<String> command = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
        for (int slot = 0; slot < 16384; slot++) {
            command.add(Integer.toString(slot));
        }
        redis.command(command.toArray(new String[0]));
        await().atMost(PATIENCE).until(() -> String.valueOf(redis.command("CLUSTER", "INFO")).contains("cluster_state:ok"));
    }

    @BeforeEach
    void open() {
        connection = RegistryConnection.open(Hosts.fastConfig("redis-cluster://127.0.0.1:" + redis.port()));
    }

    @AfterEach
    void close() {
        connection.close();
    }

    @Test
    void allKeysOfAFarmShareOneSlot() {
        FarmKeys keys = connection.keys();
        Object slot = redis.command("CLUSTER", "KEYSLOT", keys.schema());

        for (String key : List.of(keys.host("web-1"), keys.host("other-host"), keys.hosts(), keys.operators(),
                keys.events(), keys.leader())) {
            assertThat(redis.command("CLUSTER", "KEYSLOT", key)).as(key).isEqualTo(slot);
        }
    }

    @Test
    void heartbeatRoundTripsThroughTheCluster() {
        HeartbeatPublisher publisher = new HeartbeatPublisher(connection);

        try (SnapshotSource source = SnapshotSource.start(connection, SnapshotPolicy.DEFAULT, Clock.systemUTC())) {
            await().atMost(PATIENCE).untilAsserted(() -> {
                publisher.publish(Hosts.report("web-1", 5, 1));
                assertThat(source.current().host("web-1")).isNotNull();
                assertThat(source.current().host("web-1").report()).isEqualTo(Hosts.report("web-1", 5, 1));
            });
        }
    }

    @Test
    void operatorChangeNudgesThroughTheCluster() {
        List<String> nudged = new CopyOnWriteArrayList<>();
        try (NudgeSubscriber subscriber = NudgeSubscriber.start(connection, nudged::add)) {
            await().atMost(PATIENCE).until(subscriber::isSubscribed);

            new OperatorStore(connection, Clock.systemUTC()).drain("web-1");

            await().atMost(PATIENCE).untilAsserted(() -> assertThat(nudged).containsExactly("web-1"));
        }
    }

    @Test
    void leaseAndEventsWorkThroughTheCluster() {
        LeaderLease lease = new LeaderLease(connection, "alice", 5_000, Clock.systemUTC());
        EventLog events = new EventLog(connection);

        assertThat(lease.tryAcquire()).isTrue();
        events.append(FarmEvent.of(FarmEvent.Type.LEADER, "", "alice", "acquired", 1L));

        assertThat(lease.holder()).contains("alice");
        assertThat(events.latest(1)).extracting(FarmEvent::reason).containsExactly("acquired");
    }

    @Test
    void snapshotFailsStaticAndRecoversWhenTheNodeRestarts() {
        HeartbeatPublisher publisher = new HeartbeatPublisher(connection);
        try (SnapshotSource source = SnapshotSource.start(connection, SnapshotPolicy.DEFAULT, Clock.systemUTC())) {
            await().atMost(PATIENCE).until(() -> {
                publisher.publish(Hosts.report("web-1", 5, 1));
                return source.current().host("web-1") != null;
            });

            redis.kill();
            await().atMost(PATIENCE).until(() -> source.current().stale());
            assertThat(source.current().host("web-1")).isNotNull();

            // The node comes back with its slots (nodes.conf) but without data.
            redis.start();
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).ignoreExceptions().untilAsserted(() -> {
                publisher.publish(Hosts.report("web-1", 6, 2));
                assertThat(source.current().stale()).isFalse();
                assertThat(source.current().host("web-1").report().connections()).isEqualTo(6);
            });
        }
    }
}
