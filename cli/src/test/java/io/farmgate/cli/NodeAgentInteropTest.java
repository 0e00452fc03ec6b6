package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.agent.TokenCheck;
import io.farmgate.client.FrontDoor;
import io.farmgate.client.LoadGenerator;
import io.farmgate.client.LoadReport;
import io.farmgate.client.LoadgenConfig;
import io.farmgate.gateway.ListenAddress;
import io.farmgate.scoring.token.AssignmentToken;
import io.farmgate.registry.FarmKeys;
import io.farmgate.testing.FreePort;
import io.farmgate.testing.ExternalTool;
import io.farmgate.testing.RedisServerExtension;
import io.farmgate.testing.RequiredTools;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Node.js agent package {@code @farmgate/agent} (node/agent) against the Java side: its own
 * {@code node --test} suite with tokens the Java {@link AssignmentToken} signed, and a mixed farm
 * of two Java demo backends and two Node {@code ws} hosts behind a real gateway, which Java
 * loadgen clients spread over evenly. Skipped, naming what is missing, without node and npm
 * (Debian packages nodejs and npm) or without node/agent/node_modules ({@code npm ci} in
 * node/agent); with {@code FARMGATE_REQUIRE_ALL_TOOLS=1} (CI) a missing tool fails instead.
 */
