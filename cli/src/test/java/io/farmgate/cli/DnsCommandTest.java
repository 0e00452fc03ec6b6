package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.registry.HeartbeatPublisher;
import io.farmgate.registry.RegistryConfig;
import io.farmgate.registry.RegistryConnection;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.testing.ExternalTool;
import io.farmgate.testing.FreePort;
import io.farmgate.testing.RedisServerExtension;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/** farmgate dns as an operator runs it: real Redis, real UDP packets from dig (skipped without it), metrics over HTTP. */
class DnsCommandTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private CommandLine commandLine() {
        CommandLine cl = Farmgate.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl;
    }

    private static String dig(int port, String... query) throws IOException, InterruptedException {
        String[] cmd = new String[6 + query.length];
        cmd[0] = ExternalTool.DIG.require().toString();
        cmd[1] = "@127.0.0.1";
        cmd[2] = "-p";
        cmd[3] = Integer.toString(port);
        cmd[4] = "+norec";
        cmd[5] = "+time=2";
        System.arraycopy(query, 0, cmd, 6, query.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("dig finished").isTrue();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void answersTheApexFromTheRegistryAndCountsItInMetrics() throws Exception {
        ExternalTool.DIG.require();
        try (RegistryConnection agent = RegistryConnection.open(RegistryConfig.defaults(redis.uri(), "dnsfarm")
                .withHeartbeat(1_000, 30_000))) {
            new HeartbeatPublisher(agent).publish(new HostReport("web-1", "ws://127.0.0.21:9001", "127.0.0.21", "",
                    0, 100, 0.0, HostState.ACTIVE, 1.0, System.currentTimeMillis(), 1));
            int port = FreePort.pick();
            CommandLine cl = commandLine();
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute("dns",
                    "--redis", redis.uri(), "--farm", "dnsfarm", "--zone", "farm.example.com",
                    "--listen", "127.0.0.1:" + port, "--metrics-listen", "127.0.0.1:0",
                    "--heartbeat-ttl-millis", "30000"));
            Pattern metricsAt = Pattern.compile("metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics");
            await().atMost(Duration.ofSeconds(30)).until(() -> metricsAt.matcher(out.toString()).find() || exit.isDone());
            Matcher m = metricsAt.matcher(out.toString());
            assertThat(m.find()).as("startup output: %s %s", out, err).isTrue();

            String answer = dig(port, "farm.example.com", "A");
            assertThat(answer).contains("status: NOERROR").containsPattern("flags: qr aa;")
                    .containsPattern("farm\\.example\\.com\\.\\s+5\\s+IN\\s+A\\s+127\\.0\\.0\\.21");
            assertThat(dig(port, "nope.farm.example.com", "A")).contains("status: NXDOMAIN");

            HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + m.group(1) + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.body()).containsPattern("farmgate_dns_queries_total\\{type=\"A\"\\} [1-9]")
                    .containsPattern("farmgate_dns_responses_total\\{rcode=\"NXDOMAIN\"\\} [1-9]");
            HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + m.group(1) + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);

            ((DnsCommand) cl.getSubcommands().get("dns").getCommand()).stop();
            assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
        }
    }

    @Test
    void missingZoneExitsWithUsageCode() {
        int code = commandLine().execute("dns", "--redis", "redis://127.0.0.1:1", "--farm", "f");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--zone");
    }

    @Test
    void badListenAddressExitsWithUsageCodeNamingTheField() {
        int code = commandLine().execute("dns", "--redis", "redis://127.0.0.1:1", "--farm", "f",
                "--zone", "farm.example.com", "--listen", "nonsense");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("listen: 'nonsense'");
    }

    @Test
    void badZoneSpillFractionExitsWithUsageCodeNamingTheField() {
        int code = commandLine().execute("dns", "--redis", "redis://127.0.0.1:1", "--farm", "f",
                "--zone", "farm.example.com", "--host-zone", "eu-1a", "--zone-spill-fraction", "11");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("zoneSpillFraction: 11.0 (expected: in [0, 10])");
    }

    @Test
    void zoneAndNameServersComeFromTheEnvironmentToo() {
        ConfigDefaults env = new ConfigDefaults(Map.of("FARMGATE_ZONE", "farm.example.net"), null);
        CommandLine cl = Farmgate.commandLine(env);
        cl.parseArgs("dns", "--redis", "redis://127.0.0.1:1", "--farm", "f");
        DnsCommand dns = (DnsCommand) cl.getSubcommands().get("dns").getCommand();
        assertThat(dns.dnsConfig().zone()).startsWith("farm.example.net");
    }
}
