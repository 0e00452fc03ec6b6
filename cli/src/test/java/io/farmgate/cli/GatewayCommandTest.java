package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.gateway.GatewayConfig;
import io.farmgate.gateway.ListenAddress;
import io.farmgate.registry.HeartbeatPublisher;
import io.farmgate.registry.RegistryConfig;
import io.farmgate.registry.RegistryConnection;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.scoring.pick.PickerKind;
import io.farmgate.testing.RedisServerExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

class GatewayCommandTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static final String TOKEN = "cli-admin-token-0123456789";

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private CommandLine commandLine(Map<String, String> env) {
        CommandLine cl = Farmgate.commandLine(new ConfigDefaults(env, null));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl;
    }

    private GatewayCommand parse(Map<String, String> env, String... args) {
        CommandLine cl = commandLine(env);
        cl.parseArgs(args);
        return (GatewayCommand) cl.getSubcommands().get("gateway").getCommand();
    }

    @Test
    void optionsBecomeTheGatewayConfig() {
        GatewayCommand cmd = parse(Map.of(), "gateway", "--redis", "redis://127.0.0.1:1", "--farm", "f",
                "--listen", "127.0.0.1:9080", "--admin-listen", "[::1]:9081", "--admin-token", TOKEN,
                "--trusted-proxies", "10.0.0.0/8,192.168.0.1", "--cors-origins", "*", "--picker", "round-robin",
                "--retry-after-seconds", "9");

        GatewayConfig c = cmd.gatewayConfig(new PrintWriter(out));

        assertThat(c.listen()).isEqualTo(new ListenAddress("127.0.0.1", 9080));
        assertThat(c.adminListen()).isEqualTo(new ListenAddress("::1", 9081));
        assertThat(c.adminToken()).isEqualTo(TOKEN);
        assertThat(c.trustedProxies()).containsExactly("10.0.0.0/8", "192.168.0.1");
        assertThat(c.corsOrigins()).containsExactly("*");
        assertThat(c.picker()).isEqualTo(PickerKind.ROUND_ROBIN);
        assertThat(c.retryAfterSeconds()).isEqualTo(9);
        assertThat(c.tokenSecret()).isNull();
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void failedLoginLimitOptionsBecomeTheGatewayConfig() {
        GatewayCommand cmd = parse(Map.of("FARMGATE_ADMIN_FAILED_LOGIN_WINDOW_MILLIS", "30000"), "gateway",
                "--redis", "redis://127.0.0.1:1", "--farm", "f", "--admin-token", TOKEN,
                "--admin-max-failed-logins", "4");

        GatewayConfig c = cmd.gatewayConfig(new PrintWriter(out));

        assertThat(c.adminMaxFailedLogins()).isEqualTo(4);
        assertThat(c.adminFailedLoginWindowMillis()).isEqualTo(30_000);
    }

    @Test
    void listenerTimeoutOptionsBecomeTheGatewayConfig() {
        GatewayCommand cmd = parse(Map.of(), "gateway", "--redis", "redis://127.0.0.1:1", "--farm", "f",
                "--admin-token", TOKEN, "--header-read-timeout-millis", "2500", "--idle-timeout-millis", "9000");

        GatewayConfig c = cmd.gatewayConfig(new PrintWriter(out));

        assertThat(c.headerReadTimeoutMillis()).isEqualTo(2_500);
        assertThat(c.idleTimeoutMillis()).isEqualTo(9_000);
    }

    @Test
    void headerReadTimeoutOutOfRangeExitsWith2NamingTheField() {
        int code = commandLine(Map.of()).execute("gateway", "--redis", "redis://127.0.0.1:1", "--farm", "f",
                "--admin-token", TOKEN, "--header-read-timeout-millis", "5");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("headerReadTimeoutMillis: 5 (expected: in [100, 600000])");
    }

    @Test
    void idleRefreshShorterThanTheRefreshIntervalExitsWith2NamingTheField() {
        int code = commandLine(Map.of()).execute("gateway", "--redis", "redis://127.0.0.1:1", "--farm", "f",
                "--admin-token", TOKEN, "--refresh-millis", "500", "--idle-refresh-millis", "200");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("idleRefreshMillis: 200 (expected: 0, or in [500, 600000]");
    }

    @Test
    void redisCaFileOptionReachesTheRegistryConfig() {
        GatewayCommand cmd = parse(Map.of(), "gateway", "--redis", "rediss://127.0.0.1:6380", "--farm", "f",
                "--redis-ca-file", "/etc/farmgate/redis-ca.pem");

        assertThat(cmd.registryConfig().redisCaFile()).isEqualTo(java.nio.file.Path.of("/etc/farmgate/redis-ca.pem"));
    }

    @Test
    void redisCaFileWithAPlainRedisUriExitsWith2NamingTheField() {
        int code = commandLine(Map.of()).execute("gateway", "--redis", "redis://127.0.0.1:1", "--farm", "f",
                "--admin-token", TOKEN, "--redis-ca-file", "/etc/farmgate/redis-ca.pem");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("redisCaFile: /etc/farmgate/redis-ca.pem given for 'redis://127.0.0.1:1'");
    }

    @Test
    void zoneOptionsBecomeTheZoneRule() {
        GatewayCommand cmd = parse(Map.of(), "gateway", "--redis", "redis://127.0.0.1:1", "--farm", "f",
                "--admin-token", TOKEN, "--zone", "eu-west-1a", "--zone-spill-fraction", "0.2",
                "--zone-min-eligible", "3");

        GatewayConfig c = cmd.gatewayConfig(new PrintWriter(out));

        assertThat(c.zonePolicy()).isEqualTo(new io.farmgate.scoring.pick.ZonePolicy("eu-west-1a", 0.2, 3));
        assertThat(parse(Map.of(), "gateway", "--redis", "redis://127.0.0.1:1", "--farm", "f", "--admin-token", TOKEN)
                .gatewayConfig(new PrintWriter(out)).zonePolicy()).isNull();
    }

    @Test
    void zoneMinimumOfZeroExitsWith2NamingTheField() {
        int code = commandLine(Map.of()).execute("gateway", "--redis", "redis://127.0.0.1:1", "--farm", "f",
                "--admin-token", TOKEN, "--zone", "a", "--zone-min-eligible", "0");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("zoneMinEligible: 0 (expected: in [1, 10000])");
    }

    @Test
    void zeroFailedLoginLimitExitsWith2NamingTheField() {
        int code = commandLine(Map.of()).execute("gateway", "--redis", "redis://127.0.0.1:1", "--farm", "f",
                "--admin-token", TOKEN, "--admin-max-failed-logins", "0");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("adminMaxFailedLogins: 0 (expected: in [1, 1000000])");
    }

    @Test
    void everyOptionAlsoReadsItsEnvironmentVariable() {
        GatewayCommand cmd = parse(Map.of("FARMGATE_ADMIN_TOKEN", TOKEN, "FARMGATE_TOKEN_SECRET", "env-secret-0123456789",
                        "FARMGATE_CORS_ORIGINS", "https://a.example,https://b.example", "FARMGATE_LISTEN", "127.0.0.1:7000"),
                "gateway", "--redis", "redis://127.0.0.1:1", "--farm", "f");

        GatewayConfig c = cmd.gatewayConfig(new PrintWriter(out));

        assertThat(c.adminToken()).isEqualTo(TOKEN);
        assertThat(c.tokenSecret()).isEqualTo("env-secret-0123456789");
        assertThat(c.corsOrigins()).containsExactly("https://a.example", "https://b.example");
        assertThat(c.listen().port()).isEqualTo(7000);
    }

    @Test
    void missingAdminTokenIsGeneratedAndPrintedOnce() {
        GatewayCommand cmd = parse(Map.of(), "gateway", "--redis", "redis://127.0.0.1:1", "--farm", "f");

        GatewayConfig c = cmd.gatewayConfig(new PrintWriter(out));

        assertThat(c.adminToken()).hasSize(43);
        assertThat(out.toString()).contains("admin token (generated").contains(c.adminToken());
        assertThat(out.toString().split(Pattern.quote(c.adminToken()), -1)).hasSize(2);
    }

    @Test
    void generatedTokensDiffer() {
        java.security.SecureRandom random = new java.security.SecureRandom();

        assertThat(GatewayCommand.generateToken(random)).isNotEqualTo(GatewayCommand.generateToken(random));
    }

    @Test
    void badListenAddressExitsWith2NamingTheField() {
        int code = commandLine(Map.of()).execute("gateway", "--redis", "redis://127.0.0.1:1", "--farm", "f",
                "--admin-token", TOKEN, "--listen", "nonsense");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("listen: 'nonsense' (expected: HOST:PORT)");
    }

    @Test
    void rebalanceOptionsBecomeTheRebalancerConfig() {
        GatewayCommand cmd = parse(Map.of(), "gateway", "--redis", "redis://127.0.0.1:1", "--farm", "f",
                "--rebalance-period-millis", "1000", "--leader-lease-millis", "3000", "--rebalance-tolerance", "0.2",
                "--rebalance-shed-into-band", "1", "--rebalance-settle-millis", "750");

        io.farmgate.gateway.RebalancerConfig c = cmd.rebalancerConfig();

        assertThat(c.policy().toleranceFraction()).isEqualTo(0.2);
        assertThat(c.policy().shedIntoBandFraction()).isEqualTo(1.0);
        assertThat(c.settleMillis()).isEqualTo(750);
    }

    @Test
    void rebalancerSettlesForTwoPeriodsByDefault() {
        GatewayCommand cmd = parse(Map.of(), "gateway", "--redis", "redis://127.0.0.1:1", "--farm", "f",
                "--rebalance-period-millis", "1000", "--leader-lease-millis", "3000");

        assertThat(cmd.rebalancerConfig().settleMillis()).isEqualTo(2_000);
        assertThat(cmd.rebalancerConfig().policy().shedIntoBandFraction())
                .isEqualTo(io.farmgate.scoring.rebalance.RebalancePolicy.DEFAULT_SHED_INTO_BAND_FRACTION);
    }

    @Test
    void shedIntoBandOutOfRangeExitsWith2NamingTheField() {
        int code = commandLine(Map.of()).execute("gateway", "--redis", "redis://127.0.0.1:1", "--farm", "f",
                "--admin-token", TOKEN, "--rebalance-shed-into-band", "1.5");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("shedIntoBandFraction: 1.5 (expected: in [0, 1])");
    }

    @Test
    void badFarmNameExitsWith2NamingTheField() {
        int code = commandLine(Map.of()).execute("gateway", "--redis", "redis://127.0.0.1:1", "--farm", "Bad Farm",
                "--admin-token", TOKEN);

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("farm: 'Bad Farm'");
    }

    @Test
    void gatewayRedirectsToAHostRegisteredInRedisAndStopsCleanly() throws Exception {
        try (RegistryConnection agent = RegistryConnection.open(RegistryConfig.defaults(redis.uri(), "e2e")
                .withHeartbeat(1_000, 30_000))) {
            HeartbeatPublisher publisher = new HeartbeatPublisher(agent);
            HostReport web1 = new HostReport("web-1", "ws://127.0.0.11:9001", "127.0.0.11", "",
                    0, 100, 0.0, HostState.ACTIVE, 1.0, System.currentTimeMillis(), 1);
            // The connection is made on first use and may miss its first attempt on a busy machine.
            await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> {
                publisher.publish(web1);
                return true;
            });
            CommandLine cl = commandLine(Map.of());
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute("gateway",
                    "--redis", redis.uri(), "--farm", "e2e", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
                    "--admin-token", TOKEN, "--heartbeat-ttl-millis", "30000"));
            Pattern listening = Pattern.compile("gateway listening on http://127\\.0\\.0\\.1:(\\d+)");
            await().atMost(Duration.ofSeconds(30)).until(() -> listening.matcher(out.toString()).find() || exit.isDone());
            Matcher m = listening.matcher(out.toString());
            assertThat(m.find()).as("startup output: %s %s", out, err).isTrue();
            int port = Integer.parseInt(m.group(1));

            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/room/1")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(r.statusCode()).isEqualTo(307);
            assertThat(r.headers().firstValue("Location")).hasValue("http://127.0.0.11:9001/room/1");
            ((GatewayCommand) cl.getSubcommands().get("gateway").getCommand()).stop();
            assertThat(exit.get(30, java.util.concurrent.TimeUnit.SECONDS)).isZero();
        }
    }

    @Test
    void portAlreadyInUseExitsWith1NamingTheListener() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int code = commandLine(Map.of()).execute("gateway", "--redis", redis.uri(), "--farm", "f",
                    "--admin-token", TOKEN, "--listen", "127.0.0.1:" + taken.getLocalPort(), "--admin-listen", "127.0.0.1:0");

            assertThat(code).isEqualTo(1);
            assertThat(err.toString()).contains("cannot open listen 127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    void unreadableTlsCertificateExitsWith2NamingTheField() {
        int code = commandLine(Map.of()).execute("gateway", "--redis", redis.uri(), "--farm", "f",
                "--admin-token", TOKEN, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
                "--tls-listen", "127.0.0.1:0", "--tls-cert", "/nonexistent/cert.pem", "--tls-key", "/nonexistent/key.pem");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("tlsCert: cannot read /nonexistent/cert.pem");
    }

    @Test
    void tlsListenWithoutItsFilesExitsWith2() {
        int code = commandLine(Map.of()).execute("gateway", "--redis", redis.uri(), "--farm", "f",
                "--admin-token", TOKEN, "--tls-listen", "127.0.0.1:0");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("tlsListen, tlsCert, tlsKey: give all three or none");
    }

    @Test
    void helpListsTheContractOptions() {
        commandLine(Map.of()).execute("gateway", "--help");

        assertThat(out.toString()).contains("--redis", "--farm", "--listen", "--admin-listen", "--admin-token",
                "--token-secret", "--tls-cert", "--tls-key", "--trusted-proxies", "--cors-origins");
    }

}