@Timeout(300)
class NodeAgentInteropTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static final Path AGENT_PACKAGE = ExampleCommand.repositoryRoot().resolve("node/agent");
    private static final String SECRET = "node-interop-token-secret-0123456789";
    private static final long NOW_MILLIS = 1_800_000_000_000L;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The agent package's tests need node, npm, a redis-server to start and the package's node_modules. */
    @RegisterExtension
    static final RequiredTools nodePackage = new RequiredTools(ExternalTool.NODE, ExternalTool.NPM,
            ExternalTool.debian("redis-server", "redis-server"))
            .andFile(AGENT_PACKAGE.resolve("node_modules/ioredis"),
                    "node/agent/node_modules/ioredis missing (npm package: ioredis; run npm ci in node/agent)");

    private static Path requireNodePackage() {
        return ExternalTool.NODE.require();
    }

    /** Tokens signed by the gateway's signer, each with the verdict the Java TokenCheck gives it. */
    private static void writeJavaTokens(Path file) throws IOException {
        long now = NOW_MILLIS / 1000;
        AssignmentToken gateway = new AssignmentToken(SECRET.getBytes(StandardCharsets.UTF_8));
        AssignmentToken stranger = new AssignmentToken("not-the-farm-secret-0123456789".getBytes(StandardCharsets.UTF_8));
        String valid = gateway.sign("web-1", "ann", now + 30);
        List<Map<String, Object>> cases = new ArrayList<>();
        addCase(cases, "valid", valid, "web-1", "ann", 5);
        addCase(cases, "valid, no client key", gateway.sign("web-1", "", now + 1), "web-1", "", 5);
        addCase(cases, "expired within the skew", gateway.sign("web-1", "bob", now - 4), "web-1", "bob", 5);
        addCase(cases, "expired", gateway.sign("web-1", "bob", now - 6), "web-1", "bob", 5);
        addCase(cases, "expired, no skew", gateway.sign("web-1", "", now - 1), "web-1", "", 0);
        addCase(cases, "forged: another secret", stranger.sign("web-1", "ann", now + 30), "web-1", "ann", 5);
        addCase(cases, "forged: expiry changed", valid.replace("." + (now + 30) + ".", "." + (now + 3000) + "."),
                "web-1", "ann", 5);
        addCase(cases, "replayed to another host", valid, "web-2", "ann", 5);
        addCase(cases, "malformed", "v1.web-1", "web-1", "", 5);
        addCase(cases, "unicode client key", gateway.sign("web-1", "zoë", now + 30), "web-1", "zoë", 5);
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("secret", SECRET);
        all.put("nowMillis", NOW_MILLIS);
        all.put("tokens", cases);
        Files.writeString(file, new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(all));
    }

    private static void addCase(List<Map<String, Object>> cases, String name, String token, String hostId,
            String clientKey, long skewSeconds) {
        TokenCheck check = new TokenCheck(SECRET.getBytes(StandardCharsets.UTF_8), hostId,
                Clock.fixed(Instant.ofEpochMilli(NOW_MILLIS), ZoneOffset.UTC), Duration.ofSeconds(skewSeconds));
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", name);
        c.put("token", token);
        c.put("hostId", hostId);
        c.put("clientKey", clientKey);
        c.put("skewSeconds", skewSeconds);
        c.put("javaVerdict", check.check(token).name());
        cases.add(c);
    }

    @Test
    void theNodePackageTestsPassAndAcceptTheTokensJavaSigned(@TempDir Path dir) throws Exception {
        requireNodePackage();
        Path tokens = dir.resolve("java-tokens.json");
        writeJavaTokens(tokens);
        ProcessBuilder pb = new ProcessBuilder("npm", "test").directory(AGENT_PACKAGE.toFile()).redirectErrorStream(true);
        pb.environment().put("FARMGATE_JAVA_TOKENS", tokens.toString());
        Process npm = pb.start();
        StringBuilder output = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(npm.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                output.append(line).append('\n');
            }
        } finally {
            if (!npm.waitFor(240, TimeUnit.SECONDS)) {
                npm.destroyForcibly();
            }
        }
        String tap = output.toString();
        System.out.println(tap.lines().filter(l -> l.startsWith("ok ") || l.startsWith("not ok ") || l.startsWith("# "))
                .filter(l -> !l.contains("farmgate-agent INFO")).reduce("", (a, b) -> a + b + "\n"));
        assertThat(npm.exitValue()).as(tap).isZero();
        assertThat(tap).contains("# fail 0").doesNotContain("not ok ");
        assertThat(tap.lines().filter(l -> l.contains("tokens signed by the Java gateway code")).toList())
                .as("the interop case ran, not skipped").anyMatch(l -> l.startsWith("ok ") && !l.contains("# SKIP"));
    }

    /** Starts test/support/host.js of node/agent: a ws host with @farmgate/agent in the demo farm. */
    private static Process nodeHost(Path node, String redisUri, String hostId) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(node.toString(), "test/support/host.js").directory(AGENT_PACKAGE.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("FG_REDIS", redisUri);
        pb.environment().put("FG_FARM", "demo");
        pb.environment().put("FG_HOST_ID", hostId);
        pb.environment().put("FG_TOKEN_SECRET", SECRET);
        pb.environment().put("FG_DRAIN_PERIOD_MILLIS", "2000");
        return pb.start();
    }

    private static int portOf(Process host) throws IOException {
        String line = new BufferedReader(new InputStreamReader(host.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertThat(line).as("the Node host's first line").isNotNull().startsWith("{\"port\":");
        return Integer.parseInt(line.replaceAll("[^0-9]", ""));
    }

    /** The close code a WebSocket client gets from {@code url}. */
    private static int closeCodeAt(String url) {
        CompletableFuture<Integer> code = new CompletableFuture<>();
        HTTP.newWebSocketBuilder().buildAsync(URI.create(url), new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
                code.complete(status);
                return null;
            }
        }).join();
        return code.orTimeout(10, TimeUnit.SECONDS).join();
    }

    @Test
    void javaLoadgenClientsSpreadEvenlyOverAMixedFarmOfJavaAndNodeHosts() throws Exception {
        Path node = requireNodePackage();
        List<Process> hosts = new ArrayList<>();
        // The Node hosts join first, so that all four are in the gateway's first snapshot: hosts there at
        // its start are established, not newcomers in slow start (which would hold their share down).
        hosts.add(nodeHost(node, redis.uri(), "node-1"));
        hosts.add(nodeHost(node, redis.uri(), "node-2"));
        int node1Port = portOf(hosts.get(0));
        portOf(hosts.get(1));
        FarmKeys keys = new FarmKeys("demo");
        await().atMost(Duration.ofSeconds(20)).until(() -> redis.command("GET", keys.host("node-1")) != null
                && redis.command("GET", keys.host("node-2")) != null);
        try (DemoFarm demo = DemoFarm.start(new DemoFarm.Settings(redis.uri(), "demo", new ListenAddress("127.0.0.1", 0),
                new ListenAddress("127.0.0.1", 0), "127.0.0.1", 0, "farm.example.com",
                List.of(FreePort.pick(), FreePort.pick()), "node-interop-admin-token-0123456789", SECRET,
                Duration.ofSeconds(2), false))) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(admin(demo, "/v1/hosts")).contains("demo-1", "demo-2", "node-1", "node-2"));

            // A Node host refuses what the Java gateway's signer made for someone else or too long ago.
            long now = System.currentTimeMillis() / 1000;
            AssignmentToken signer = new AssignmentToken(SECRET.getBytes(StandardCharsets.UTF_8));
            String node1 = "ws://127.0.0.1:" + node1Port + "/chat?fg_token=";
            assertThat(closeCodeAt(node1 + signer.sign("demo-1", "", now + 30))).as("replayed to another host").isEqualTo(1008);
            assertThat(closeCodeAt(node1 + signer.sign("node-1", "", now - 60))).as("expired").isEqualTo(1008);
            assertThat(closeCodeAt(node1.substring(0, node1.indexOf('?')))).as("no token").isEqualTo(1008);

            // 200 cooperating Java clients through the gateway (which signs each assignment): all connect,
            // none is refused by a Node host's token check, and the four hosts share them evenly.
            int clients = 200;
            LoadgenConfig config = new LoadgenConfig(List.of(URI.create("http://127.0.0.1:" + demo.gatewayPort())),
                    clients, 9_000, 4_000, 20, FrontDoor.ASSIGN, "/chat", 1_000, 20_000, 3_000, 11);
            LoadReport report = new LoadGenerator(config).run(System.out::println);
            System.out.println(report.format());
            assertThat(report.failedClients()).isZero();
            assertThat(report.clientsPerHost()).containsOnlyKeys("demo-1", "demo-2", "node-1", "node-2");
            assertThat(report.clientsPerHost().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(clients);
            assertThat(report.maxOverMean()).isLessThanOrEqualTo(1.10);
            assertThat(report.lost()).isZero();
        } finally {
            for (Process p : hosts) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static String admin(DemoFarm demo, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + demo.adminPort() + path))
                        .header("Authorization", "Bearer node-interop-admin-token-0123456789").GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
