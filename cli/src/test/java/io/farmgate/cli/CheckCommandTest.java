package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.farmgate.registry.FarmKeys;
import io.farmgate.registry.HeartbeatPublisher;
import io.farmgate.registry.OperatorStore;
import io.farmgate.registry.RegistryConfig;
import io.farmgate.registry.RegistryConnection;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.testing.FreePort;
import io.farmgate.testing.RedisServerExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * {@code farmgate check} against a real Redis: a healthy farm passes, and each kind of problem,
 * planted in the registry as a broken agent, a newer farmgate or a wrong --farm would leave it,
 * is reported on a line of its own with exit code 1.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CheckCommandTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static final String WATCH = "700";

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final List<RegistryConnection> connections = new ArrayList<>();
    private final ScheduledExecutorService agents = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopAgents() throws InterruptedException {
        agents.shutdownNow();
        agents.awaitTermination(5, TimeUnit.SECONDS);
        connections.forEach(RegistryConnection::close);
    }

    private int check(String... args) {
        CommandLine cl = Farmgate.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("check"));
        all.addAll(List.of(args));
        if (!all.contains("--watch-millis")) {
            all.addAll(List.of("--watch-millis", WATCH));
        }
        return cl.execute(all.toArray(String[]::new));
    }

    private RegistryConnection connect(String farm, long ttlMillis) {
        RegistryConnection c = RegistryConnection.open(RegistryConfig.defaults(redis.uri(), farm).withHeartbeat(200, ttlMillis));
        connections.add(c);
        return c;
    }

    private static HostReport report(String id, HostState state, long reportedAt, long sequence) {
        return new HostReport(id, "ws://127.0.0.1:9001", "127.0.0.1", "", 3, 100, 0.1, state, 1.0, reportedAt, sequence);
    }

    /** An agent heartbeating every 100 ms with its clock {@code skewMillis} off this machine's. */
    private void heartbeat(String farm, String id, long skewMillis) {
        HeartbeatPublisher publisher = new HeartbeatPublisher(connect(farm, 3_000));
        AtomicLong sequence = new AtomicLong();
        publisher.publish(report(id, HostState.ACTIVE, System.currentTimeMillis() + skewMillis, sequence.incrementAndGet()));
        agents.scheduleAtFixedRate(() -> {
            try {
                publisher.publish(report(id, HostState.ACTIVE, System.currentTimeMillis() + skewMillis,
                        sequence.incrementAndGet()));
            } catch (Throwable t) {
                // the next beat tries again
            }
        }, 100, 100, TimeUnit.MILLISECONDS);
    }

    private List<String> problems() {
        return out.toString().lines().filter(l -> l.startsWith("problem: ")).toList();
    }

    @Test
    void aHealthyFarmExitsZeroAndShowsItsHostsAndLeader() {
        heartbeat("good", "web-1", 0);
        heartbeat("good", "web-2", 0);
        redis.command("SET", new FarmKeys("good").leader(), "gw-test-1");

        int code = check("--redis", redis.uri(), "--farm", "good");

        assertThat(code).as("%s%s", out, err).isZero();
        assertThat(problems()).isEmpty();
        assertThat(out.toString()).contains("hosts: 2, 2 eligible", "leader: gw-test-1", "skipped records: 0")
                .containsPattern("(?m)^  web-1 +eligible +3/100 connections.*sequence \\d+ -> \\d+,")
                .doesNotContain("NOT MOVING").endsWith("ok" + System.lineSeparator());
    }

    @Test
    void eachPlantedProblemIsReportedOnItsOwnLine() {
        String farm = "sick";
        FarmKeys keys = new FarmKeys(farm);
        heartbeat(farm, "web-1", 0);
        heartbeat(farm, "web-3", 60_000);  // its clock a minute ahead
        // web-2 beat once and stopped; its heartbeat has not expired yet.
        new HeartbeatPublisher(connect(farm, 60_000)).publish(report("web-2", HostState.ACTIVE, System.currentTimeMillis(), 1));
        // web-4's record is broken, web-5's was written by a newer farmgate, web-6's operator record is no object.
        redis.command("SET", keys.host("web-4"), "{\"v\":1,\"hostId\":\"web-4\"");
        redis.command("ZADD", keys.hosts(), "0", "web-4");
        redis.command("SET", keys.host("web-5"), "{\"v\":99,\"hostId\":\"web-5\",\"shape\":\"new\"}");
        redis.command("ZADD", keys.hosts(), "0", "web-5");
        redis.command("HSET", keys.operators(), "web-6", "[1,2]");
        new OperatorStore(connect(farm, 3_000), Clock.systemUTC()).setTarget("web-1", 50);

        int code = check("--redis", redis.uri(), "--farm", farm);

        assertThat(code).as("%s%s", out, err).isEqualTo(1);
        List<String> problems = problems();
        assertThat(problems).as(out.toString()).hasSize(5);
        assertThat(problems.get(0)).startsWith("problem: host web-2: heartbeat sequence stayed at 1 for ");
        assertThat(problems.get(1)).matches("problem: host web-3: clock at least (59|60)\\d{3} ms ahead of this machine's"
                + " \\(--max-skew-millis 5000\\)");
        assertThat(problems.get(2)).startsWith("problem: record " + keys.host("web-4") + " skipped: ");
        assertThat(problems.get(3)).startsWith("problem: record " + keys.host("web-5")
                + " skipped (written by a newer farmgate): ").contains("newer than this reader");
        assertThat(problems.get(4)).startsWith("problem: record " + keys.operators() + " field web-6 skipped: ");
        assertThat(out.toString()).contains("hosts: 3, 3 eligible", "target 50 connections", "(NOT MOVING)",
                "leader: none");
    }

    @Test
    void aFarmWithoutHostsAndOneWhereNoHostTakesClientsFail() {
        assertThat(check("--redis", redis.uri(), "--farm", "nobody")).isEqualTo(1);
        assertThat(problems()).containsExactly("problem: no hosts: farm nobody has no live heartbeat and no registry"
                + " data (is --farm right? are the agents running?)");

        out.getBuffer().setLength(0);
        heartbeat("drained", "web-1", 0);
        new OperatorStore(connect("drained", 3_000), Clock.systemUTC()).drain("web-1");
        assertThat(check("--redis", redis.uri(), "--farm", "drained")).isEqualTo(1);
        assertThat(problems()).containsExactly("problem: no eligible host: none of the 1 hosts takes new clients {DRAINING=1}");
        assertThat(out.toString()).contains("drained by an operator");
    }

    @Test
    void aKeyLayoutFromANewerFarmgateIsAProblem() {
        redis.command("SET", new FarmKeys("future").schema(), "2");

        assertThat(check("--redis", redis.uri(), "--farm", "future")).isEqualTo(1);
        assertThat(problems()).singleElement().asString()
                .startsWith("problem: farm future has key layout version '2', which this farmgate cannot read");
    }

    @Test
    void jsonCarriesTheSameVerdict() throws Exception {
        heartbeat("js", "web-1", 0);
        redis.command("SET", new FarmKeys("js").host("web-9"), "not json");
        redis.command("ZADD", new FarmKeys("js").hosts(), "0", "web-9");

        int code = check("--redis", redis.uri(), "--farm", "js", "--json");

        assertThat(code).isEqualTo(1);
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.path("healthy").asBoolean(true)).isFalse();
        assertThat(json.path("hosts").get(0).path("hostId").asText()).isEqualTo("web-1");
        assertThat(json.path("hosts").get(0).path("sequenceMoving").asBoolean()).isTrue();
        assertThat(json.path("skipped").get(0).path("where").asText()).isEqualTo(new FarmKeys("js").host("web-9"));
        assertThat(json.path("problems")).hasSize(1);
        assertThat(json.path("leader").isNull()).isTrue();
    }

    @Test
    void aRegistryThatCannotBeReachedIsARunTimeFailure() {
        int code = check("--redis", "redis://127.0.0.1:" + FreePort.pick(), "--farm", "any");

        assertThat(code).isEqualTo(1);
        assertThat(problems()).singleElement().asString().startsWith("problem: cannot read the registry at redis://127.0.0.1:");
    }

    @Test
    void badArgumentsExitTwo() {
        assertThat(check("--redis", redis.uri(), "--farm", "f", "--watch-millis", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("watchMillis: 0 (expected: in [1, 600000])");
        assertThat(check("--redis", redis.uri())).isEqualTo(2);
        assertThat(err.toString()).contains("--farm");
        assertThat(check("--redis", "http://nope", "--farm", "f")).isEqualTo(2);
        assertThat(check("--redis", redis.uri(), "--farm", "f", "--max-skew-millis", "-1")).isEqualTo(2);
    }
}
