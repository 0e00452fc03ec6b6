package io.farmgate.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.client.FrontDoor;
import io.farmgate.client.LoadGenerator;
import io.farmgate.client.LoadReport;
import io.farmgate.client.LoadgenConfig;
import io.farmgate.client.ReconnectCause;
import io.farmgate.gateway.Gateway;
import io.farmgate.gateway.GatewayConfig;
import io.farmgate.gateway.ListenAddress;
import io.farmgate.gateway.Rebalancer;
import io.farmgate.gateway.RebalancerConfig;
import io.farmgate.gateway.RegistryHostControl;
import io.farmgate.registry.EventLog;
import io.farmgate.registry.OperatorStore;
import io.farmgate.registry.RegistryConfig;
import io.farmgate.registry.RegistryConnection;
import io.farmgate.registry.SnapshotSource;
import io.farmgate.scoring.HostView;
import io.farmgate.scoring.ScoreFormula;
import io.farmgate.scoring.SlowStart;
import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.scoring.rebalance.RebalancePolicy;
import io.farmgate.testing.RedisServerExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: moves that miss nothing. Real Redis, the demo backends as child processes (positions on,
 * the default), a gateway with the rebalancer, and {@link LoadGenerator}'s clients chatting in one room
 * while the farm moves them: a drain, a shed order, a rebalance wave onto a fourth host that joins empty,
 * a rolling restart of every backend (SIGTERM: drain), and one backend killed with SIGKILL. Each run
 * must end with 0 broadcasts missed by position, 0 duplicates, 0 messages lost; a client only ever
 * delivers positions in increasing order, so a frame out of order would show as a miss.
 * ({@code DemoLoadTest} checks the same across a drain of the demo farm itself, 300 clients.)
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ResumeUnderMovesTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    @TempDir
    static Path logs;

    private static final String FARM = "moves";
    private static final String ADMIN_TOKEN = "moves-admin-token-0123456789abcdef";
    private static final int CLIENTS = Integer.getInteger("farmgate.e2e.clients", 150);
    private static final long HEARTBEAT_MILLIS = 200;
    private static final long TTL_MILLIS = 1_000;
    private static final Duration START_WAIT = Duration.ofSeconds(60);

    private static final Clock clock = Clock.systemUTC();
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final List<BackendProcess> backends = new ArrayList<>();
    private static final AtomicInteger started = new AtomicInteger();
    private static RegistryConnection connection;
    private static SnapshotSource source;
    private static Gateway gateway;

    @BeforeAll
    static void startFarm() throws Exception {
        for (int i = 0; i < 3; i++) {
            backends.add(startBackend());
        }
        connection = RegistryConnection.open(RegistryConfig.defaults(redis.uri(), FARM)
                .withHeartbeat(HEARTBEAT_MILLIS, TTL_MILLIS).withRefreshIntervalMillis(100));
        // Connections only: the child JVMs share this machine's CPU, which says nothing about any one host.
        source = SnapshotSource.start(connection, new SnapshotPolicy(TTL_MILLIS, new ScoreFormula(1.0, 0.0), SlowStart.OFF),
                clock);
        gateway = Gateway.start(GatewayConfig.builder().listen(new ListenAddress("127.0.0.1", 0))
                        .adminListen(new ListenAddress("127.0.0.1", 0)).adminToken(ADMIN_TOKEN).build(),
                source::current, source::refreshFailures,
                new RegistryHostControl(new OperatorStore(connection, clock), new EventLog(connection), clock),
                clock, new SplittableRandom(1), Rebalancer.overRegistry(
                        new RebalancerConfig(500, 2_000, RebalancePolicy.DEFAULT, "gw-moves", 5_000),
                        connection, source::current, clock, new SplittableRandom(2)));
        awaitEligible(3);
    }

    @AfterAll
    static void stopFarm() {
        if (gateway != null) {
            gateway.close();
        }
        if (source != null) {
            source.close();
        }
        if (connection != null) {
            connection.close();
        }
        backends.forEach(BackendProcess::close);
    }

    private static BackendProcess startBackend() throws Exception {
        int n = started.incrementAndGet();
        return BackendProcess.start(redis.uri(), FARM, "moves-" + n, "127.0.0.1", HEARTBEAT_MILLIS, TTL_MILLIS, logs);
    }

    private static void awaitEligible(int count) {
        await().atMost(START_WAIT).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> assertThat(
                backends.stream().filter(b -> eligible(b.hostId())).count())
                .as("eligible backends; logs:%n%s", backends.stream().map(BackendProcess::log).toList())
                .isEqualTo(count));
    }

    private static boolean eligible(String hostId) {
        HostView h = source.current().host(hostId);
        return h != null && h.eligibility().eligible();
    }

    /** A load run of {@code durationMillis} with {@code during} happening once the clients are connected. */
    private static LoadReport runWith(long durationMillis, long seed, Action during) throws Exception {
        long rampMillis = 1_500;
        // The last run's clients are gone from the heartbeats first: counted still, they would let the farm move
        // before this run's clients are on it (and a host killed then would have none to move).
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
                source.current().hosts().stream().mapToInt(h -> h.report().connections()).sum() == 0);
        LoadgenConfig config = new LoadgenConfig(URI.create("http://127.0.0.1:" + gateway.port()), CLIENTS,
                durationMillis, rampMillis, 20, FrontDoor.ASSIGN, "/chat", 1_000, 30_000, 5_000, seed);
        long startNanos = System.nanoTime();
        CompletableFuture<LoadReport> running = CompletableFuture.supplyAsync(() -> {
            try {
                return new LoadGenerator(config).run(System.out::println);
            } catch (InterruptedException e) {
                throw new CompletionException(e);
            }
        });
        // The clients are connected (as the hosts' heartbeats count them) before the farm moves them.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
                source.current().hosts().stream().mapToInt(h -> h.report().connections()).sum() >= CLIENTS);
        during.run();
        long actionDoneMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        LoadReport report = running.get(durationMillis + 90_000, TimeUnit.MILLISECONDS);
        // The moves must be over while the load still runs, or the run would not test them.
        assertThat(actionDoneMillis).as("the farm's moves ended before the load did").isLessThan(durationMillis - 2_000);
        System.out.println(report.format());
        return report;
    }

    /** The host with the most clients now (an earlier wave's target may keep one nearly empty for a while). */
    private static BackendProcess busiest() {
        return backends.stream().max(Comparator.comparingInt(b -> {
            HostView h = source.current().host(b.hostId());
            return h == null ? -1 : h.report().connections();
        })).orElseThrow();
    }

    /** What happens to the farm during a run. */
    private interface Action {
        void run() throws Exception;
    }

    private static void assertNothingMissed(LoadReport report, ReconnectCause expectedCause) {
        LoadReport.Broadcasts b = report.broadcasts();
        assertThat(b.positioned()).as("the backends send positions").isTrue();
        assertThat(report.reconnects().get(expectedCause)).as("clients were moved").isPositive();
        assertThat(b.roomPositions()).as("broadcasts in the room").isGreaterThan(50);
        assertThat(b.expected()).isGreaterThan(b.roomPositions());
        assertThat(b.missed()).as("broadcasts missed").isZero();
        assertThat(b.delivered()).isEqualTo(b.expected());
        assertThat(report.duplicatesDropped()).as("duplicates").isZero();
        assertThat(report.lost()).as("messages lost").isZero();
        assertThat(report.failedClients()).isZero();
        assertThat(b.gaps()).isZero();
        assertThat(report.passed()).isTrue();
    }

    private static HttpResponse<String> admin(String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort() + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void aDrainMissesNothing() throws Exception {
        BackendProcess drained = backends.get(0);
        LoadReport report = runWith(10_000, 10, () -> {
            HttpResponse<String> r = admin("POST", "/v1/hosts/" + drained.hostId() + "/drain", null);
            assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
                HostView h = source.current().host(drained.hostId());
                return h != null && h.report().connections() == 0;
            });
        });
        assertNothingMissed(report, ReconnectCause.SERVICE_RESTART);
        assertThat(report.clientsPerHost()).doesNotContainKey(drained.hostId());
        assertThat(admin("POST", "/v1/hosts/" + drained.hostId() + "/undrain", null).statusCode()).isBetween(200, 299);
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void aShedOrderMissesNothing() throws Exception {
        LoadReport report = runWith(10_000, 11, () -> {
            HttpResponse<String> r = admin("POST", "/v1/hosts/" + busiest().hostId() + "/shed",
                    "{\"count\": " + CLIENTS / 5 + "}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        });
        assertNothingMissed(report, ReconnectCause.SERVICE_RESTART);
    }

    @Test
    @org.junit.jupiter.api.Order(3)
    void aRebalanceWaveOntoAFourthHostJoiningEmptyMissesNothing() throws Exception {
        LoadReport report = runWith(25_000, 12, () -> {
            BackendProcess joining = startBackend();
            backends.add(joining);
            awaitEligible(4);
            // The rebalancer's wave moves clients onto it (new clients alone would not: the load is steady).
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> {
                HostView h = source.current().host(joining.hostId());
                return h != null && h.report().connections() >= CLIENTS / 8;
            });
        });
        assertNothingMissed(report, ReconnectCause.SERVICE_RESTART);
        assertThat(report.clientsPerHost()).containsKey(backends.get(3).hostId());
        // Back to three hosts for the next case, without load.
        backends.remove(0).terminate();
    }

    @Test
    @org.junit.jupiter.api.Order(4)
    void aRollingRestartOfEveryBackendMissesNothing() throws Exception {
        LoadReport report = runWith(60_000, 13, () -> {
            // One host at a time: its new version comes up beside it, then it stops (SIGTERM: drain).
            for (BackendProcess old : List.copyOf(backends)) {
                BackendProcess replacement = startBackend();
                backends.add(replacement);
                await().atMost(START_WAIT).pollInterval(Duration.ofMillis(50)).until(() -> eligible(replacement.hostId()));
                old.terminate();
                backends.remove(old);
            }
        });
        assertNothingMissed(report, ReconnectCause.SERVICE_RESTART);
        assertThat(report.clientsPerHost().keySet()).allMatch(h -> backends.stream().anyMatch(b -> b.hostId().equals(h)));
    }

    @Test
    @org.junit.jupiter.api.Order(5)
    void aBackendKilledWithSigkillMissesNothing() throws Exception {
        AtomicReference<BackendProcess> killed = new AtomicReference<>();
        LoadReport report = runWith(12_000, 14, () -> {
            BackendProcess victim = busiest();
            killed.set(victim);
            victim.kill();
            backends.remove(victim);
        });
        BackendProcess victim = killed.get();
        if (report.clientsPerHost().containsKey(victim.hostId())) {
            Process ss = new ProcessBuilder("sh", "-c", "ss -tanp | grep ':" + victim.port() + " ' | head -20")
                    .redirectErrorStream(true).start();
            System.out.println("DIAG victim port " + victim.port() + ":\n" + new String(ss.getInputStream().readAllBytes()));
        }
        assertNothingMissed(report, ReconnectCause.ABNORMAL);
        assertThat(report.clientsPerHost()).doesNotContainKey(victim.hostId());
    }
}
