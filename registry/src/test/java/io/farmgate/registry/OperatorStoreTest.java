package io.farmgate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.farmgate.scoring.OperatorState;
import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.testing.MutableClock;
import io.farmgate.testing.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class OperatorStoreTest {

    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private final MutableClock clock = MutableClock.atEpochOf2025();
    private RegistryConnection adminSide;
    private RegistryConnection agentSide;
    private OperatorStore store;
    private NudgeSubscriber subscriber;
    private final List<String> nudged = new CopyOnWriteArrayList<>();

    @BeforeEach
    void open() {
        RegistryConfig config = Hosts.fastConfig(redis.uri());
        adminSide = RegistryConnection.open(config);
        agentSide = RegistryConnection.open(config);
        store = new OperatorStore(adminSide, clock);
        subscriber = NudgeSubscriber.start(agentSide, nudged::add);
        await().atMost(PATIENCE).until(subscriber::isSubscribed);
    }

    @AfterEach
    void close() {
        subscriber.close();
        agentSide.close();
        adminSide.close();
    }

    @Test
    void hostWithoutRecordHasTheDefaultState() {
        assertThat(store.read("web-1")).isEqualTo(OperatorState.DEFAULT);
        assertThat(store.readAll()).isEmpty();
    }

    @Test
    void drainIsStoredAndReadBack() {
        OperatorState stored = store.drain("web-1");

        assertThat(stored.draining()).isTrue();
        assertThat(stored.updatedAtMillis()).isEqualTo(clock.millis());
        assertThat(new OperatorStore(agentSide, clock).read("web-1")).isEqualTo(stored);
        assertThat(store.readAll()).containsOnlyKeys("web-1");
    }

    @Test
    void changesToOneFieldKeepTheOthers() {
        store.setWeight("web-1", 2.5);
        store.setTarget("web-1", 40);
        clock.advanceMillis(1_000);
        store.drain("web-1");

        assertThat(store.read("web-1")).isEqualTo(new OperatorState(true, 2.5, 40, clock.millis()));
    }

    @Test
    void undrainClearsDrainingAndTarget() {
        store.setTarget("web-1", 40);
        store.drain("web-1");

        OperatorState after = store.undrain("web-1");

        assertThat(after.draining()).isFalse();
        assertThat(after.hasTarget()).isFalse();
    }

    @Test
    void clearTargetRemovesOnlyTheTarget() {
        store.setWeight("web-1", 0.5);
        store.setTarget("web-1", 10);

        assertThat(store.clearTarget("web-1")).isEqualTo(new OperatorState(false, 0.5, OperatorState.NO_TARGET, clock.millis()));
    }

    @Test
    void everyChangeNudgesSubscribersWithTheHostId() {
        store.drain("web-1");
        store.setWeight("web-2", 3.0);
        store.clear("web-1");

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(nudged).containsExactly("web-1", "web-2", "web-1"));
    }

    @Test
    void nudgeThatIsNotAHostIdIsDropped() {
        redis.command("PUBLISH", adminSide.keys().nudgeChannel(), "Not a host!");
        store.drain("web-1");

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(nudged).containsExactly("web-1"));
        assertThat(subscriber.nudgesDropped()).isEqualTo(1);
    }

    @Test
    void subscriberReceivesNudgesAgainAfterRedisRestarts() {
        redis.kill();
        redis.start();

        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).ignoreExceptions().untilAsserted(() -> {
            store.setWeight("web-1", 2.0);
            assertThat(nudged).contains("web-1");
        });
    }

    @Test
    void subscriberStartedWhileRedisIsDownSubscribesOnceItIsUp() {
        redis.stop();
        NudgeSubscriber early = NudgeSubscriber.start(agentSide, nudged::add);
        try {
            assertThat(early.isSubscribed()).isFalse();
            redis.start();

            await().atMost(PATIENCE).until(early::isSubscribed);
            store.drain("web-7");
            await().atMost(PATIENCE).until(() -> early.nudgesReceived() == 1);
        } finally {
            early.close();
        }
    }

    @Test
    void operatorStateReachesTheSnapshot() {
        HeartbeatPublisher publisher = new HeartbeatPublisher(agentSide);
        store.setWeight("web-1", 4.0);

        try (SnapshotSource source = SnapshotSource.start(adminSide, SnapshotPolicy.DEFAULT, clock)) {
            await().atMost(PATIENCE).untilAsserted(() -> {
                publisher.publish(Hosts.report("web-1", 0, 1));
                assertThat(source.current().host("web-1")).isNotNull();
                assertThat(source.current().host("web-1").operator().weight()).isEqualTo(4.0);
            });
        }
    }

    @Test
    void recordFromANewerVersionIsNotOverwritten() {
        String future = "{\"v\":2,\"draining\":false,\"weight\":1.0,\"targetConnections\":-1,\"rings\":[1]}";
        redis.command("HSET", adminSide.keys().operators(), "web-1", future);

        assertThatThrownBy(() -> store.drain("web-1"))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("newer version");
        assertThat(redis.command("HGET", adminSide.keys().operators(), "web-1")).isEqualTo(future);
    }

    @Test
    void unreadableRecordIsReplacedByAChange() {
        redis.command("HSET", adminSide.keys().operators(), "web-1", "garbage");

        store.drain("web-1");

        assertThat(store.read("web-1").draining()).isTrue();
    }

    @Test
    void invalidHostIdIsRejected() {
        assertThatThrownBy(() -> store.drain("Web 1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("hostId: 'Web 1'");
    }
}
