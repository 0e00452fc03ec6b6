package io.farmgate.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.registry.FarmKeys;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.testing.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class FarmAgentTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static final String FARM = "agent-test";
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** A pretend application: a connection count, and a shed handler that closes from it. */
    private final AtomicInteger open = new AtomicInteger();
    private final List<int[]> shedCalls = new CopyOnWriteArrayList<>();
    private final List<Long> shedAtNanos = new CopyOnWriteArrayList<>();
    private FarmRegistry farm;
    private FarmAgent agent;

    @BeforeEach
    void connect() {
        farm = new FarmRegistry(redis, FARM);
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        farm.close();
    }

    private FarmAgentBuilder agent(String hostId) {
        return FarmAgent.builder()
                .redis(redis.uri()).farm(FARM).hostId(hostId)
                .url("ws://127.0.0.1:9001").address("127.0.0.1").capacity(1000)
                .heartbeatInterval(Duration.ofMillis(200)).heartbeatTtl(Duration.ofMillis(600))
                .shedTick(Duration.ofMillis(20)).drainPeriod(Duration.ofMillis(1000))
                .random(new SplittableRandom(42))
                .connections(open::get)
                .shedHandler((count, closeCode) -> {
                    shedCalls.add(new int[] {count, closeCode});
                    shedAtNanos.add(System.nanoTime());
                    open.addAndGet(-count);
                });
    }

    private int totalShed() {
        return shedCalls.stream().mapToInt(c -> c[0]).sum();
    }

    @Test
    void heartbeatCarriesTheConnectionCountAndIdentity() {
        open.set(7);
        agent = agent("host-a").start();

        await().atMost(WAIT).untilAsserted(() -> {
            HostReport hb = farm.heartbeat("host-a");
            assertThat(hb).isNotNull();
            assertThat(hb.connections()).isEqualTo(7);
            assertThat(hb.url()).isEqualTo("ws://127.0.0.1:9001");
            assertThat(hb.state()).isEqualTo(HostState.ACTIVE);
        });
    }

    @Test
    void firstHeartbeatAfterAChangeCarriesTheNewCount() {
        open.set(3);
        agent = agent("host-a").start();
        await().atMost(WAIT).until(() -> farm.heartbeat("host-a") != null);

        open.set(11);
        long before = farm.heartbeat("host-a").sequence();

        // Every heartbeat sent after the change (sequence beyond the one seen then) has it.
        await().atMost(WAIT).untilAsserted(() -> {
            HostReport hb = farm.heartbeat("host-a");
            assertThat(hb.sequence()).isGreaterThan(before + 1);
        });
        assertThat(farm.heartbeat("host-a").connections()).isEqualTo(11);
    }

    @Test
    void firstHeartbeatRecordsAJoinEvent() {
        agent = agent("host-a").start();

        await().atMost(WAIT).untilAsserted(() -> assertThat(farm.eventTypes("host-a")).contains("join"));
    }

    @Test
    void theShedLoopRunsOnlyWhileThereIsATargetOrADrain() {
        // Every tick of the shed loop reads the count; with no orders only heartbeats do (every 200 ms).
        AtomicInteger counts = new AtomicInteger();
        open.set(5);
        agent = agent("host-a").connections(() -> {
            counts.incrementAndGet();
            return open.get();
        }).start();
        await().atMost(WAIT).until(() -> farm.heartbeat("host-a") != null);

        int idleBefore = counts.get();
        await().pollDelay(Duration.ofMillis(1000)).atMost(WAIT).until(() -> true);
        int idle = counts.get() - idleBefore;
        assertThat(idle).as("counts in 1 s without orders (heartbeats only)").isBetween(3, 8);

        farm.operators.setTarget("host-a", 5); // at the target: nothing to shed, but the loop watches
        await().atMost(WAIT).until(() -> agent.operatorState().hasTarget());
        int watchingBefore = counts.get();
        await().pollDelay(Duration.ofMillis(1000)).atMost(WAIT).until(() -> true);
        assertThat(counts.get() - watchingBefore).as("counts in 1 s with a target (20 ms ticks)").isGreaterThan(20);

        farm.operators.clearTarget("host-a");
        await().atMost(WAIT).until(() -> !agent.operatorState().hasTarget());
        await().pollDelay(Duration.ofMillis(100)).atMost(WAIT).until(() -> true);
        int quietBefore = counts.get();
        await().pollDelay(Duration.ofMillis(1000)).atMost(WAIT).until(() -> true);
        assertThat(counts.get() - quietBefore).as("counts in 1 s after the target was cleared").isBetween(3, 8);
        assertThat(totalShed()).isZero();
    }

    @Test
    void storedTargetShedsExactlyTheExcessWith1012() {
        open.set(50);
        agent = agent("host-a").shedRate(0.2, 1).start();

        farm.operators.setTarget("host-a", 30);

        await().atMost(WAIT).until(() -> open.get() == 30);
        await().during(Duration.ofMillis(600)).atMost(WAIT).until(() -> totalShed() == 20);
        assertThat(shedCalls).allSatisfy(call -> assertThat(call[1]).isEqualTo(1012));
    }

    @Test
    void sheddingTowardATargetStaysWithinTheBoundedRate() {
        open.set(100);
        agent = agent("host-a").shedRate(0.1, 1).start();

        farm.operators.setTarget("host-a", 50);
        await().atMost(WAIT).until(() -> totalShed() >= 10);

        // However fast or slow this machine is, no second saw more than 10% of 100.
        long first = shedAtNanos.get(0);
        int inFirstSecond = 0;
        for (int i = 0; i < shedCalls.size(); i++) {
            if (shedAtNanos.get(i) - first < 1_000_000_000L) {
                inFirstSecond += shedCalls.get(i)[0];
            }
        }
        assertThat(inFirstSecond).isBetween(1, 10);
        assertThat(shedCalls.size()).isGreaterThan(1);
    }

    @Test
    void targetAboveTheCountShedsNothing() {
        open.set(20);
        agent = agent("host-a").start();

        farm.operators.setTarget("host-a", 25);

        await().during(Duration.ofMillis(800)).atMost(WAIT).until(() -> shedCalls.isEmpty());
    }

    @Test
    void nudgeAppliesAnOrderLongBeforeTheNextScheduledRead() {
        agent = agent("host-a").heartbeatInterval(Duration.ofSeconds(30)).heartbeatTtl(Duration.ofSeconds(90)).start();
        await().atMost(WAIT).until(() -> farm.heartbeat("host-a") != null);
        // Subscribing may lag the first heartbeat: nudge until the agent has heard one.
        await().atMost(WAIT).untilAsserted(() -> {
            farm.operators.setWeight("host-a", 2.0);
            assertThat(agent.operatorState().weight()).isEqualTo(2.0);
        });

        farm.operators.drain("host-a");

        await().atMost(Duration.ofSeconds(5)).until(agent::draining);
    }

    @Test
    void aDrainReadWithAHeartbeatIsReportedInTheSameBeatWithoutANudge() {
        agent = agent("host-a").heartbeatInterval(Duration.ofSeconds(2)).heartbeatTtl(Duration.ofSeconds(6)).start();
        await().atMost(WAIT).until(() -> farm.heartbeat("host-a") != null);
        long stored = System.currentTimeMillis();
        // Written straight into the hash: no nudge, so the heartbeat's own read is what finds it.
        redis.command("HSET", new FarmKeys(FARM).operators(), "host-a",
                "{\"v\":1,\"draining\":true,\"weight\":1.0,\"targetConnections\":-1,\"updatedAtMillis\":0}");

        await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> farm.heartbeat("host-a").state() == HostState.DRAINING);

        // The beat that read the drain says so (published again at once), not the beat after it, 2 s later.
        assertThat(farm.heartbeat("host-a").reportedAtMillis() - stored).isLessThan(2_400);
    }

    @Test
    void drainOrderReportsDrainingAndShedsEveryConnection() {
        open.set(40);
        agent = agent("host-a").start();

        farm.operators.drain("host-a");

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(farm.heartbeat("host-a").state()).isEqualTo(HostState.DRAINING);
            assertThat(open.get()).isZero();
        });
        assertThat(totalShed()).isEqualTo(40);
    }

    @Test
    void undrainStopsShedding() {
        open.set(1000);
        agent = agent("host-a").drainPeriod(Duration.ofSeconds(60)).start();
        farm.operators.drain("host-a");
        await().atMost(WAIT).until(() -> totalShed() > 0);

        farm.operators.undrain("host-a");
        await().atMost(WAIT).until(() -> !agent.draining());

        int after = totalShed();
        await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> totalShed() == after);
        assertThat(farm.heartbeat("host-a").state()).isEqualTo(HostState.ACTIVE);
        open.set(0); // so that closing does not drain a thousand over the minute-long period

    }

    @Test
    void closeShedsEveryConnectionThenRemovesTheHeartbeat() {
        open.set(25);
        agent = agent("host-a").start();
        await().atMost(WAIT).until(() -> farm.heartbeat("host-a") != null);

        agent.close();

        assertThat(open.get()).isZero();
        assertThat(shedCalls).allSatisfy(call -> assertThat(call[1]).isEqualTo(1012));
        assertThat(farm.heartbeat("host-a")).isNull();
        assertThat(farm.member("host-a")).isFalse();
        assertThat(farm.eventTypes("host-a")).contains("leave");
    }

    @Test
    void closeWaitsNoLongerThanTheDrainPeriodWhenConnectionsStay() {
        open.set(5);
        agent = FarmAgent.builder().config(agent("host-a").buildConfig())
                .connections(open::get).shedHandler((count, code) -> { }).start();
        await().atMost(WAIT).until(() -> farm.heartbeat("host-a") != null);

        long start = System.nanoTime();
        agent.close();

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(farm.heartbeat("host-a")).isNull();
    }

    @Test
    void startsWhileRedisIsDownAndJoinsWhenItComesBack() {
        redis.stop();
        open.set(4);
        agent = agent("host-a").start();
        await().atMost(WAIT).until(() -> agent.failedHeartbeats() > 0);

        redis.start();

        // Until the first heartbeat after the restart there is none at all (null): wait for it too.
        await().atMost(WAIT).untilAsserted(() -> assertThat(farm.heartbeat("host-a")).isNotNull()
                .extracting(HostReport::connections).isEqualTo(4));
    }

    @Test
    void heartbeatsResumeAfterRedisIsKilledAndRestarted() {
        open.set(9);
        agent = agent("host-a").start();
        await().atMost(WAIT).until(() -> farm.heartbeat("host-a") != null);

        redis.kill();
        await().atMost(WAIT).until(() -> agent.failedHeartbeats() > 2);
        open.set(10);
        redis.start();

        await().atMost(WAIT).untilAsserted(() -> {
            HostReport hb = farm.heartbeat("host-a");
            assertThat(hb).isNotNull();
            assertThat(hb.connections()).isEqualTo(10);
        });
        assertThat(farm.member("host-a")).isTrue();
    }

    @Test
    void failingApplicationCallbacksNeverStopTheAgent() {
        AtomicInteger calls = new AtomicInteger();
        agent = FarmAgent.builder().config(agent("host-a").buildConfig())
                .connections(() -> {
                    if (calls.incrementAndGet() % 2 == 0) {
                        throw new IllegalStateException("application bug");
                    }
                    return 60;
                })
                .shedHandler((count, code) -> {
                    throw new IllegalStateException("another application bug");
                })
                .start();
        farm.operators.setTarget("host-a", 10);

        await().atMost(WAIT).until(() -> agent.shedTotal() > 3);
        long seq = farm.heartbeat("host-a").sequence();
        await().atMost(WAIT).until(() -> farm.heartbeat("host-a").sequence() > seq + 2);
    }
}
