package io.farmgate.gateway;

import static io.farmgate.gateway.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.farmgate.scoring.OperatorState;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdminApiTest {

    private static final String TOKEN = RunningGateway.ADMIN_TOKEN;

    private final TestFarm farm = new TestFarm()
            .host("h1", "ws://10.0.0.1:9001", 50, 100)
            .host("h2", "ws://10.0.0.2:9001", 5, 100)
            .host("h3", "ws://10.0.0.3:9001", 20, 100);
    private RunningGateway gw;

    @BeforeEach
    void start() {
        farm.refresh();
        gw = RunningGateway.start(farm);
    }

    @AfterEach
    void stop() {
        gw.close();
    }

    @Test
    void missingTokenIs401AndChangesNothing() {
        HttpResponse<String> r = gw.adminPost("/v1/hosts/h1/drain", "", null);

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(farm.operator("h1")).isEqualTo(OperatorState.DEFAULT);
    }

    @Test
    void wrongTokenIs401AndChangesNothing() {
        HttpResponse<String> drain = gw.adminPost("/v1/hosts/h1/drain", "", TOKEN + "x");
        HttpResponse<String> shed = gw.adminPost("/v1/hosts/h1/shed", "{\"count\":5}", "admin-token-for-tests-0124");
        HttpResponse<String> scale = gw.adminPost("/v1/scale-down", "{\"count\":1}", "");

        assertThat(List.of(drain.statusCode(), shed.statusCode(), scale.statusCode())).containsOnly(401);
        assertThat(farm.operator("h1")).isEqualTo(OperatorState.DEFAULT);
        assertThat(farm.operator("h2")).isEqualTo(OperatorState.DEFAULT);
    }

    @Test
    void listingHostsNeedsTheToken() {
        assertThat(gw.adminGet("/v1/hosts", null).statusCode()).isEqualTo(401);
        assertThat(gw.adminGet("/v1/hosts", "nope").statusCode()).isEqualTo(401);
    }

    @Test
    void hostsListEveryHostWithItsLoadAndState() throws Exception {
        farm.setDraining("h3", true);
        farm.refresh();

        JsonNode hosts = json(gw.adminGet("/v1/hosts", TOKEN)).get("hosts");

        assertThat(hosts).hasSize(3);
        JsonNode h1 = hosts.get(0);
        assertThat(h1.get("id").asText()).isEqualTo("h1");
        assertThat(h1.get("url").asText()).isEqualTo("ws://10.0.0.1:9001");
        assertThat(h1.get("address").asText()).isEqualTo("127.0.0.1");
        assertThat(h1.get("state").asText()).isEqualTo("active");
        assertThat(h1.get("eligible").asBoolean()).isTrue();
        assertThat(h1.get("connections").asInt()).isEqualTo(50);
        assertThat(h1.get("capacity").asInt()).isEqualTo(100);
        assertThat(h1.get("cpu").asDouble()).isZero();
        assertThat(h1.get("score").asDouble()).isCloseTo(0.35, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(h1.get("heartbeatAgeMillis").asLong()).isBetween(0L, 60_000L);
        assertThat(h1.get("slowStart").get("factor").asDouble()).isEqualTo(1.0);
        JsonNode h3 = hosts.get(2);
        assertThat(h3.get("state").asText()).isEqualTo("draining");
        assertThat(h3.get("eligibility").asText()).isEqualTo("draining");
        assertThat(h3.get("eligible").asBoolean()).isFalse();
    }

    @Test
    void drainStoresTheDecisionAndTheNextRefreshStopsPicks() {
        HttpResponse<String> r = gw.adminPost("/v1/hosts/h2/drain", "", TOKEN);
        farm.refresh();

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(farm.operator("h2").draining()).isTrue();
        for (int i = 0; i < 20; i++) {
            assertThat(gw.get("/x").headers().firstValue("Location").orElseThrow()).doesNotContain("10.0.0.2");
        }
    }

    @Test
    void undrainMakesTheHostActiveAgain() {
        farm.setDraining("h2", true);

        HttpResponse<String> r = gw.adminPost("/v1/hosts/h2/undrain", "", TOKEN);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(farm.operator("h2").draining()).isFalse();
    }

    @Test
    void drainedHostThatWentAwayCanStillBeUndrained() {
        farm.setDraining("h3", true);
        farm.remove("h3").refresh();

        HttpResponse<String> r = gw.adminPost("/v1/hosts/h3/undrain", "", TOKEN);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(farm.operator("h3").draining()).isFalse();
    }

    @Test
    void absentHostCannotBeDrained() {
        farm.setDraining("h3", false);
        farm.remove("h3").refresh();

        assertThat(gw.adminPost("/v1/hosts/h3/drain", "", TOKEN).statusCode()).isEqualTo(404);
    }

    @Test
    void shedStoresConnectionsMinusCountAsTarget() throws Exception {
        HttpResponse<String> r = gw.adminPost("/v1/hosts/h1/shed", "{\"count\": 15}", TOKEN);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("targetConnections").asInt()).isEqualTo(35);
        assertThat(farm.operator("h1").targetConnections()).isEqualTo(35);
    }

    @Test
    void shedMoreThanTheHostHasTargetsZero() {
        gw.adminPost("/v1/hosts/h2/shed", "{\"count\": 500}", TOKEN);

        assertThat(farm.operator("h2").targetConnections()).isZero();
    }

    @Test
    void scaleDownDrainsTheHostsWithFewestConnections() throws Exception {
        HttpResponse<String> r = gw.adminPost("/v1/scale-down", "{\"count\": 2}", TOKEN);

        assertThat(r.statusCode()).isEqualTo(200);
        List<String> drained = new ArrayList<>();
        json(r).get("draining").forEach(n -> drained.add(n.asText()));
        assertThat(drained).containsExactly("h2", "h3");
        assertThat(farm.operator("h2").draining()).isTrue();
        assertThat(farm.operator("h3").draining()).isTrue();
        assertThat(farm.operator("h1").draining()).isFalse();
    }

    @Test
    void scaleDownSkipsHostsAlreadyDraining() throws Exception {
        farm.setDraining("h2", true);
        farm.refresh();

        HttpResponse<String> r = gw.adminPost("/v1/scale-down", "{\"count\": 1}", TOKEN);

        assertThat(json(r).get("draining").get(0).asText()).isEqualTo("h3");
    }

    @Test
    void unknownHostIs404() {
        assertThat(gw.adminPost("/v1/hosts/nope/drain", "", TOKEN).statusCode()).isEqualTo(404);
        assertThat(gw.adminPost("/v1/hosts/nope/shed", "{\"count\":1}", TOKEN).statusCode()).isEqualTo(404);
        assertThat(gw.adminPost("/v1/hosts/%0d%0a/undrain", "", TOKEN).statusCode()).isEqualTo(404);
    }

    @Test
    void badJsonIs400AndChangesNothing() {
        assertThat(gw.adminPost("/v1/hosts/h1/shed", "{count: 1", TOKEN).statusCode()).isEqualTo(400);
        assertThat(gw.adminPost("/v1/hosts/h1/shed", "{\"count\": \"ten\"}", TOKEN).statusCode()).isEqualTo(400);
        assertThat(gw.adminPost("/v1/hosts/h1/shed", "{\"count\": 1.5}", TOKEN).statusCode()).isEqualTo(400);
        assertThat(gw.adminPost("/v1/hosts/h1/shed", "{\"count\": 0}", TOKEN).statusCode()).isEqualTo(400);
        assertThat(gw.adminPost("/v1/scale-down", "[]", TOKEN).statusCode()).isEqualTo(400);
        assertThat(gw.adminPost("/v1/scale-down", "", TOKEN).statusCode()).isEqualTo(400);
        assertThat(farm.operator("h1")).isEqualTo(OperatorState.DEFAULT);
    }

    @Test
    void oversizedBodyIsRefusedWith4xx() {
        String huge = "{\"count\": 1, \"pad\": \"" + "x".repeat(100_000) + "\"}";

        assertThat(gw.adminPost("/v1/scale-down", huge, TOKEN).statusCode()).isEqualTo(413);
        assertThat(farm.operator("h2")).isEqualTo(OperatorState.DEFAULT);
    }

    @Test
    void metricsCountPicksPerHostAnd503s() {
        gw.get("/a");
        gw.get("/b");
        farm.setDraining("h1", true);
        farm.setDraining("h2", true);
        farm.setDraining("h3", true);
        farm.refresh();
        gw.get("/c");

        String metrics = gw.adminGet("/metrics", null).body();

        assertThat(metrics).containsPattern("farmgate_gateway_picks_total\\{host=\"h[123]\"} [12]\\.0");
        assertThat(metrics).contains("farmgate_gateway_no_host_total 1.0");
        assertThat(metrics).contains("farmgate_gateway_snapshot_age_seconds");
        assertThat(metrics).contains("farmgate_registry_errors_total");
        assertThat(metrics).contains("farmgate_gateway_requests_seconds_count{route=\"redirect\"} 3");
    }

    @Test
    void readyzOnTheAdminListenerReportsTheSnapshot() throws Exception {
        HttpResponse<String> r = gw.adminGet("/readyz", null);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("status").asText()).isEqualTo("ready");
        assertThat(json(r).get("eligibleHosts").asInt()).isEqualTo(3);
    }
}
