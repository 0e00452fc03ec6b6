package io.farmgate.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.dns.DnsConfig;
import io.farmgate.dns.DnsServer;
import io.farmgate.gateway.Gateway;
import io.farmgate.gateway.GatewayConfig;
import io.farmgate.gateway.ListenAddress;
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
import io.farmgate.scoring.pick.TwoChoicePicker;
import io.farmgate.testing.RedisServerExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Backends that die ({@code kill -9}) or freeze ({@code SIGSTOP}) as real child processes, with Redis,
 * the snapshot source, a gateway and the DNS server in this JVM: the host leaves the gateway's and the
 * DNS server's picks within the heartbeat expiry, and a thawed host comes back through slow start.
 */
class BackendProcessFaultTest {

    private static final Logger LOG = LoggerFactory.getLogger(BackendProcessFaultTest.class);

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    @TempDir
    static Path logs;

    private static final String FARM = "faults-proc";
    private static final String ZONE = "farm.test";
    private static final long HEARTBEAT_MILLIS = 200;
    private static final long TTL_MILLIS = 1_000;
    /** Expiry, one snapshot refresh, and room for a loaded two-core machine. */
    private static final Duration LEAVE_DEADLINE = Duration.ofMillis(TTL_MILLIS + 2_000);
    private static final Duration START_WAIT = Duration.ofSeconds(30);
    private static final SlowStart SLOW_START = new SlowStart(10_000, 0.1);

    private static final Clock clock = Clock.systemUTC();
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final List<BackendProcess> peers = new ArrayList<>();
    private static RegistryConnection connection;
    private static SnapshotSource source;
    private static Gateway gateway;
    private static DnsServer dns;
    private static SimpleResolver resolver;

    private BackendProcess victim;
    private final List<WebSocket> sockets = new ArrayList<>();

    @BeforeAll
    static void startFarm() throws Exception {
        peers.add(BackendProcess.start(redis.uri(), FARM, "peer-1", "127.0.0.21", HEARTBEAT_MILLIS, TTL_MILLIS, logs));
        peers.add(BackendProcess.start(redis.uri(), FARM, "peer-2", "127.0.0.22", HEARTBEAT_MILLIS, TTL_MILLIS, logs));
        RegistryConfig registry = RegistryConfig.defaults(redis.uri(), FARM).withHeartbeat(HEARTBEAT_MILLIS, TTL_MILLIS)
                .withRefreshIntervalMillis(100);
        connection = RegistryConnection.open(registry);
        // Connections only: every child JVM's CPU is shared with the others on this machine.
        SnapshotPolicy policy = new SnapshotPolicy(TTL_MILLIS, new ScoreFormula(1.0, 0.0), SLOW_START);
        // The peers must be in the first snapshot the front doors read, so that they are established
        // hosts, not newcomers in slow start: wait for their heartbeats with a throw-away reader first.
        try (SnapshotSource probe = SnapshotSource.start(connection, policy, clock)) {
            await().atMost(START_WAIT).untilAsserted(() -> assertThat(probe.current().eligibleCount())
                    .as("peers heartbeating; logs:%n%s%n%s", peers.get(0).log(), peers.get(1).log()).isEqualTo(2));
        }
        source = SnapshotSource.start(connection, policy, clock);
        source.refreshNow();
        assertThat(source.current().hosts()).noneMatch(HostView::inSlowStart);
        gateway = Gateway.start(GatewayConfig.builder().listen(new ListenAddress("127.0.0.1", 0))
                        .adminListen(new ListenAddress("127.0.0.1", 0)).adminToken("faults-proc-admin-token-0123456789")
                        .build(),
                source::current, source::refreshFailures,
                new RegistryHostControl(new OperatorStore(connection, clock), new EventLog(connection), clock),
                clock, new SplittableRandom(1));
        dns = new DnsServer(DnsConfig.builder(ZONE).listenHost("127.0.0.1").port(0).answerCount(3)
                .rateLimit(DnsConfig.RateLimit.OFF).udpThreads(2).build(),
                source::current, new TwoChoicePicker(new SplittableRandom(2)), clock).start();
        resolver = new SimpleResolver("127.0.0.1");
        resolver.setPort(dns.port());
        resolver.setTimeout(Duration.ofSeconds(3));
    }

    @AfterAll
    static void stopFarm() {
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
        peers.forEach(BackendProcess::close);
    }

    @AfterEach
    void stopVictim() {
        sockets.forEach(WebSocket::abort);
        if (victim != null) {
            victim.close();
            // The next test starts from the two peers alone.
            await().atMost(LEAVE_DEADLINE.plusSeconds(5)).until(() -> source.current().host(victim.hostId()) == null);
        }
    }

    /** Starts the victim and waits until both front doors have picked it at least once. */
    private void startVictim(String hostId, String address) throws Exception {
        victim = BackendProcess.start(redis.uri(), FARM, hostId, address, HEARTBEAT_MILLIS, TTL_MILLIS, logs);
        await().atMost(START_WAIT).untilAsserted(() -> assertThat(eligible(hostId))
                .as("victim eligible; log:%n%s", victim.log()).isTrue());
        // A newcomer gets a small share at first; poll until each front door has chosen it.
        await().atMost(START_WAIT).pollInterval(Duration.ofMillis(20)).until(() -> hostId.equals(assignedHostId()));
        await().atMost(START_WAIT).pollInterval(Duration.ofMillis(20)).until(() -> dnsAnswer().contains(address));
    }

    private static boolean eligible(String hostId) {
        HostView h = source.current().host(hostId);
        return h != null && h.eligibility().eligible();
    }

    private static final Pattern HOST_ID = Pattern.compile("\"hostId\":\"([^\"]+)\"");

