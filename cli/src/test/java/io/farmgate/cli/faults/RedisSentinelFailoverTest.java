package io.farmgate.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.localredis.RedisServerProcess;
import io.farmgate.registry.OperatorStore;
import io.farmgate.scoring.Eligibility;
import io.farmgate.testing.FreePort;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A Sentinel failover under load: one primary, one replica and three Sentinels (quorum 2) on
 * loopback. The primary is killed; gateway, DNS and agents, all on a {@code redis-sentinel://}
 * URI, keep serving and then follow the promoted replica without a restart.
 */
class RedisSentinelFailoverTest {

    private static final String MASTER = "farm-master";
    private static final int HOSTS = 3;
    private static final Pattern SEQUENCE = Pattern.compile("\"sequence\":(\\d+)");

    private RedisServerProcess primary;
    private RedisServerProcess replica;
    private final List<RedisServerProcess> sentinels = new ArrayList<>();
    private RedisFaultFarm farm;
    private RedisFaultLoad load;

    @BeforeEach
    void startRedisWithSentinels() {
        primary = new RedisServerProcess(FreePort.pick(), List.of());
        primary.start();
        replica = new RedisServerProcess(FreePort.pick(),
                List.of("--replicaof", primary.host(), Integer.toString(primary.port())));
        replica.start();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                String.valueOf(replica.command("INFO", "replication")).contains("master_link_status:up"));
        for (int i = 0; i < 3; i++) {
            RedisServerProcess s = RedisServerProcess.sentinel(FreePort.pick(), MASTER, primary.port(), 2, 1_000, 3_000);
            sentinels.add(s);
            s.start();
        }
        // Each Sentinel must know the replica and the two others before the failover can be agreed.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (RedisServerProcess s : sentinels) {
                Map<String, String> master = pairs(s.command("SENTINEL", "MASTER", MASTER));
                assertThat(master).containsEntry("num-slaves", "1").containsEntry("num-other-sentinels", "2");
            }
        });
    }

    @AfterEach
    void stopEverything() {
        if (load != null) {
            load.close();
        }
        if (farm != null) {
            farm.close();
        }
        sentinels.forEach(RedisServerProcess::stop);
        if (replica != null) {
            replica.stop();
        }
        if (primary != null) {
            primary.stop();
        }
    }

    private String sentinelUri() {
        StringBuilder b = new StringBuilder("redis-sentinel://");
        for (RedisServerProcess s : sentinels) {
            if (b.length() > "redis-sentinel://".length()) {
                b.append(',');
            }
            b.append(s.host()).append(':').append(s.port());
        }
        return b.append('#').append(MASTER).toString();
    }

    @Test
    void gatewayDnsAndAgentsFollowThePromotedReplicaWithoutRestart() throws Exception {
        farm = new RedisFaultFarm(sentinelUri(), HOSTS);
        await().atMost(Duration.ofSeconds(20)).until(() -> farm.source.current().eligibleCount() == HOSTS);
        load = farm.load(Duration.ofSeconds(90));
        await().atMost(Duration.ofSeconds(20)).until(() -> load.redirectsOk() > 20 && load.dnsOk() > 20);
        long[] sequencesAtFailover = new long[HOSTS];
        for (int i = 0; i < HOSTS; i++) {
            sequencesAtFailover[i] = farm.agents.get(i).lastPublished().sequence();
        }

        primary.kill();
        await().atMost(Duration.ofSeconds(40)).until(() -> sentinels.get(0)
                .command("SENTINEL", "get-master-addr-by-name", MASTER)
                .equals(List.of(replica.host(), Integer.toString(replica.port()))));
        assertThat(String.valueOf(replica.command("ROLE"))).startsWith("[master");

        // Every agent's new heartbeats are in the promoted replica, and the snapshot reads them.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (int i = 0; i < HOSTS; i++) {
                Object json = replica.command("GET", farm.connection.keys().host(RedisFaultFarm.hostId(i + 1)));
                Matcher m = SEQUENCE.matcher(String.valueOf(json));
                assertThat(m.find()).as("heartbeat of %s: %s", RedisFaultFarm.hostId(i + 1), json).isTrue();
                assertThat(Long.parseLong(m.group(1))).isGreaterThan(sequencesAtFailover[i]);
                assertThat(farm.source.current().host(RedisFaultFarm.hostId(i + 1)).report().sequence())
                        .isGreaterThan(sequencesAtFailover[i]);
            }
            assertThat(farm.source.current().stale()).isFalse();
            assertThat(farm.source.current().eligibleCount()).isEqualTo(HOSTS);
        });

        // A drain stored after the failover reaches the agent, the snapshot and so both front doors.
        new OperatorStore(farm.connection, Clock.systemUTC()).drain(RedisFaultFarm.hostId(2));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(farm.agents.get(1).draining()).isTrue();
            assertThat(farm.source.current().host(RedisFaultFarm.hostId(2)).eligibility())
                    .isEqualTo(Eligibility.DRAINING);
        });
        assertThat(dnsAnswers(40)).isNotEmpty().doesNotContain(RedisFaultFarm.address(2));
        assertThat(redirectLocations(40)).allMatch(location -> location.startsWith("307 "))
                .noneMatch(location -> location.contains(":" + (9000 + 2) + "/"));

        load.close();
        assertThat(load.redirectsFailed()).as("failed redirects: %s", load.failures()).isZero();
        assertThat(load.dnsFailed()).as("failed DNS queries: %s", load.failures()).isZero();
    }

    private List<String> dnsAnswers(int queries) throws Exception {
        SimpleResolver resolver = new SimpleResolver(new InetSocketAddress("127.0.0.1", farm.dns.port()));
        resolver.setTimeout(Duration.ofSeconds(5));
        Message query = Message.newQuery(Record.newRecord(Name.fromString(RedisFaultFarm.ZONE + "."), Type.A, DClass.IN));
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < queries; i++) {
            for (Record r : resolver.send(query).getSection(Section.ANSWER)) {
                addresses.add(((ARecord) r).getAddress().getHostAddress());
            }
        }
        return addresses;
    }

    private List<String> redirectLocations(int requests) throws Exception {
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + farm.gateway.port() + "/chat"))
                .timeout(Duration.ofSeconds(5)).build();
        List<String> locations = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            HttpResponse<Void> r = http.send(request, HttpResponse.BodyHandlers.discarding());
            locations.add(r.statusCode() + " " + r.headers().firstValue("Location").orElse(""));
        }
        return locations;
    }

    /** A flat RESP list of names and values as a map. */
    private static Map<String, String> pairs(Object reply) {
        List<?> flat = (List<?>) reply;
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            map.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
        }
        return map;
    }
}
