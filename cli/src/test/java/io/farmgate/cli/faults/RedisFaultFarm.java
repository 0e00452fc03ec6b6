package io.farmgate.cli.faults;

import io.farmgate.agent.FarmAgent;
import io.farmgate.dns.DnsConfig;
import io.farmgate.dns.DnsServer;
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
import io.farmgate.scoring.ScoreFormula;
import io.farmgate.scoring.SlowStart;
import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.scoring.pick.TwoChoicePicker;
import io.farmgate.scoring.rebalance.RebalancePolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small farm for the Redis fault tests, all in this JVM over one registry URI: {@code hosts}
 * agents reporting a fixed, equal connection count (no backends: redirects and DNS answers only
 * name hosts), one snapshot source feeding a gateway with its rebalancer and an authoritative DNS
 * server. Heartbeats every 250 ms expire after 2 s; the snapshot is re-read every 100 ms.
 */
final class RedisFaultFarm implements AutoCloseable {

    static final String FARM = "faults";
    static final String ZONE = "farm.example.com";
    static final Duration HEARTBEAT_INTERVAL = Duration.ofMillis(250);
    static final Duration HEARTBEAT_TTL = Duration.ofMillis(2_000);
    static final int CONNECTIONS_PER_HOST = 10;
    static final int CAPACITY = 100;

    private final Clock clock = Clock.systemUTC();
    final List<FarmAgent> agents = new ArrayList<>();
    final AtomicLong shedRequests = new AtomicLong();
    /** Set on close: the hosts report no connections, so their agents' drains end at once. */
    private volatile boolean closing;
    final RegistryConnection connection;
    final SnapshotSource source;
    final Rebalancer rebalancer;
    final Gateway gateway;
    final DnsServer dns;

    /** Starts everything; the caller waits for the hosts to become eligible. */
    RedisFaultFarm(String redisUri, int hosts) {
        try {
            for (int i = 1; i <= hosts; i++) {
                agents.add(FarmAgent.builder().redis(redisUri).farm(FARM).hostId(hostId(i)).url(url(i))
                        .address(address(i)).capacity(CAPACITY).connections(() -> closing ? 0 : CONNECTIONS_PER_HOST)
                        .shedHandler((count, code) -> shedRequests.addAndGet(count))
                        .heartbeatInterval(HEARTBEAT_INTERVAL).heartbeatTtl(HEARTBEAT_TTL)
                        .random(new SplittableRandom(i)).start());
            }
            connection = RegistryConnection.open(RegistryConfig.defaults(redisUri, FARM)
                    .withHeartbeat(HEARTBEAT_INTERVAL.toMillis(), HEARTBEAT_TTL.toMillis())
                    .withRefreshIntervalMillis(100));
            // Every agent runs in this JVM, so their CPU says nothing about one host: score by connections.
            source = SnapshotSource.start(connection,
                    new SnapshotPolicy(HEARTBEAT_TTL.toMillis(), new ScoreFormula(1.0, 0.0), SlowStart.OFF), clock);
            rebalancer = Rebalancer.overRegistry(new RebalancerConfig(250, 1_000, RebalancePolicy.DEFAULT,
                    "gw-faults", 500), connection, source::current, clock, new SplittableRandom(2));
            gateway = Gateway.start(GatewayConfig.builder().listen(new ListenAddress("127.0.0.1", 0))
                            .adminListen(new ListenAddress("127.0.0.1", 0)).adminToken("faults-admin-token-0123456789")
                            .build(),
                    source::current, source::refreshFailures,
                    new RegistryHostControl(new OperatorStore(connection, clock), new EventLog(connection), clock),
                    clock, new SplittableRandom(1), rebalancer);
            dns = new DnsServer(DnsConfig.builder(ZONE).listenHost("127.0.0.1").port(0).udpThreads(2)
                    .rateLimit(DnsConfig.RateLimit.OFF).build(), source::current,
                    new TwoChoicePicker(new SplittableRandom(3)), clock).start();
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    static String hostId(int i) {
        return "host-" + i;
    }

    static String url(int i) {
        return "ws://127.0.0.1:" + (9000 + i);
    }

    static String address(int i) {
        return "127.0.0." + (10 + i);
    }

    Set<String> urls() {
        Set<String> s = new LinkedHashSet<>();
        for (int i = 1; i <= agents.size(); i++) {
            s.add(url(i));
        }
        return s;
    }

    Set<String> addresses() {
        Set<String> s = new LinkedHashSet<>();
        for (int i = 1; i <= agents.size(); i++) {
            s.add(address(i));
        }
        return s;
    }

    /** Redirect and DNS load against this farm's gateway and DNS server, for at most {@code maxDuration}. */
    RedisFaultLoad load(Duration maxDuration) {
        return new RedisFaultLoad(gateway.port(), dns.port(), ZONE, urls(), addresses(), 3, 2, maxDuration);
    }

    @Override
    public void close() {
        // Fields may be unset when the constructor failed part way.
        if (dns != null) {
            dns.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (source != null) {
            source.close();
        }
        if (connection != null) {
            connection.close();
        }
        closing = true;
        agents.forEach(FarmAgent::close);
    }
}
