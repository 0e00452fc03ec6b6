package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.registry.HeartbeatPublisher;
import io.farmgate.registry.RegistryConfig;
import io.farmgate.registry.RegistryConnection;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.testing.RedisServerExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * `farmgate gateway` without clients lets its snapshot idle: its own watchers (metrics, the
 * dashboard's history, the drain watch, the rebalancer) do not count as readers; the first client
 * brings a fresh snapshot at once.
 */
@Timeout(90)
class GatewayIdleRefreshTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static final String TOKEN = "cli-admin-token-0123456789";
    private static final Pattern AGE = Pattern.compile("(?m)^farmgate_gateway_snapshot_age_seconds\\s+(\\S+)");
    private static final Pattern ELIGIBLE = Pattern.compile("(?m)^farmgate_gateway_eligible_hosts\\s+(\\S+)");

    private final StringWriter out = new StringWriter();
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @Test
    void watchersDoNotKeepAnIdleGatewayRefreshingAndTheFirstClientBringsTheFullRateBack() throws Exception {
        try (RegistryConnection agent = RegistryConnection.open(RegistryConfig.defaults(redis.uri(), "idle")
                .withHeartbeat(1_000, 60_000))) {
            HeartbeatPublisher publisher = new HeartbeatPublisher(agent);
            await().atMost(Duration.ofSeconds(15)).ignoreExceptions()
                    .until(() -> publisher.publish(host("web-1")) || true);
            CommandLine cl = Farmgate.commandLine(new ConfigDefaults(Map.of(), null));
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(new StringWriter(), true));
            // Full rate every 100 ms; idle once a minute: nothing but a client can explain a refresh.
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute("gateway",
                    "--redis", redis.uri(), "--farm", "idle", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
                    "--admin-token", TOKEN, "--heartbeat-ttl-millis", "60000", "--refresh-millis", "100",
                    "--idle-refresh-millis", "60000", "--rebalance-period-millis", "500"));
            try {
                Pattern listening = Pattern.compile("gateway listening on http://127\\.0\\.0\\.1:(\\d+)"
                        + ".*admin on http://127\\.0\\.0\\.1:(\\d+)");
                await().atMost(Duration.ofSeconds(30)).until(() -> listening.matcher(out.toString()).find() || exit.isDone());
                Matcher m = listening.matcher(out.toString());
                assertThat(m.find()).as("startup output: %s", out).isTrue();
                int port = Integer.parseInt(m.group(1));
                int adminPort = Integer.parseInt(m.group(2));

                // History and drain watch sample every second, the rebalancer every 500 ms, and
                // /metrics reads the snapshot too: none of them may pull the refresh back to 100 ms.
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                        .until(() -> metric(adminPort, AGE) > 3.0);

                publisher.publish(host("web-2"));
                HttpResponse<String> first = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/room/1")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(first.statusCode()).isEqualTo(307);
                // The client's read refreshed the snapshot at once, not a minute later.
                await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                        .until(() -> metric(adminPort, ELIGIBLE) == 2.0 && metric(adminPort, AGE) < 1.0);
            } finally {
                ((GatewayCommand) cl.getSubcommands().get("gateway").getCommand()).stop();
            }
            assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
        }
    }

    private static HostReport host(String id) {
        return new HostReport(id, "ws://127.0.0.11:9001", "127.0.0.11", "", 0, 100, 0.0, HostState.ACTIVE, 1.0,
                System.currentTimeMillis(), 1);
    }

    private double metric(int adminPort, Pattern which) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = which.matcher(r.body());
        assertThat(m.find()).as("/metrics: %s", r.body()).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
