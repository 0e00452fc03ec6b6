package io.farmgate.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.agent.FarmAgent;
import io.farmgate.backend.BackendConfig;
import io.farmgate.backend.ChatBackend;
import io.farmgate.client.Assignment;
import io.farmgate.client.ClientConfig;
import io.farmgate.client.ClientListener;
import io.farmgate.client.ClientState;
import io.farmgate.client.FarmgateClient;
import io.farmgate.gateway.Gateway;
import io.farmgate.gateway.GatewayConfig;
import io.farmgate.gateway.ListenAddress;
import io.farmgate.gateway.RegistryHostControl;
import io.farmgate.registry.EventLog;
import io.farmgate.registry.OperatorStore;
import io.farmgate.registry.RegistryConfig;
import io.farmgate.registry.RegistryConnection;
import io.farmgate.registry.SnapshotSource;
import io.farmgate.scoring.ScoreFormula;
import io.farmgate.scoring.SlowStart;
import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.testing.FreePort;
import io.farmgate.testing.RedisServerExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway closed and started again while cooperating clients keep connecting: with both gateways
 * configured, the clients go through the second one meanwhile and the application sees no error.
 */
class GatewayRestartTest {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayRestartTest.class);

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static final String FARM = "gw-restart";
    private static final int WORKERS = 4;
    private static final int MAX_CYCLES_PER_WORKER = 2_000;
    private static final Duration CYCLE_WAIT = Duration.ofSeconds(15);
    private static final Duration PHASE_WAIT = Duration.ofSeconds(20);
    private static final int CYCLES_PER_PHASE = 30;

    private final Clock clock = Clock.systemUTC();
    private final SnapshotPolicy policy = new SnapshotPolicy(1_000, new ScoreFormula(1.0, 0.0), SlowStart.OFF);
    private final List<ChatBackend> backends = new ArrayList<>();
    private RegistryConnection connection;
    private SnapshotSource source1;
    private SnapshotSource source2;
    private Gateway gateway1;
    private Gateway gateway2;
    private int gateway1Port;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
    private final ScheduledExecutorService clientScheduler = Executors.newScheduledThreadPool(2);
    private final ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
    private final AtomicBoolean stopping = new AtomicBoolean();

    /** One client's life: start, connected (or not), closed. */
    private record Cycle(long startedNanos, long endedNanos, boolean connected, boolean failedOver, ClientState state) {
    }

    private final ConcurrentLinkedQueue<Cycle> cycles = new ConcurrentLinkedQueue<>();
    private final List<String> errorsSurfaced = new CopyOnWriteArrayList<>();
    private final AtomicLong failovers = new AtomicLong();

    @BeforeEach
    void startFarm() {
        backends.add(backend(1));
        backends.add(backend(2));
        connection = RegistryConnection.open(RegistryConfig.defaults(redis.uri(), FARM).withHeartbeat(200, 1_000)
                .withRefreshIntervalMillis(100));
        source1 = SnapshotSource.start(connection, policy, clock);
        source2 = SnapshotSource.start(connection, policy, clock);
        gateway1 = gateway(source1, 0);
        gateway1Port = gateway1.port();
        gateway2 = gateway(source2, 0);
        await().atMost(PHASE_WAIT).until(() -> source1.current().eligibleCount() == 2
                && source2.current().eligibleCount() == 2);
    }

    private ChatBackend backend(int n) {
        int port = FreePort.pick();
        return ChatBackend.start(new BackendConfig("127.0.0.1", port, null, 5, FarmAgent.builder()
                .redis(redis.uri()).farm(FARM).hostId("host-" + n).url("ws://127.0.0.1:" + port).address("127.0.0.1")
                .capacity(10_000).heartbeatInterval(Duration.ofMillis(200)).heartbeatTtl(Duration.ofMillis(1_000))
                .buildConfig()));
    }

    private Gateway gateway(SnapshotSource source, int port) {
        return Gateway.start(GatewayConfig.builder().listen(new ListenAddress("127.0.0.1", port))
                        .adminListen(new ListenAddress("127.0.0.1", 0)).adminToken("gw-restart-admin-token-0123456789")
                        .build(),
                source::current, source::refreshFailures,
                new RegistryHostControl(new OperatorStore(connection, clock), new EventLog(connection), clock),
                clock, new SplittableRandom(port));
    }

    @AfterEach
    void stopFarm() throws InterruptedException {
        stopping.set(true);
        workers.shutdown();
        if (!workers.awaitTermination(CYCLE_WAIT.toSeconds() + 5, TimeUnit.SECONDS)) {
            workers.shutdownNow();
        }
        clientScheduler.shutdownNow();
        for (Gateway g : new Gateway[] {gateway1, gateway2}) {
            if (g != null) {
                g.close();
            }
        }
        for (SnapshotSource s : new SnapshotSource[] {source1, source2}) {
            if (s != null) {
                s.close();
            }
        }
        backends.forEach(ChatBackend::close);
        if (connection != null) {
            connection.close();
        }
    }

    /** Clients one after another, each until it is connected (or gave up), then closed; bounded in count. */
    private void connectInALoop(int worker) {
        ClientConfig config = ClientConfig.defaults(List.of(URI.create("http://127.0.0.1:" + gateway1Port),
                URI.create("http://127.0.0.1:" + gateway2.port()))).withPath("/chat");
        SplittableRandom seeds = new SplittableRandom(worker);
        for (int i = 0; i < MAX_CYCLES_PER_WORKER && !stopping.get(); i++) {
            CompletableFuture<Boolean> outcome = new CompletableFuture<>();
            AtomicBoolean failedOver = new AtomicBoolean();
            ClientListener listener = new ClientListener() {
                @Override
                public void onConnected(Assignment assignment) {
                    outcome.complete(true);
                }

                @Override
                public void onGatewayFailover(URI from, URI to, String why) {
                    failedOver.set(true);
                    failovers.incrementAndGet();
                }

                @Override
                public void onRetryScheduled(long delayMillis, String why) {
                    errorsSurfaced.add("retry in " + delayMillis + " ms: " + why);
                }

                @Override
                public void onFailed(String reason) {
                    errorsSurfaced.add("failed: " + reason);
                    outcome.complete(false);
                }
            };
            long started = System.nanoTime();
            FarmgateClient client = new FarmgateClient(config, http, clientScheduler, seeds.split(), clock, listener);
            boolean connected;
            try {
                client.start();
                connected = outcome.get(CYCLE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                errorsSurfaced.add("not connected within " + CYCLE_WAIT.toMillis() + " ms, state " + client.state());
                connected = false;
            } catch (Exception e) {
                errorsSurfaced.add("cycle: " + e);
                connected = false;
            }
            ClientState state = client.state();
            client.close();
            cycles.add(new Cycle(started, System.nanoTime(), connected, failedOver.get(), state));
        }
    }

    private void awaitConnectedSince(long nanos) {
        await().atMost(PHASE_WAIT).untilAsserted(() -> assertThat(connectedSince(nanos))
                .as("clients connected; errors surfaced so far: %s", errorsSurfaced.stream().limit(5).toList())
                .isGreaterThanOrEqualTo(CYCLES_PER_PHASE));
    }

    private long connectedSince(long nanos) {
        return cycles.stream().filter(c -> c.connected() && c.startedNanos() > nanos).count();
    }

    @Test
    void clientsRetryingThroughTheSecondGatewaySeeNoErrorWhileTheFirstRestarts() {
        for (int w = 0; w < WORKERS; w++) {
            int worker = w;
            workers.execute(() -> connectInALoop(worker));
        }
        awaitConnectedSince(0);

        long stoppedAt = System.nanoTime();
        gateway1.close();
        source1.close();
        gateway1 = null;
        awaitConnectedSince(stoppedAt);

        // Started again as `farmgate gateway` starts: a fresh snapshot read before the listener opens.
        source1 = SnapshotSource.start(connection, policy, clock);
        assertThat(source1.refreshNow()).isTrue();
        long restartBeganAt = System.nanoTime();
        gateway1 = gateway(source1, gateway1Port);
        long restartedAt = System.nanoTime();
        awaitConnectedSince(restartedAt);
        stopping.set(true);
        workers.shutdown();
        await().atMost(CYCLE_WAIT.plusSeconds(5)).until(workers::isTerminated);

        List<Cycle> all = List.copyOf(cycles);
        List<Cycle> duringOutage = all.stream()
                .filter(c -> c.startedNanos() > stoppedAt && c.endedNanos() < restartBeganAt).toList();
        List<Cycle> afterRestart = all.stream().filter(c -> c.startedNanos() > restartedAt).toList();
        LOG.info("gateway restart under load: {} client cycles, {} during the outage, {} after the restart; "
                + "{} gateway failovers; errors surfaced: {}", all.size(), duringOutage.size(), afterRestart.size(),
                failovers.get(), errorsSurfaced.size());

        assertThat(errorsSurfaced).isEmpty();
        assertThat(all).allSatisfy(c -> {
            assertThat(c.connected()).isTrue();
            assertThat(c.state()).isNotEqualTo(ClientState.FAILED);
        });
        // The outage was real: clients that came and went while the first gateway was down went through the second.
        assertThat(duringOutage).isNotEmpty().allSatisfy(c -> assertThat(c.failedOver()).isTrue());
        // And the first gateway is back: new clients are answered by it again.
        assertThat(afterRestart).hasSizeGreaterThanOrEqualTo(CYCLES_PER_PHASE)
                .allSatisfy(c -> assertThat(c.failedOver()).isFalse());
    }
}