    /** The host {@code /v1/assign} chose, or the status when there was none. */
    private static String assignedHostId() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + gateway.port() + "/v1/assign")).build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = HOST_ID.matcher(r.body());
        return r.statusCode() == 200 && m.find() ? m.group(1) : "HTTP " + r.statusCode();
    }

    /** Picks of {@code n} assignments in a row, by host id. */
    private static Map<String, Integer> assignments(int n) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(assignedHostId(), 1, Integer::sum);
        }
        return counts;
    }

    /** Addresses in one answer for the apex A record. */
    private static List<String> dnsAnswer() throws Exception {
        Message response = resolver.send(Message.newQuery(Record.newRecord(Name.fromString(ZONE + "."), Type.A, DClass.IN)));
        assertThat(response.getRcode()).isEqualTo(Rcode.NOERROR);
        return response.getSection(Section.ANSWER).stream()
                .map(r -> ((ARecord) r).getAddress().getHostAddress()).toList();
    }

    private static List<String> dnsAnswers(int n) throws Exception {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.addAll(dnsAnswer());
        }
        return all;
    }

    /** Waits until the snapshot has dropped the host from the eligible ones; returns how long that took. */
    private Duration awaitLeft(long faultAtNanos) {
        await().atMost(LEAVE_DEADLINE.plusSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> !eligible(victim.hostId()));
        return Duration.ofNanos(System.nanoTime() - faultAtNanos);
    }

    /** The victim left within the deadline, and only the peers are chosen now, by the gateway and by DNS. */
    private void assertOnlyPeersArePicked(String fault, Duration left) throws Exception {
        LOG.info("{}: {} left the picks {} ms after the signal (TTL {} ms)", fault, victim.hostId(), left.toMillis(),
                TTL_MILLIS);
        assertThat(left).isLessThanOrEqualTo(LEAVE_DEADLINE);
        assertThat(assignments(60)).doesNotContainKey(victim.hostId()).containsOnlyKeys("peer-1", "peer-2");
        assertThat(dnsAnswers(30)).doesNotContain(victim.address()).contains("127.0.0.21", "127.0.0.22");
    }

    @Test
    void killedBackendLeavesTheGatewayAndDnsPicksWithinTheHeartbeatExpiry() throws Exception {
        startVictim("killed-1", "127.0.0.31");

        long killedAt = System.nanoTime();
        victim.kill();

        assertOnlyPeersArePicked("kill -9", awaitLeft(killedAt));
    }

    @Test
    void frozenBackendLeavesTheGatewayAndDnsPicksWithinTheHeartbeatExpiry() throws Exception {
        startVictim("frozen-1", "127.0.0.32");

        long frozenAt = System.nanoTime();
        victim.freeze();

        assertOnlyPeersArePicked("SIGSTOP", awaitLeft(frozenAt));
        assertThat(victim.alive()).isTrue();
    }

    @Test
    void frozenBackendKeepsItsClientsConnectionsOpenWhileItIsOutOfThePicks() throws Exception {
        startVictim("frozen-2", "127.0.0.33");
        List<CompletableFuture<Integer>> closes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            CompletableFuture<Integer> closed = new CompletableFuture<>();
            sockets.add(http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + victim.port() + "/"),
                    new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                            closed.complete(code);
                            return null;
                        }

                        @Override
                        public void onError(WebSocket ws, Throwable error) {
                            closed.complete(1006);
                        }
                    }).get(10, TimeUnit.SECONDS));
            closes.add(closed);
        }
        await().atMost(START_WAIT).until(() -> {
            HostView h = source.current().host(victim.hostId());
            return h != null && h.report().connections() == 3;
        });

        victim.freeze();
        awaitLeft(System.nanoTime());
        // Out of the picks for a while longer: the kernel still holds the frozen host's sockets.
        await().pollDelay(Duration.ofMillis(TTL_MILLIS)).atMost(Duration.ofSeconds(5))
                .until(() -> !eligible(victim.hostId()));

        assertThat(closes).noneMatch(CompletableFuture::isDone);
        assertThat(sockets).noneMatch(WebSocket::isInputClosed);
    }

    @Test
    void thawedBackendRejoinsThroughSlowStartWithFewerPicksThanItsPeers() throws Exception {
        startVictim("thawed-1", "127.0.0.34");
        victim.freeze();
        awaitLeft(System.nanoTime());
        long thawedAtMillis = clock.millis();
        victim.thaw();

        await().atMost(START_WAIT).pollInterval(Duration.ofMillis(20)).until(() -> eligible(victim.hostId()));
        HostView back = source.current().host(victim.hostId());
        Map<String, Integer> picks = assignments(100);
        // The ramp advances with time, seen in the next snapshot: 100 redirects may take less than a refresh.
        HostView later = await().atMost(START_WAIT).until(() -> source.current().host(victim.hostId()),
                h -> h != null && h.slowStartFactor() > back.slowStartFactor());

        LOG.info("SIGCONT: {} back with slow-start factor {} then {}; picks of 100: {}", victim.hostId(),
                back.slowStartFactor(), later.slowStartFactor(), picks);
        // A new ramp, not the rest of the one it began when it first joined.
        assertThat(back.activeSinceMillis()).isGreaterThanOrEqualTo(thawedAtMillis);
        assertThat(back.inSlowStart()).isTrue();
        assertThat(later.slowStartFactor()).isGreaterThan(back.slowStartFactor());
        int victimPicks = picks.getOrDefault(victim.hostId(), 0);
        assertThat(victimPicks).isLessThan(picks.getOrDefault("peer-1", 0)).isLessThan(picks.getOrDefault("peer-2", 0));
    }
}
