package io.farmgate.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.agent.FarmAgent;
import io.farmgate.registry.EventLog;
import io.farmgate.registry.FarmEvent;
import io.farmgate.registry.OperatorStore;
import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.testing.RedisServerExtension;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redis killed (SIGKILL) under redirect and DNS load and started again on the same port 20 s
 * later, empty (no persistence): the front doors fail static and the farm comes back by itself.
 * The outage is ten heartbeat TTLs long, so every heartbeat key would have expired in it.
 */
class RedisOutageFaultTest {

    private static final Logger LOG = LoggerFactory.getLogger(RedisOutageFaultTest.class);
    private static final Duration OUTAGE = Duration.ofSeconds(20);
    private static final int HOSTS = 3;

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private RedisFaultFarm farm;
    private RedisFaultLoad load;
    private final AtomicInteger fewestEligible = new AtomicInteger(Integer.MAX_VALUE);
    private volatile boolean watching = true;
    private Thread watcher;

    @BeforeEach
    void startFarm() {
        farm = new RedisFaultFarm(redis.uri(), HOSTS);
        await().atMost(Duration.ofSeconds(20)).until(() -> farm.source.current().eligibleCount() == HOSTS
                && farm.rebalancer.leader());
        // Samples the snapshot the front doors pick from, for the whole run: no host may ever drop out.
        watcher = new Thread(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (watching && System.nanoTime() < deadline) {
                fewestEligible.accumulateAndGet(farm.source.current().eligibleCount(), Math::min);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }, "redis-outage-watcher");
        watcher.setDaemon(true);
        watcher.start();
        load = farm.load(Duration.ofSeconds(90));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(load.redirectsOk() > 20 && load.dnsOk() > 20)
                .as("%s; failures %s", load, load.failures()).isTrue());
    }

    @AfterEach
    void stopFarm() throws InterruptedException {
        watching = false;
        if (load != null) {
            load.close();
        }
        if (watcher != null) {
            watcher.join(5_000);
        }
        if (farm != null) {
            farm.close();
        }
    }

    @Test
    void frontDoorsServeTheLastSnapshotThroughTheOutageAndTheFarmRecoversWithoutDroppingAHost() {
        long[] sequencesBefore = farm.agents.stream().mapToLong(a -> a.lastPublished().sequence()).toArray();

        redis.kill();
        await().atMost(Duration.ofSeconds(10)).until(() -> farm.source.current().stale());
        // The rebalancer cannot hold its lease without Redis, so it gives no orders on stale data.
        await().atMost(Duration.ofSeconds(10)).until(() -> !farm.rebalancer.leader());
        long redirectsAtKill = load.redirectsOk();
        long dnsAtKill = load.dnsOk();
        // For the whole outage: every host still eligible, from a snapshot that says it is stale.
        await().during(OUTAGE).atMost(OUTAGE.plusSeconds(10)).until(() -> {
            FarmSnapshot s = farm.source.current();
            return s.stale() && s.eligibleCount() == HOSTS && !farm.rebalancer.leader();
        });
        long redirectsInOutage = load.redirectsOk() - redirectsAtKill;
        long dnsInOutage = load.dnsOk() - dnsAtKill;
        assertThat(farm.agents).allSatisfy(a -> assertThat(a.failedHeartbeats()).isPositive());

        redis.start();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (int i = 0; i < HOSTS; i++) {
                FarmAgent agent = farm.agents.get(i);
                assertThat(agent.lastPublished().sequence()).as(agent.config().hostId())
                        .isGreaterThan(sequencesBefore[i]);
                assertThat(redis.command("EXISTS", farm.connection.keys().host(RedisFaultFarm.hostId(i + 1))))
                        .isEqualTo(1L);
            }
            FarmSnapshot s = farm.source.current();
            assertThat(s.stale()).isFalse();
            assertThat(s.eligibleCount()).isEqualTo(HOSTS);
            assertThat(farm.rebalancer.leader()).isTrue();
        });
        // Some load after the recovery too, then stop and count.
        long redirectsAtRecovery = load.redirectsOk();
        await().atMost(Duration.ofSeconds(20)).until(() -> load.redirectsOk() > redirectsAtRecovery + 20);
        load.close();
        watching = false;
        LOG.info("Redis outage of {} s: {}; in the outage {} redirects and {} DNS answers; fewest eligible hosts {}",
                OUTAGE.toSeconds(), load, redirectsInOutage, dnsInOutage, fewestEligible.get());

        assertThat(load.redirectsFailed()).as("failed redirects: %s", load.failures()).isZero();
        assertThat(load.dnsFailed()).as("failed DNS queries: %s", load.failures()).isZero();
        assertThat(redirectsInOutage).isPositive();
        assertThat(dnsInOutage).isPositive();
        assertThat(fewestEligible.get()).as("fewest eligible hosts seen").isEqualTo(HOSTS);
        // The farm is balanced: a rebalancer acting on the data it had (or on a half-refilled
        // registry) would have set targets; none may exist, no agent was asked to shed.
        assertThat(new OperatorStore(farm.connection, Clock.systemUTC()).readAll().values())
                .noneMatch(o -> o.hasTarget());
        List<FarmEvent> events = new EventLog(farm.connection).latest(EventLog.MAX_READ);
        assertThat(events).extracting(FarmEvent::type).doesNotContain(FarmEvent.Type.SHED, FarmEvent.Type.EXPIRE);
        assertThat(farm.shedRequests.get()).isZero();
    }
}
