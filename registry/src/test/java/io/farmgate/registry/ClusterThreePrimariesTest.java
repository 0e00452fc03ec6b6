package io.farmgate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.localredis.RedisServerProcess;
import io.farmgate.scoring.Eligibility;
import io.farmgate.scoring.HostView;
import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.testing.FreePort;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The registry, unchanged, on a real Redis Cluster of three primaries on loopback, each owning a
 * third of the slots. The client is given only the first node; the farm is chosen so that its
 * slot lives on the third, so every command has to be routed through the cluster's topology.
 */
class ClusterThreePrimariesTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final int[][] SLOT_RANGES = {{0, 5460}, {5461, 10922}, {10923, 16383}};

    private static final List<RedisServerProcess> nodes = new ArrayList<>();
    private static String farm;

    private RegistryConnection connection;

    @BeforeAll
    static void startCluster() {
        for (int i = 0; i < 3; i++) {
            int port = FreePort.pick();
            RedisServerProcess node = new RedisServerProcess(port, List.of("--cluster-enabled", "yes",
                    "--cluster-config-file", "nodes-" + port + "-" + System.nanoTime() + ".conf",
                    "--cluster-node-timeout", "5000"));
            nodes.add(node);
            node.start();
        }
        for (int i = 1; i < 3; i++) {
            nodes.get(0).command("CLUSTER", "MEET", nodes.get(i).host(), Integer.toString(nodes.get(i).port()));
        }
        // CLUSTER ADDSLOTS with every slot listed, not ADDSLOTSRANGE: that is Redis 7, and the
        // embedded redis-server (used where none is on PATH) is 6.2.
        for (int i = 0; i < 3; i++) {
            List<String> addSlots = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
            for (int slot = SLOT_RANGES[i][0]; slot <= SLOT_RANGES[i][1]; slot++) {
                addSlots.add(Integer.toString(slot));
            }
            nodes.get(i).command(addSlots.toArray(String[]::new));
        }
        await().atMost(PATIENCE).untilAsserted(() -> {
            for (RedisServerProcess node : nodes) {
                String info = String.valueOf(node.command("CLUSTER", "INFO"));
                assertThat(info).contains("cluster_state:ok").contains("cluster_known_nodes:3")
                        .contains("cluster_size:3");
            }
        });
        farm = farmOnThirdNode();
    }

    /** A farm name whose keys hash to a slot of the third node, which the client is not told about. */
    private static String farmOnThirdNode() {
        for (int i = 0; i < 1_000; i++) {
            String candidate = "cluster-" + i;
            long slot = (Long) nodes.get(0).command("CLUSTER", "KEYSLOT", new FarmKeys(candidate).schema());
            if (slot >= SLOT_RANGES[2][0]) {
                return candidate;
            }
        }
        throw new IllegalStateException("no farm name among 1000 hashes to the third node");
    }

    @AfterAll
    static void stopCluster() {
        nodes.forEach(RedisServerProcess::stop);
        nodes.clear();
    }

    @BeforeEach
    void open() {
        nodes.forEach(node -> node.command("FLUSHALL"));
        connection = RegistryConnection.open(RegistryConfig.defaults(
                        "redis-cluster://127.0.0.1:" + nodes.get(0).port(), farm)
                .withHeartbeat(100, 300).withRefreshIntervalMillis(50).withCommandTimeoutMillis(1_000));
    }

    @AfterEach
    void close() {
        connection.close();
    }

    /** Publishes web-1 until the snapshot shows it (the first commands may meet a node still connecting). */
    private void publishUntilSeen(SnapshotSource source) {
        HeartbeatPublisher publisher = new HeartbeatPublisher(connection);
        await().atMost(PATIENCE).untilAsserted(() -> {
            publisher.publish(Hosts.report("web-1", 5, 1));
            assertThat(source.current().host("web-1")).isNotNull();
        });
    }

    @Test
    void heartbeatIsStoredOnTheNodeOwningTheFarmSlotAndReachesTheSnapshot() {
        try (SnapshotSource source = SnapshotSource.start(connection, SnapshotPolicy.DEFAULT, Clock.systemUTC())) {
            HeartbeatPublisher publisher = new HeartbeatPublisher(connection);
            await().atMost(PATIENCE).untilAsserted(() -> {
                publisher.publish(Hosts.report("web-1", 5, 1));
                // Checked right after publishing: the key lives only 300 ms.
                assertThat(nodes.get(2).command("EXISTS", connection.keys().host("web-1"))).isEqualTo(1L);
                assertThat(nodes.get(2).command("ZSCORE", connection.keys().hosts(), "web-1")).isNotNull();
                assertThat(source.current().host("web-1")).isNotNull();
            });
        }
    }

    @Test
    void hostWhoseHeartbeatStopsIsExpiredAndRemovedFromTheMemberSet() {
        try (SnapshotSource source = SnapshotSource.start(connection, SnapshotPolicy.DEFAULT, Clock.systemUTC())) {
            publishUntilSeen(source);

            await().atMost(PATIENCE).until(() -> source.current().host("web-1") == null);
            await().atMost(PATIENCE).until(() -> source.expiredHosts() == 1);
        }
        assertThat(nodes.get(2).command("ZSCORE", connection.keys().hosts(), "web-1")).isNull();
    }

    @Test
    void drainIsStoredAndNudgesASubscriberThroughTheCluster() {
        List<String> nudged = new CopyOnWriteArrayList<>();
        try (NudgeSubscriber subscriber = NudgeSubscriber.start(connection, nudged::add)) {
            await().atMost(PATIENCE).until(subscriber::isSubscribed);

            new OperatorStore(connection, Clock.systemUTC()).drain("web-1");

            await().atMost(PATIENCE).untilAsserted(() -> assertThat(nudged).containsExactly("web-1"));
        }
        assertThat(new OperatorStore(connection, Clock.systemUTC()).read("web-1").draining()).isTrue();
    }

    @Test
    void drainedHostIsDrainingInTheSnapshot() {
        HeartbeatPublisher publisher = new HeartbeatPublisher(connection);
        // The connection's first command; on a busy machine the cluster handshake can outlast one timeout.
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(
                () -> new OperatorStore(connection, Clock.systemUTC()).drain("web-1"));
        try (SnapshotSource source = SnapshotSource.start(connection, SnapshotPolicy.DEFAULT, Clock.systemUTC())) {
            await().atMost(PATIENCE).untilAsserted(() -> {
                publisher.publish(Hosts.report("web-1", 5, 1));
                HostView host = source.current().host("web-1");
                assertThat(host).isNotNull();
                assertThat(host.eligibility()).isEqualTo(Eligibility.DRAINING);
            });
        }
    }

    @Test
    void leaseIsExclusiveAcrossTheCluster() {
        try (RegistryConnection other = RegistryConnection.open(connection.config())) {
            LeaderLease alice = new LeaderLease(connection, "alice", 5_000, Clock.systemUTC());
            LeaderLease bob = new LeaderLease(other, "bob", 5_000, Clock.systemUTC());

            assertThat(alice.tryAcquire()).isTrue();
            assertThat(bob.tryAcquire()).isFalse();
            assertThat(bob.holder()).contains("alice");
        }
    }

    @Test
    void eventsAreAppendedAndReadBack() {
        EventLog events = new EventLog(connection);

        events.append(FarmEvent.of(FarmEvent.Type.JOIN, "web-1", "agent:web-1", "ws://127.0.0.1:9001", 1L));
        events.append(FarmEvent.of(FarmEvent.Type.DRAIN, "web-1", "operator", "maintenance", 2L));

        assertThat(events.latest(10)).extracting(FarmEvent::reason).contains("ws://127.0.0.1:9001", "maintenance");
        assertThat(nodes.get(2).command("EXISTS", connection.keys().events())).isEqualTo(1L);
    }
}
