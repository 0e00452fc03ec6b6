package io.farmgate.gateway;

import static io.farmgate.gateway.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.farmgate.registry.FarmEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code GET /v1/history} over real HTTP: the token, the columns the charts draw, the rates, the waves. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HistoryApiTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    /** The in-memory farm with an event log that holds what a test puts in it, or fails when told to. */
    private static final class FarmWithEvents extends TestFarmControl {
        final List<FarmEvent> events = new ArrayList<>();
        volatile boolean unreadable;

        FarmWithEvents(TestFarm farm) {
            super(farm);
        }

        @Override
        public synchronized List<FarmEvent> latestEvents(int limit) {
            if (unreadable) {
                throw new IllegalStateException("registry down");
            }
            return List.copyOf(events);
        }
    }

    private final TestFarm farm = new TestFarm()
            .host("h1", "ws://10.0.0.1:9001", 30, 100)
            .host("h2", "ws://10.0.0.2:9001", 10, 100);
    private FarmWithEvents control;
    private RunningGateway gw;

    @BeforeEach
    void start() {
        farm.refresh();
        control = new FarmWithEvents(farm);
        gw = RunningGateway.start(farm, control, b -> b);
    }

    @AfterEach
    void stop() {
        gw.close();
    }

    private JsonNode history(String query) throws Exception {
        var r = gw.adminGet("/v1/history" + query, RunningGateway.ADMIN_TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        return json(r);
    }

    private static List<Double> numbers(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(n -> n.isNull() ? null : n.asDouble()).toList();
    }

    @Test
    void needsTheTokenLikeEveryAdminCall() {
        assertThat(gw.adminGet("/v1/history", null).statusCode()).isEqualTo(401);
        assertThat(gw.adminGet("/v1/history", "wrong-token-wrong-token").statusCode()).isEqualTo(401);
    }

    @Test
    void answersOneColumnPerHostAndQuantityAlignedWithTheSampleTimes() throws Exception {
        farm.setTargetConnections("h1", 20);
        farm.refresh();
        await().atMost(WAIT).until(() -> history("").get("times").size() >= 2);

        JsonNode body = history("");
        int n = body.get("times").size();
        assertThat(body.get("view").asText()).isEqualTo("this gateway");
        assertThat(body.get("seconds").asInt()).isEqualTo(HistoryApi.DEFAULT_SECONDS);
        assertThat(body.get("nowMillis").asLong()).isGreaterThanOrEqualTo(body.get("times").get(n - 1).asLong());
        assertThat(body.get("hosts")).extracting(h -> h.get("id").asText()).containsExactly("h1", "h2");
        JsonNode h1 = body.get("hosts").get(0);
        assertThat(h1.get("connections")).hasSize(n);
        assertThat(h1.get("connections").get(n - 1).asInt()).isEqualTo(30);
        assertThat(h1.get("targetConnections").get(n - 1).asInt()).isEqualTo(20);
        assertThat(body.get("hosts").get(1).get("targetConnections").get(n - 1).isNull()).isTrue();
        assertThat(h1.get("cpu")).hasSize(n);
        for (String rate : List.of("assignmentsPerSecond", "unavailablePerSecond", "reconnectsPerSecond")) {
            assertThat(body.get(rate)).as(rate).hasSize(n);
        }
        assertThat(body.get("assignmentsPerSecond").get(0).isNull()).as("no rate before the first interval").isTrue();
        assertThat(body.get("hostsLeftOut").asInt()).isZero();
        assertThat(body.get("waves")).isEmpty();
        assertThat(body.get("wavesError").isNull()).isTrue();
    }

    @Test
    void assignmentsReconnectsAnd503sShowAsRates() throws Exception {
        // k1 twice (the second time it is back: a reconnect), k2 once, and one without a key.
        for (String query : List.of("?client=k1", "?client=k2", "?client=k1", "")) {
            assertThat(gw.get("/v1/assign" + query).statusCode()).isEqualTo(200);
        }
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode body = history("");
            assertThat(numbers(body.get("assignmentsPerSecond"))).anyMatch(r -> r != null && r > 0);
            assertThat(numbers(body.get("reconnectsPerSecond"))).anyMatch(r -> r != null && r > 0);
            assertThat(body.get("assignmentsPerSecond").toString()).as("rounded to 0.01")
                    .doesNotContainPattern("\\.\\d{3}");
        });
        assertThat(gw.adminGet("/metrics", null).body()).contains("farmgate_gateway_reconnects_total 1.0");

        farm.setDraining("h1", true);
        farm.setDraining("h2", true);
        farm.refresh();
        assertThat(gw.get("/v1/assign").statusCode()).isEqualTo(503);
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(numbers(history("").get("unavailablePerSecond"))).anyMatch(r -> r != null && r > 0));
    }

    @Test
    void rebalancerWavesInTheWindowAreListed() throws Exception {
        long now = System.currentTimeMillis();
        synchronized (control) {
            control.events.add(new FarmEvent(FarmEvent.Type.SHED, "h1", "gateway:gw-a:1", "overloaded", now - 1_000,
                    Map.of("count", "12", "targetConnections", "18")));
            control.events.add(new FarmEvent(FarmEvent.Type.SHED, "h1", "admin", "admin API", now - 2_000,
                    Map.of("targetConnections", "18")));
            control.events.add(new FarmEvent(FarmEvent.Type.SHED, "h2", "gateway:gw-a:1", "overloaded",
                    now - 3_600_000, Map.of("count", "3")));
        }

        JsonNode waves = history("?seconds=60").get("waves");

        assertThat(waves).hasSize(1);
        assertThat(waves.get(0).get("atMillis").asLong()).isEqualTo(now - 1_000);
        assertThat(waves.get(0).get("actor").asText()).isEqualTo("gateway:gw-a:1");
        assertThat(waves.get(0).get("hosts")).extracting(JsonNode::asText).containsExactly("h1");
        assertThat(waves.get(0).get("connections").asLong()).isEqualTo(12);
    }

    @Test
    void anUnreadableEventLogLeavesTheChartsAndSaysWhy() throws Exception {
        control.unreadable = true;

        JsonNode body = history("");

        assertThat(body.get("waves")).isEmpty();
        assertThat(body.get("wavesError").asText()).contains("event log not readable");
        assertThat(body.has("times")).isTrue();
    }

    @Test
    void afterGivesOnlyTheSamplesTakenSince() throws Exception {
        await().atMost(WAIT).until(() -> history("").get("times").size() >= 3);
        JsonNode all = history("");
        long second = all.get("times").get(1).asLong();

        JsonNode newer = history("?after=" + second);

        assertThat(newer.get("after").asLong()).isEqualTo(second);
        assertThat(newer.get("times")).extracting(JsonNode::asLong).allSatisfy(t -> assertThat(t).isGreaterThan(second))
                .contains(all.get("times").get(2).asLong());
        assertThat(newer.get("hosts").get(0).get("connections")).hasSameSizeAs(newer.get("times"));
        assertThat(history("?after=" + Long.MAX_VALUE / 2).get("times")).isEmpty();
        assertThat(all.get("after").isNull()).isTrue();
    }

    @Test
    void afterThatIsNotATimeIs400() throws Exception {
        for (String bad : List.of("-1", "soon", "1.5")) {
            var r = gw.adminGet("/v1/history?after=" + bad, RunningGateway.ADMIN_TOKEN);
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(json(r).get("error").asText()).startsWith("after: '" + bad + "'");
        }
    }

    @Test
    void secondsOutOfRangeIs400NamingTheField() throws Exception {
        for (String bad : List.of("5", "601", "ten", "")) {
            var r = gw.adminGet("/v1/history?seconds=" + bad, RunningGateway.ADMIN_TOKEN);
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(json(r).get("error").asText()).startsWith("seconds: '" + bad + "'")
                    .contains("[10, 600]");
        }
    }
}
