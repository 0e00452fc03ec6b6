package io.farmgate.gateway;

import static io.farmgate.gateway.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.farmgate.registry.EventLog;
import io.farmgate.registry.FarmEvent;
import io.farmgate.registry.HeartbeatPublisher;
import io.farmgate.registry.LeaderLease;
import io.farmgate.registry.OperatorStore;
import io.farmgate.registry.RegistryConfig;
import io.farmgate.registry.RegistryConnection;
import io.farmgate.registry.SnapshotSource;
import io.farmgate.scoring.Eligibility;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.scoring.OperatorState;
import io.farmgate.scoring.ScoreFormula;
import io.farmgate.scoring.SlowStart;
import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.scoring.rebalance.RebalancePlan;
import io.farmgate.scoring.rebalance.RebalancePolicy;
import io.farmgate.testing.RedisServerExtension;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

/** Gateways with their rebalancer over a real Redis: leadership, stored targets, scale-down progress. */
class RebalancerTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static final long HEARTBEAT_MILLIS = 100;
    private static final long TTL_MILLIS = 1_000;
    private static final long PERIOD_MILLIS = 100;
    private static final long LEASE_MILLIS = 600;
    /** Caps wide enough that one period brings a host all the way to the mean. */
    private static final RebalancePolicy POLICY = new RebalancePolicy(0.10, 10_000, 1.0, 100_000, 0.5, 1.0);

    private final Clock clock = Clock.systemUTC();
    private final Map<String, Integer> connections = new ConcurrentHashMap<>();
    /** Hosts whose heartbeat keeps arriving with the same sequence number: stale, though present. */
    private final Set<String> frozen = ConcurrentHashMap.newKeySet();
    private final AtomicLong sequence = new AtomicLong(1);
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private RegistryConnection agentSide;
    private RegistryConnection gatewaySide;
    private SnapshotSource source;
    private OperatorStore operators;
    private EventLog events;
    private ScheduledExecutorService heartbeats;

    @BeforeEach
    void start() {
        RegistryConfig config = RegistryConfig.defaults(redis.uri(), "rebalance-test")
                .withHeartbeat(HEARTBEAT_MILLIS, TTL_MILLIS)
                .withRefreshIntervalMillis(HEARTBEAT_MILLIS)
                .withCommandTimeoutMillis(500);
        agentSide = RegistryConnection.open(config);
        gatewaySide = RegistryConnection.open(config);
        HeartbeatPublisher publisher = new HeartbeatPublisher(agentSide);
        heartbeats = Executors.newSingleThreadScheduledExecutor();
        heartbeats.scheduleAtFixedRate(() -> {
            try {
                long seq = sequence.incrementAndGet();
                connections.forEach((id, n) -> publisher.publish(report(id, n, frozen.contains(id) ? 1 : seq)));
            } catch (Throwable t) {
                // keep beating
            }
        }, 0, HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS);
        source = SnapshotSource.start(gatewaySide, new SnapshotPolicy(TTL_MILLIS, ScoreFormula.DEFAULT, SlowStart.OFF),
                clock);
        operators = new OperatorStore(gatewaySide, clock);
        events = new EventLog(gatewaySide);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        heartbeats.shutdownNow();
        source.close();
        gatewaySide.close();
        agentSide.close();
    }

    private static HostReport report(String id, int connections, long seq) {
        return new HostReport(id, "ws://10.0.0.1:9001", "10.0.0.1", "", connections, 1000, 0.0,
                HostState.ACTIVE, 1.0, System.currentTimeMillis(), seq);
    }

    private void hosts(int... counts) {
        for (int i = 0; i < counts.length; i++) {
            connections.put("h" + (i + 1), counts[i]);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> source.current().hosts().size() == counts.length
                && source.current().hosts().stream().allMatch(h -> h.report().connections() == counts[Integer.parseInt(h.id().substring(1)) - 1]));
    }

    private RunningGateway gateway(String owner) {
        RebalancerConfig config = new RebalancerConfig(PERIOD_MILLIS, LEASE_MILLIS, POLICY, owner);
        Rebalancer rebalancer = new Rebalancer(config, new LeaderLease(gatewaySide, owner, LEASE_MILLIS, clock),
                operators, events, source::current, clock, new SplittableRandom(7));
        RunningGateway g = new RunningGateway(Gateway.start(RunningGateway.config().build(), source::current,
                source::refreshFailures, new RegistryHostControl(operators, events, clock), clock,
                new SplittableRandom(42), rebalancer));
        toClose.add(g);
        return g;
    }

    private List<FarmEvent> events(FarmEvent.Type type) {
        return events.latest(1_000).stream().filter(e -> e.type() == type).toList();
    }

    @Test
    void overloadedHostGetsATargetThatBringsItToTheMean() {
        hosts(600, 200, 200, 200);

        gateway("gw-a");

        // Scores follow connections (no CPU): mean 300, so h1 sheds 600 x (1 - 300/600) = 300.
        await().atMost(Duration.ofSeconds(10)).until(() -> operators.read("h1").hasTarget());
        assertThat(operators.read("h1").targetConnections()).isEqualTo(300);
        assertThat(operators.readAll().keySet()).containsExactly("h1");
    }

    @Test
    void orderIsAnEventSignedByTheGatewayWithThePlanAsReason() {
        hosts(600, 200, 200, 200);

        gateway("gw-a");

        await().atMost(Duration.ofSeconds(10)).until(() -> !events(FarmEvent.Type.SHED).isEmpty());
        FarmEvent shed = events(FarmEvent.Type.SHED).get(0);
        assertThat(shed.hostId()).isEqualTo("h1");
        assertThat(shed.actor()).isEqualTo("gw-a");
        assertThat(shed.reason()).startsWith("overloaded");
        assertThat(shed.details()).containsEntry("targetConnections", "300").containsKey("plan");
    }

    @Test
    void replanningFromTheSameHeartbeatDoesNotCompoundTheTarget() {
        hosts(600, 200, 200, 200);
        RunningGateway g = gateway("gw-a");
        await().atMost(Duration.ofSeconds(10)).until(() -> operators.read("h1").hasTarget());

        // The fake host never sheds: every later period sees the same 600 connections.
        long ordersBefore = g.gateway.rebalancer().orders();
        long plansBefore = g.gateway.rebalancer().plans();
        await().atMost(Duration.ofSeconds(10)).until(() -> g.gateway.rebalancer().plans() >= plansBefore + 5);

        assertThat(operators.read("h1").targetConnections()).isEqualTo(300);
        assertThat(g.gateway.rebalancer().orders()).isEqualTo(ordersBefore);
        assertThat(events(FarmEvent.Type.SHED)).hasSize(1);
    }

    @Test
    void noNewOrderWhileTheLastWaveIsStillShedding() {
        hosts(600, 200, 200, 200);
        RunningGateway g = gateway("gw-a");
        await().atMost(Duration.ofSeconds(10)).until(() -> operators.read("h1").hasTarget());

        // h1 has not shed yet; h2 now looks overloaded too.
        hosts(600, 700, 200, 200);
        long plansBefore = g.gateway.rebalancer().plans();
        await().atMost(Duration.ofSeconds(10)).until(() -> g.gateway.rebalancer().plans() >= plansBefore + 5);
        assertThat(operators.read("h2").hasTarget()).isFalse();

        // h1 reaches its target: once the wave has settled, h2 gets its order.
        hosts(300, 700, 200, 200);
        await().atMost(Duration.ofSeconds(10)).until(() -> operators.read("h2").hasTarget());
    }

    @Test
    void lastWavesTargetStaysThroughTheNextWave() {
        hosts(600, 200, 200, 200);
        RunningGateway g = gateway("gw-a");
        await().atMost(Duration.ofSeconds(10)).until(() -> operators.read("h1").hasTarget());

        // h1 reached its target; the next wave orders h2, and h1 stays held at its target meanwhile.
        hosts(300, 700, 200, 200);
        await().atMost(Duration.ofSeconds(10)).until(() -> operators.read("h2").hasTarget());
        long plansBefore = g.gateway.rebalancer().plans();
        await().atMost(Duration.ofSeconds(10)).until(() -> g.gateway.rebalancer().plans() >= plansBefore + 5);
        assertThat(operators.read("h1").targetConnections()).isEqualTo(300);

        // Balanced: every target goes.
        hosts(300, 300, 300, 300);
        await().atMost(Duration.ofSeconds(10)).until(() -> operators.readAll().values().stream()
                .noneMatch(OperatorState::hasTarget));
    }

    @Test
    void targetIsClearedOnceTheHostIsBackWithinTheBand() {
        hosts(600, 200, 200, 200);
        gateway("gw-a");
        await().atMost(Duration.ofSeconds(10)).until(() -> operators.read("h1").hasTarget());

        hosts(300, 300, 300, 300);

        await().atMost(Duration.ofSeconds(10)).until(() -> !operators.read("h1").hasTarget());
        assertThat(events(FarmEvent.Type.TARGET)).anySatisfy(e -> {
            assertThat(e.hostId()).isEqualTo("h1");
            assertThat(e.reason()).startsWith("back within the band");
        });
    }

    @Test
    void targetTheFarmHasOutgrownIsLifted() {
        hosts(600, 200, 200, 200);
        gateway("gw-a");
        await().atMost(Duration.ofSeconds(10)).until(() -> operators.read("h1").hasTarget());

        // Clients kept arriving elsewhere: h1 (still above its target of 300) is now below the mean of 825.
        hosts(600, 900, 900, 900);

        await().atMost(Duration.ofSeconds(10)).until(() -> !operators.read("h1").hasTarget());
        assertThat(events(FarmEvent.Type.TARGET)).anySatisfy(e -> {
            assertThat(e.hostId()).isEqualTo("h1");
            assertThat(e.reason()).startsWith("outgrown");
        });
    }

    @Test
    void operatorsTargetIsNotLiftedThoughTheHostIsBelowTheMean() {
        hosts(200, 900, 900, 900);
        operators.setTarget("h1", 100);
        RunningGateway g = gateway("gw-a");

        long plansBefore = g.gateway.rebalancer().plans();
        await().atMost(Duration.ofSeconds(10)).until(() -> g.gateway.rebalancer().plans() >= plansBefore + 5);

        assertThat(operators.read("h1").targetConnections()).isEqualTo(100);
    }

    @Test
    void nothingIsOrderedWhileMostHeartbeatsAreStale() {
        frozen.addAll(Set.of("h2", "h3", "h4"));
        hosts(600, 200, 200, 200);
        await().atMost(Duration.ofSeconds(10)).until(() -> source.current().hosts().stream()
                .filter(h -> h.eligibility() == Eligibility.STALE).count() == 3);

        RunningGateway g = gateway("gw-a");

        await().atMost(Duration.ofSeconds(10)).until(() -> g.gateway.rebalancer().lastPlan() != null);
        assertThat(g.gateway.rebalancer().lastPlan().verdict()).isEqualTo(RebalancePlan.Verdict.STALE_MAJORITY);
        assertThat(operators.read("h1")).isEqualTo(OperatorState.DEFAULT);
        assertThat(events(FarmEvent.Type.SHED)).isEmpty();
    }

    @Test
    void ofTwoGatewaysExactlyOneLeadsAndOnlyItOrders() throws Exception {
        hosts(600, 200, 200, 200);
        RunningGateway a = gateway("gw-a");
        RunningGateway b = gateway("gw-b");

        await().atMost(Duration.ofSeconds(10)).until(() -> operators.read("h1").hasTarget());
        await().atMost(Duration.ofSeconds(10)).until(() -> a.gateway.rebalancer().leader() ^ b.gateway.rebalancer().leader());
        RunningGateway leader = a.gateway.rebalancer().leader() ? a : b;
        RunningGateway follower = leader == a ? b : a;

        assertThat(leaderGauge(leader)).isEqualTo("1.0");
        assertThat(leaderGauge(follower)).isEqualTo("0.0");
        assertThat(follower.gateway.rebalancer().orders()).isZero();
        String leaderOwner = leader.gateway.rebalancer().config().ownerId();
        assertThat(events(FarmEvent.Type.SHED)).extracting(FarmEvent::actor).containsOnly(leaderOwner);
        assertThat(events(FarmEvent.Type.LEADER)).extracting(FarmEvent::actor).containsOnly(leaderOwner);
    }

    @Test
    void whenTheLeaderDiesTheOtherTakesOverWithinTheLeaseExpiry() {
        hosts(200, 200, 200, 200);
        RunningGateway a = gateway("gw-a");
        RunningGateway b = gateway("gw-b");
        await().atMost(Duration.ofSeconds(10)).until(() -> a.gateway.rebalancer().leader() ^ b.gateway.rebalancer().leader());
        RunningGateway leader = a.gateway.rebalancer().leader() ? a : b;
        RunningGateway other = leader == a ? b : a;

        // As a crash would: the loop stops and the lease is not given up, so it has to expire.
        leader.gateway.rebalancer().abandon();
        long diedAt = System.nanoTime();

        await().atMost(Duration.ofMillis(LEASE_MILLIS + PERIOD_MILLIS + 1_500)).pollInterval(Duration.ofMillis(20))
                .until(() -> other.gateway.rebalancer().leader());
        assertThat(Duration.ofNanos(System.nanoTime() - diedAt)).isGreaterThanOrEqualTo(Duration.ofMillis(LEASE_MILLIS / 2));
        hosts(600, 200, 200, 200);
        await().atMost(Duration.ofSeconds(10)).until(() -> operators.read("h1").hasTarget());
        assertThat(events(FarmEvent.Type.SHED)).extracting(FarmEvent::actor)
                .containsOnly(other.gateway.rebalancer().config().ownerId());
    }

    @Test
    void redisOutageIsLoggedOnceNotEveryPeriod() {
        hosts(200, 200, 200, 200);
        RunningGateway g = gateway("gw-a");
        await().atMost(Duration.ofSeconds(10)).until(() -> g.gateway.rebalancer().leader());
        ch.qos.logback.classic.Logger logger =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Rebalancer.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
                new ch.qos.logback.core.read.ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        try {
            long errorsBefore = g.gateway.rebalancer().errors();
            redis.kill();
            await().atMost(Duration.ofSeconds(20)).until(() -> g.gateway.rebalancer().errors() >= errorsBefore + 5);
            redis.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> g.gateway.rebalancer().leader());

            List<String> warnings = logs.list.stream()
                    .filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                    .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
            assertThat(warnings).filteredOn(m -> m.contains("not reachable")).hasSize(1);
            assertThat(logs.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .filteredOn(m -> m.contains("reachable again")).hasSize(1);
        } finally {
            logger.detachAppender(logs);
        }
    }

    @Test
    void closedLeaderGivesTheLeaseUpAndTheOtherTakesOver() {
        hosts(200, 200, 200, 200);
        RunningGateway a = gateway("gw-a");
        RunningGateway b = gateway("gw-b");
        await().atMost(Duration.ofSeconds(10)).until(() -> a.gateway.rebalancer().leader() ^ b.gateway.rebalancer().leader());
        RunningGateway leader = a.gateway.rebalancer().leader() ? a : b;
        RunningGateway other = leader == a ? b : a;

        leader.close();

        await().atMost(Duration.ofMillis(LEASE_MILLIS + PERIOD_MILLIS + 1_500)).until(() -> other.gateway.rebalancer().leader());
        assertThat(events(FarmEvent.Type.LEADER)).anySatisfy(e -> {
            assertThat(e.actor()).isEqualTo(leader.gateway.rebalancer().config().ownerId());
            assertThat(e.details()).containsEntry("leader", "false");
        });
    }

    @Test
    void scaleDownProgressReachesSafeToRemoveWhenTheHostReportsNoConnections() throws Exception {
        hosts(200, 200, 200, 80);
        RunningGateway g = gateway("gw-a");
        HttpResponse<String> r = g.adminPost("/v1/scale-down", "{\"count\": 1}", RunningGateway.ADMIN_TOKEN);
        assertThat(json(r).get("draining").get(0).asText()).isEqualTo("h4");
        await().atMost(Duration.ofSeconds(10)).until(() -> progressOf(g, "h4") != null);
        assertThat(progressOf(g, "h4").get("safeToRemove").asBoolean()).isFalse();

        connections.put("h4", 40);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode p = progressOf(g, "h4");
            assertThat(p.get("connections").asInt()).isEqualTo(40);
            assertThat(p.get("ratePerSecond").asDouble()).isPositive();
            assertThat(p.get("etaSeconds").isIntegralNumber()).isTrue();
        });
        connections.put("h4", 0);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode p = progressOf(g, "h4");
            assertThat(p.get("safeToRemove").asBoolean()).isTrue();
            assertThat(p.get("etaSeconds").asLong()).isZero();
        });
    }

    @Test
    void farmSummaryAndMetricGiveTheDesiredNumberOfHosts() throws Exception {
        hosts(500, 500, 500, 500);
        RunningGateway g = gateway("gw-a");

        JsonNode farm = json(g.adminGet("/v1/farm", RunningGateway.ADMIN_TOKEN));

        // 2000 connections / (1000 per host x 0.7) = 2.86 -> 3
        assertThat(farm.get("connections").asLong()).isEqualTo(2000);
        assertThat(farm.get("desiredHosts").asInt()).isEqualTo(3);
        assertThat(g.adminGet("/metrics", null).body()).contains("farmgate_desired_hosts 3.0");
    }

    private static JsonNode progressOf(RunningGateway g, String id) throws Exception {
        for (JsonNode h : json(g.adminGet("/v1/scale-down", RunningGateway.ADMIN_TOKEN)).get("hosts")) {
            if (h.get("id").asText().equals(id)) {
                return h;
            }
        }
        return null;
    }

    private static String leaderGauge(RunningGateway g) {
        for (String line : g.adminGet("/metrics", null).body().split("\n")) {
            if (line.startsWith("farmgate_rebalancer_leader ")) {
                return line.substring(line.indexOf(' ') + 1).trim();
            }
        }
        return null;
    }
}
