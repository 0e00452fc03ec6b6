package io.farmgate.cli;

import io.farmgate.scoring.pick.PerThreadRandom;
import io.farmgate.agent.FarmAgent;
import io.farmgate.backend.BackendConfig;
import io.farmgate.backend.ChatBackend;
import io.farmgate.dns.DnsConfig;
import io.farmgate.dns.DnsServer;
import io.farmgate.gateway.Gateway;
import io.farmgate.gateway.GatewayConfig;
import io.farmgate.gateway.ListenAddress;
import io.farmgate.gateway.Rebalancer;
import io.farmgate.gateway.RebalancerConfig;
import io.farmgate.gateway.RegistryHostControl;
import io.farmgate.localredis.RedisServerProcess;
import io.farmgate.registry.EventLog;
import io.farmgate.registry.OperatorStore;
import io.farmgate.registry.RegistryConfig;
import io.farmgate.registry.RegistryConnection;
import io.farmgate.registry.SnapshotSource;
import io.farmgate.scoring.ScoreFormula;
import io.farmgate.scoring.SlowStart;
import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.scoring.pick.PickerKind;
import io.farmgate.scoring.pick.TwoChoicePicker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every part of farmgate on one machine: a Redis (started here unless one is given), N demo chat
 * backends with embedded agents, each advertising its own loopback address, a gateway with its
 * admin listener and (unless turned off) the rebalancer, and the authoritative DNS server. {@link #close} stops what was started, in
 * reverse order, Redis last.
 */
final class DemoFarm implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DemoFarm.class);

    /** What to start, and where. */
    record Settings(
            String redisUri,
            String farm,
            ListenAddress listen,
            ListenAddress adminListen,
            String dnsHost,
            int dnsPort,
            String zone,
            List<Integer> backendPorts,
            String adminToken,
            String tokenSecret,
            Duration drainPeriod,
            boolean rebalance) {

        Settings {
            if (backendPorts.isEmpty() || backendPorts.size() > 200) {
                throw new IllegalArgumentException("backendPorts: " + backendPorts.size()
                        + " ports (expected: 1 to 200)");
            }
        }

        /** Backend {@code i} (from 0) advertises 127.0.0.(11 + i): DNS answers show which one was chosen. */
        String backendAddress(int i) {
            return "127.0.0." + (11 + i);
        }
    }

    /**
     * The demo's backends share one JVM, so each agent's CPU reading is the same process's, taken at
     * a different moment: noise of about 0.01 that, with the default 0.3 CPU weight, outweighs some
     * forty clients at capacity 10,000. The demo therefore scores by connections alone.
     */
    static final SnapshotPolicy DEMO_POLICY =
            new SnapshotPolicy(SnapshotPolicy.DEFAULT.staleAfterMillis(), new ScoreFormula(1.0, 0.0), SlowStart.DEFAULT);

    private static final long FIRST_HEARTBEAT_WAIT_MILLIS = 10_000;

    private final Settings settings;
    private final List<ChatBackend> backends = new ArrayList<>();
    private RedisServerProcess redis;
    private String redisUri;
    private RegistryConnection connection;
    private SnapshotSource source;
    private Gateway gateway;
    private DnsServer dns;

    private DemoFarm(Settings settings) {
        this.settings = settings;
    }

    /** Starts every part; on failure stops whatever had started and rethrows. */
    static DemoFarm start(Settings settings) {
        DemoFarm farm = new DemoFarm(settings);
        try {
            farm.startAll();
            return farm;
        } catch (RuntimeException | IOException e) {
            farm.close();
            if (e instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw (RuntimeException) e;
        }
    }

    private void startAll() throws IOException {
        Clock clock = Clock.systemUTC();
        redisUri = settings.redisUri();
        if (redisUri == null) {
            Path dir = Files.createTempDirectory("farmgate-demo-redis");
            redis = new RedisServerProcess(freeLoopbackPort(), List.of(), dir);
            redis.start();
            redisUri = redis.uri();
            LOG.info("demo redis-server {} (pid {}) on {}", RedisServerProcess.executable(), redis.pid(), redisUri);
        }

        for (int i = 0; i < settings.backendPorts().size(); i++) {
            int port = settings.backendPorts().get(i);
            String address = settings.backendAddress(i);
            BackendConfig config = new BackendConfig(address, port, settings.tokenSecret(), 5,
                    FarmAgent.builder()
                            .redis(redisUri)
                            .farm(settings.farm())
                            .hostId("demo-" + (i + 1))
                            .url("ws://" + address + ":" + port)
                            .address(address)
                            .capacity(10_000)
                            .drainPeriod(settings.drainPeriod())
                            .buildConfig());
            backends.add(ChatBackend.start(config));
        }
        awaitFirstHeartbeats();

        RegistryConfig registryConfig = RegistryConfig.defaults(redisUri, settings.farm());
        connection = RegistryConnection.open(registryConfig);
        source = SnapshotSource.start(connection, DEMO_POLICY, clock);
        source.refreshNow();

        GatewayConfig gatewayConfig = GatewayConfig.builder()
                .listen(settings.listen())
                .adminListen(settings.adminListen())
                .adminToken(settings.adminToken())
                .tokenSecret(settings.tokenSecret())
                .picker(PickerKind.TWO_CHOICE)
                // Pages on any origin may try the browser client against the demo; /v1/assign
                // hands out nothing secret and takes no credentials.
                .corsOrigins(List.of("*"))
                .build();
        RegistryHostControl control = new RegistryHostControl(new OperatorStore(connection, clock),
                new EventLog(connection), clock);
        SnapshotSource snapshots = source;
        Rebalancer rebalancer = !settings.rebalance() ? null : Rebalancer.overRegistry(
                RebalancerConfig.defaults(GatewayCommand.ownerId()), connection, snapshots::current, clock,
                PerThreadRandom.create());
        gateway = Gateway.start(gatewayConfig, source::current, source::refreshFailures, control, clock,
                PerThreadRandom.create(), rebalancer);

        DnsConfig dnsConfig = DnsConfig.builder(settings.zone())
                .listenHost(settings.dnsHost())
                .port(settings.dnsPort())
                .build();
        dns = new DnsServer(dnsConfig, source::current, new TwoChoicePicker(PerThreadRandom.create()), clock);
        dns.start();
    }

    /**
     * Waits (up to {@link #FIRST_HEARTBEAT_WAIT_MILLIS}) until every backend has published a heartbeat, so
     * the front doors' first snapshot holds the whole farm: a host that first shows up in a later snapshot
     * is a newcomer and ramps up through slow start, which would skew the demo's first minute.
     */
    private void awaitFirstHeartbeats() {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(FIRST_HEARTBEAT_WAIT_MILLIS);
        while (backends.stream().anyMatch(b -> b.agent().lastPublished() == null)) {
            if (System.nanoTime() > deadline) {
                LOG.warn("demo: not every backend heartbeated within {} ms; late ones join through slow start",
                        FIRST_HEARTBEAT_WAIT_MILLIS);
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    String redisUri() {
        return redisUri;
    }

    int gatewayPort() {
        return gateway.port();
    }

    int adminPort() {
        return gateway.adminPort();
    }

    int dnsPort() {
        return dns.port();
    }

    List<ChatBackend> backends() {
        return List.copyOf(backends);
    }

    /**
     * Stops the front doors, drains the backends together (each within its drain period), then
     * the registry clients and Redis. Safe on a partly started farm.
     */
    @Override
    public void close() {
        closeQuietly(dns);
        closeQuietly(gateway);
        CompletableFuture.allOf(backends.stream()
                .map(b -> CompletableFuture.runAsync(() -> closeQuietly(b)))
                .toArray(CompletableFuture[]::new)).join();
        closeQuietly(source);
        closeQuietly(connection);
        if (redis != null) {
            redis.stop();
        }
    }

    private static void closeQuietly(AutoCloseable part) {
        if (part == null) {
            return;
        }
        try {
            part.close();
        } catch (Exception e) {
            LOG.warn("demo: stopping {} failed: {}", part, e.toString());
        }
    }

    static int freeLoopbackPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
