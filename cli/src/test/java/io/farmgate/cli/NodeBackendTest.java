package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.registry.FarmKeys;
import io.farmgate.registry.OperatorStore;
import io.farmgate.registry.RegistryConfig;
import io.farmgate.registry.RegistryConnection;
import io.farmgate.testing.ExternalTool;
import io.farmgate.testing.FreePort;
import io.farmgate.testing.RequiredTools;
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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * compose/node-backend/server.js, the compose farm's Node.js ws backend, with @farmgate/agent in-process
 * against a real redis-server: it joins the farm with its connection count, a stored drain closes its
 * clients with 1012, and SIGTERM makes it leave the farm. Runs where node is installed and
 * {@code npm ci} was run in compose/node-backend and node/agent (.ci/run does both).
 */
@Timeout(120)
class NodeBackendTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static final Path NODE_BACKEND = ExampleCommand.repositoryRoot().resolve("compose/node-backend");

    @RegisterExtension
    static final RequiredTools nodeAndAgent = new RequiredTools(ExternalTool.NODE)
            .andFile(NODE_BACKEND.resolve("node_modules/@farmgate/agent/package.json"),
                    "compose/node-backend/node_modules/@farmgate/agent missing (npm package: @farmgate/agent; run npm ci in compose/node-backend)");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String FARM = "compose-node";

    /** A WebSocket client that remembers the close code it got. */
    private static final class Client implements WebSocket.Listener {
        final CompletableFuture<Integer> closeCode = new CompletableFuture<>();

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode.complete(statusCode);
            return null;
        }
    }

    @Test
    void joinsTheFarmObeysADrainAndLeavesOnSigterm() throws Exception {
        Path node = ExternalTool.NODE.require();
        int port = FreePort.pick();
        ProcessBuilder pb = new ProcessBuilder(node.toString(), "server.js").directory(NODE_BACKEND.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("PORT", Integer.toString(port));
        pb.environment().put("LISTEN_HOST", "127.0.0.1");
        pb.environment().put("HOST_ID", "node-test");
        pb.environment().put("FARMGATE_REDIS", redis.uri());
        pb.environment().put("FARMGATE_FARM", FARM);
        pb.environment().put("FARMGATE_URL", "ws://127.0.0.1:" + port);
        pb.environment().put("FARMGATE_DRAIN_PERIOD_MILLIS", "1000");
        Process server = pb.start();
        FarmKeys keys = new FarmKeys(FARM);
        try (RegistryConnection connection = RegistryConnection.open(RegistryConfig.defaults(redis.uri(), FARM))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> redis.command("GET", keys.host("node-test")) != null);
            List<Client> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Client c = new Client();
                HTTP.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/chat"), c).join();
                clients.add(c);
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat((String) redis.command("GET", keys.host("node-test"))).contains("\"connections\":3"));

            new OperatorStore(connection, Clock.systemUTC()).drain("node-test");
            for (Client c : clients) {
                assertThat(c.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1012);
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat((String) redis.command("GET", keys.host("node-test"))).contains("\"state\":\"draining\"");
                assertThat(healthz(port).statusCode()).isEqualTo(503);
            });

            server.destroy(); // SIGTERM: drain (nobody left), leave the farm, exit
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(redis.command("GET", keys.host("node-test"))).isNull();
            assertThat(redis.command("ZSCORE", keys.hosts(), "node-test")).isNull();
        } finally {
            server.destroyForcibly();
        }
    }

    private static HttpResponse<String> healthz(int port) throws Exception {
        // HTTP/1.1: an h2c upgrade request would go to the WebSocket server, which answers 400.
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                        .version(HttpClient.Version.HTTP_1_1).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
