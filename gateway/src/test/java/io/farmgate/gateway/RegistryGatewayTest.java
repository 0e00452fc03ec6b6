package io.farmgate.gateway;

import static io.farmgate.gateway.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.registry.EventLog;
import io.farmgate.registry.FarmEvent;
import io.farmgate.registry.HeartbeatPublisher;
import io.farmgate.registry.OperatorStore;
import io.farmgate.registry.RegistryConfig;
import io.farmgate.registry.RegistryConnection;
import io.farmgate.registry.SnapshotSource;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.scoring.ScoreFormula;
import io.farmgate.scoring.SlowStart;
import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.testing.RedisServerExtension;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The gateway over a real Redis registry: operator writes, host expiry and fail static. */
class RegistryGatewayTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static final long HEARTBEAT_MILLIS = 200;
    private static final long TTL_MILLIS = 1_000;
    private static final long REFRESH_MILLIS = 100;

    private final Clock clock = Clock.systemUTC();
    private RegistryConnection agentSide;
    private RegistryConnection gatewaySide;
    private SnapshotSource source;
    private OperatorStore operators;
    private EventLog events;
    private Gateway gateway;
    private RunningGateway client;
    private ScheduledExecutorService heartbeats;
    private final Set<String> beating = ConcurrentHashMap.newKeySet();
    private final AtomicLong sequence = new AtomicLong();

    @BeforeEach
    void start() {
        RegistryConfig config = RegistryConfig.defaults(redis.uri(), "gw-test")
                .withHeartbeat(HEARTBEAT_MILLIS, TTL_MILLIS)
                .withRefreshIntervalMillis(REFRESH_MILLIS)
                .withCommandTimeoutMillis(500);
        agentSide = RegistryConnection.open(config);
        gatewaySide = RegistryConnection.open(config);
        HeartbeatPublisher publisher = new HeartbeatPublisher(agentSide);
        beating.addAll(List.of("h1", "h2", "h3"));
        heartbeats = Executors.newSingleThreadScheduledExecutor();
        heartbeats.scheduleAtFixedRate(() -> {
            try {
                long seq = sequence.incrementAndGet();
                for (String id : beating) {
                    publisher.publish(report(id, seq));
                }
            } catch (Throwable t) {
                // Redis may be down on purpose; agents keep trying.
            }
        }, 0, HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS);
        SnapshotPolicy policy = new SnapshotPolicy(TTL_MILLIS, ScoreFormula.DEFAULT, SlowStart.OFF);
        source = SnapshotSource.start(gatewaySide, policy, clock);
        operators = new OperatorStore(gatewaySide, clock);
        events = new EventLog(gatewaySide);
        client = RunningGateway.start(source::current, new RegistryHostControl(operators, events, clock),
                b -> b.snapshotFreshMillis(REFRESH_MILLIS * 5).snapshotMaxStaleMillis(3_000),
                source::refreshFailures);
        await().atMost(Duration.ofSeconds(10)).until(() -> source.current().eligibleCount() == 3);
    }

    @AfterEach
    void stop() {
        heartbeats.shutdownNow();
        client.close();
        source.close();
        gatewaySide.close();
        agentSide.close();
    }

    private static HostReport report(String id, long seq) {
        int n = id.charAt(1) - '0';
        return new HostReport(id, "ws://10.0.0." + n + ":9001", "10.0.0." + n, "", 10 + n, 1000, 0.0,
                HostState.ACTIVE, 1.0, System.currentTimeMillis(), seq);
    }

    private Set<String> redirectTargets(int requests) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> r = client.get("/x");
            assertThat(r.statusCode()).isEqualTo(307);
            seen.add(r.headers().firstValue("Location").orElseThrow());
        }
        return seen;
    }

    @Test
    void drainThroughTheAdminApiRemovesTheHostFromPicksWithinOneRefresh() {
        HttpResponse<String> r = client.adminPost("/v1/hosts/h2/drain", "", RunningGateway.ADMIN_TOKEN);
        assertThat(r.statusCode()).isEqualTo(200);

        assertThat(source.refreshNow()).isTrue();

        assertThat(redirectTargets(30)).doesNotContain("http://10.0.0.2:9001/x");
        assertThat(operators.read("h2").draining()).isTrue();
    }

    @Test
    void drainIsNotedInTheEventLog() {
        client.adminPost("/v1/hosts/h1/drain", "", RunningGateway.ADMIN_TOKEN);

        assertThat(events.latest(5)).anySatisfy(e -> {
            assertThat(e.type()).isEqualTo(FarmEvent.Type.DRAIN);
            assertThat(e.hostId()).isEqualTo("h1");
        });
    }

    @Test
    void shedStoresTheTargetInTheRegistry() throws Exception {
        HttpResponse<String> r = client.adminPost("/v1/hosts/h3/shed", "{\"count\": 10}", RunningGateway.ADMIN_TOKEN);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("targetConnections").asInt()).isEqualTo(3);
        assertThat(operators.read("h3").targetConnections()).isEqualTo(3);
    }

    @Test
    void wrongOrMissingTokenLeavesTheRegistryUntouched() {
        assertThat(client.adminPost("/v1/hosts/h1/drain", "", null).statusCode()).isEqualTo(401);
        assertThat(client.adminPost("/v1/hosts/h1/shed", "{\"count\": 5}", "wrong-token-wrong-token").statusCode()).isEqualTo(401);
        assertThat(client.adminPost("/v1/scale-down", "{\"count\": 2}", RunningGateway.ADMIN_TOKEN.substring(1)).statusCode()).isEqualTo(401);

        assertThat(operators.readAll()).isEmpty();
        assertThat(events.length()).isZero();
    }

    @Test
    void killedHostLeavesPicksWithinItsHeartbeatExpiry() {
        beating.remove("h1");
        long stoppedAt = System.nanoTime();

        await().atMost(Duration.ofMillis(TTL_MILLIS + 5 * REFRESH_MILLIS + 2_000))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> source.current().host("h1") == null);

        assertThat(Duration.ofNanos(System.nanoTime() - stoppedAt)).isGreaterThanOrEqualTo(Duration.ofMillis(TTL_MILLIS / 2));
        assertThat(redirectTargets(30)).doesNotContain("http://10.0.0.1:9001/x");
    }

    @Test
    void drainedHostThatStoppedCanStillBeUndrained() {
        client.adminPost("/v1/hosts/h1/drain", "", RunningGateway.ADMIN_TOKEN);
        beating.remove("h1");
        await().atMost(Duration.ofSeconds(10)).until(() -> source.current().host("h1") == null);

        HttpResponse<String> r = client.adminPost("/v1/hosts/h1/undrain", "", RunningGateway.ADMIN_TOKEN);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(operators.read("h1").draining()).isFalse();
    }

    @Test
    void redisKilledRedirectsContinueAndReadyzSaysStale() throws Exception {
        redis.kill();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> ready = client.get("/readyz");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(json(ready).get("status").asText()).isEqualTo("stale");
        });
        assertThat(redirectTargets(30)).containsExactlyInAnyOrder(
                "http://10.0.0.1:9001/x", "http://10.0.0.2:9001/x", "http://10.0.0.3:9001/x");
        String metrics = client.adminGet("/metrics", null).body();
        assertThat(metrics).contains("farmgate_gateway_snapshot_stale 1.0");
        assertThat(metrics).doesNotContain("farmgate_registry_errors_total 0.0");
    }

    @Test
    void redisAwayPastTheHardBoundMakesReadyz503ButRedirectsGoOn() {
        redis.kill();

        await().atMost(Duration.ofSeconds(15)).until(() -> client.get("/readyz").statusCode() == 503);

        assertThat(client.get("/readyz").body()).contains("\"status\":\"stale\"");
        assertThat(redirectTargets(10)).hasSize(3);
    }

    @Test
    void adminWriteWhileRedisIsDownIs503AndClaimsNothing() {
        redis.kill();

        HttpResponse<String> r = client.adminPost("/v1/hosts/h1/drain", "", RunningGateway.ADMIN_TOKEN);

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("could not store the change");
    }
}
