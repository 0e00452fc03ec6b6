package io.farmgate.gateway;

import static io.farmgate.gateway.RunningGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.registry.FarmEvent;
import io.farmgate.scoring.OperatorState;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin calls the dashboard uses: the page itself, events, the farm summary, and the same-origin rule. */
class AdminDashboardApiTest {

    /** The in-memory farm with an event log the admin API can read. */
    private static final class FarmWithEvents extends TestFarmControl {
        final List<Integer> limits = new ArrayList<>();

        FarmWithEvents(TestFarm farm) {
            super(farm);
        }

        @Override
        public List<FarmEvent> latestEvents(int limit) {
            limits.add(limit);
            return List.of(new FarmEvent(FarmEvent.Type.SHED, "h1", "gw-a", "overloaded", 1_000,
                    Map.of("targetConnections", "10")));
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

    private HttpResponse<String> post(String path, String origin) {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.adminUrl(path)).timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + RunningGateway.ADMIN_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(""));
        if (origin != null) {
            b.header("Origin", origin);
        }
        return gw.send(b.build());
    }

    @Test
    void dashboardIsServedWithoutTheTokenAndLoadsNothingFromElsewhere() {
        HttpResponse<String> r = gw.adminGet("/dashboard", null);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
        String policy = r.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(policy).contains("connect-src 'self'").contains("script-src 'self';");
        assertThat(r.body()).contains("<table id=\"hosts\"").doesNotContain("src=\"http").doesNotContain("href=\"http")
                .contains("<script src=\"" + DashboardPage.UPLOT_JS_PATH + "\"></script>")
                .contains("<script src=\"" + DashboardPage.SCRIPT_PATH + "\"></script>")
                .doesNotContain("{{").as("no inline script: the policy would refuse it").doesNotContain("<script>");
    }

    @Test
    void theChartLibraryIsServedFromTheJarWithoutTheTokenAndCachedForGood() {
        HttpResponse<String> js = gw.adminGet(DashboardPage.UPLOT_JS_PATH, null);
        HttpResponse<String> css = gw.adminGet(DashboardPage.UPLOT_CSS_PATH, null);
        HttpResponse<String> license = gw.adminGet(DashboardPage.UPLOT_LICENSE_PATH, null);

        assertThat(DashboardPage.UPLOT_JS_PATH).isEqualTo("/dashboard/uplot-1.6.30.min.js");
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/javascript");
        assertThat(js.headers().firstValue("Cache-Control")).hasValue("public, max-age=31536000, immutable");
        assertThat(js.body()).contains("uPlot").hasSizeGreaterThan(30_000);
        assertThat(css.statusCode()).isEqualTo(200);
        assertThat(css.body()).contains(".uplot");
        assertThat(license.body()).contains("MIT License");
    }

    @Test
    void thePageScriptIsServedAndNotCached() {
        HttpResponse<String> r = gw.adminGet(DashboardPage.SCRIPT_PATH, null);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(r.body()).contains("/v1/history");
    }

    @Test
    void eventsNeedTheToken() {
        assertThat(gw.adminGet("/v1/events", null).statusCode()).isEqualTo(401);
        assertThat(control.limits).isEmpty();
    }

    @Test
    void eventsAreListedNewestFirstWithTheRequestedLimit() throws Exception {
        HttpResponse<String> r = gw.adminGet("/v1/events?limit=7", RunningGateway.ADMIN_TOKEN);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(control.limits).containsExactly(7);
        var e = json(r).get("events").get(0);
        assertThat(e.get("type").asText()).isEqualTo("shed");
        assertThat(e.get("actor").asText()).isEqualTo("gw-a");
        assertThat(e.get("details").get("targetConnections").asText()).isEqualTo("10");
    }

    @Test
    void eventLimitOutOfRangeIs400() {
        assertThat(gw.adminGet("/v1/events?limit=0", RunningGateway.ADMIN_TOKEN).statusCode()).isEqualTo(400);
        assertThat(gw.adminGet("/v1/events?limit=1001", RunningGateway.ADMIN_TOKEN).statusCode()).isEqualTo(400);
        assertThat(gw.adminGet("/v1/events?limit=ten", RunningGateway.ADMIN_TOKEN).statusCode()).isEqualTo(400);
    }

    @Test
    void writeFromAnotherOriginIsRefusedAndChangesNothing() {
        HttpResponse<String> r = post("/v1/hosts/h1/drain", "https://evil.example");

        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(farm.operator("h1")).isEqualTo(OperatorState.DEFAULT);
    }

    @Test
    void writeFromTheAdminOriginIsAccepted() {
        HttpResponse<String> r = post("/v1/hosts/h1/drain", "http://127.0.0.1:" + gw.gateway.adminPort());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(farm.operator("h1").draining()).isTrue();
    }

    @Test
    void writeFromTheAdminHostBehindATlsTerminatingProxyIsAccepted() {
        // The proxy speaks https to the browser and forwards the Host header unchanged.
        HttpResponse<String> r = post("/v1/hosts/h1/drain", "https://127.0.0.1:" + gw.gateway.adminPort());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(farm.operator("h1").draining()).isTrue();
    }

    @Test
    void writeFromAnotherPortOfTheSameHostIsRefused() {
        HttpResponse<String> r = post("/v1/hosts/h1/drain", "http://127.0.0.1:1");

        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(farm.operator("h1")).isEqualTo(OperatorState.DEFAULT);
    }

    @Test
    void writeWithoutAnOriginStillWorksForScripts() {
        assertThat(post("/v1/hosts/h1/drain", null).statusCode()).isEqualTo(200);
    }

    @Test
    void farmSummaryWithoutRebalancerSaysSo() throws Exception {
        var body = json(gw.adminGet("/v1/farm", RunningGateway.ADMIN_TOKEN));

        assertThat(body.get("hosts").asInt()).isEqualTo(2);
        assertThat(body.get("connections").asLong()).isEqualTo(40);
        assertThat(body.get("desiredHosts").asInt()).isEqualTo(1);
        assertThat(body.get("rebalancer").get("enabled").asBoolean()).isFalse();
    }
}
