package io.farmgate.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.agent.FarmAgent;
import io.farmgate.registry.FarmKeys;
import io.farmgate.registry.RegistryConfig;
import io.farmgate.registry.SnapshotSource;
import io.farmgate.scoring.Eligibility;
import io.farmgate.scoring.HostView;
import io.farmgate.scoring.ScoreFormula;
import io.farmgate.scoring.SlowStart;
import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.testing.RedisServerExtension;
import java.time.Clock;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real agent whose clock is 30 s ahead of or behind the reader's (the snapshot source gateway
 * and DNS pick from): it stays in the picks while it heartbeats and leaves them within the expiry
 * once it stops, because the reader judges freshness by its own clock and Redis expires the key
 * by Redis's, never by the agent's stamp.
 */
class RedisClockSkewTest {

    private static final Duration HEARTBEAT_INTERVAL = Duration.ofMillis(250);
    private static final Duration HEARTBEAT_TTL = Duration.ofMillis(1_500);
    private static final String FARM = "skew";
    private static final String HOST = "skewed-1";

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private final ScheduledExecutorService agentThreads = Executors.newScheduledThreadPool(2);
    private FarmAgent agent;
    private SnapshotSource source;

    private void start(long skewMillis) {
        agent = FarmAgent.builder().redis(redis.uri()).farm(FARM).hostId(HOST).url("ws://127.0.0.1:9001")
                .address("127.0.0.11").capacity(100).connections(() -> 0).shedHandler((count, code) -> { })
                .heartbeatInterval(HEARTBEAT_INTERVAL).heartbeatTtl(HEARTBEAT_TTL)
                .clock(Clock.offset(Clock.systemUTC(), Duration.ofMillis(skewMillis)))
                .scheduler(agentThreads).random(new SplittableRandom(7)).start();
        source = SnapshotSource.open(RegistryConfig.defaults(redis.uri(), FARM)
                        .withHeartbeat(HEARTBEAT_INTERVAL.toMillis(), HEARTBEAT_TTL.toMillis())
                        .withRefreshIntervalMillis(100),
                new SnapshotPolicy(HEARTBEAT_TTL.toMillis(), ScoreFormula.DEFAULT, SlowStart.OFF), Clock.systemUTC());
        await().atMost(Duration.ofSeconds(20)).until(() -> eligibility() == Eligibility.ELIGIBLE);
    }

    private Eligibility eligibility() {
        HostView h = source.current().host(HOST);
        return h == null ? null : h.eligibility();
    }

    @AfterEach
    void stop() {
        if (source != null) {
            source.close();
        }
        agentThreads.shutdownNow();
        if (agent != null) {
            agent.close();
        }
    }

    @ParameterizedTest(name = "agent clock off by {0} ms")
    @ValueSource(longs = {30_000, -30_000})
    void skewedAgentStaysInThePicksWhileItHeartbeats(long skewMillis) {
        start(skewMillis);

        long stampOffsetMillis = source.current().host(HOST).report().reportedAtMillis() - System.currentTimeMillis();
        assertThat(stampOffsetMillis).as("the agent's stamps carry its skew").isBetween(skewMillis - 5_000,
                skewMillis + 5_000);
        // Several expiry periods: a reader going by the stamp would call a clock 30 s behind stale at once.
        await().during(HEARTBEAT_TTL.multipliedBy(3)).atMost(HEARTBEAT_TTL.multipliedBy(3).plusSeconds(5))
                .until(() -> eligibility() == Eligibility.ELIGIBLE);
    }

    @ParameterizedTest(name = "agent clock off by {0} ms")
    @ValueSource(longs = {30_000, -30_000})
    void skewedAgentLeavesThePicksWithinTheExpiryOnceItStops(long skewMillis) {
        start(skewMillis);

        // The agent freezes: no more heartbeats, and no goodbye that would remove its key.
        agentThreads.shutdownNow();

        // A reader going by the stamp would keep a clock 30 s ahead fresh for 30 s more.
        await().atMost(HEARTBEAT_TTL.plusSeconds(8)).until(() -> eligibility() != Eligibility.ELIGIBLE);
        await().atMost(HEARTBEAT_TTL.plusSeconds(8)).until(() -> source.current().host(HOST) == null);
        assertThat(redis.command("EXISTS", new FarmKeys(FARM).host(HOST))).isEqualTo(0L);
    }
}
