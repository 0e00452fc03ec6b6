package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.testing.ExternalTool;
import io.farmgate.testing.FreePort;
import io.farmgate.testing.RequiredTools;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * compose/node-backend/server.js honours the agent's shed hook: at most N open clients closed with
 * the given code, bad orders refused with 400. Runs where node and the npm {@code ws} package are
 * installed ({@code cd compose/node-backend && npm install}, as .ci/run does); skipped, naming what is
 * missing, without them.
 */
class NodeBackendHookTest {

    private static final Path NODE_BACKEND = ExampleCommand.repositoryRoot().resolve("compose/node-backend");

    @RegisterExtension
    static final RequiredTools nodeAndWs = new RequiredTools(ExternalTool.NODE).andFile(NODE_BACKEND.resolve("node_modules/ws"),
            "compose/node-backend/node_modules/ws missing (npm package: ws; run npm install in compose/node-backend)");

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static Process server;
    private static int port;
    private static int hookPort;

    @BeforeAll
    static void startServer() throws Exception {
        Path node = ExternalTool.NODE.require();
        port = FreePort.pick();
        hookPort = FreePort.pick();
        ProcessBuilder pb = new ProcessBuilder(node.toString(), "server.js").directory(NODE_BACKEND.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("PORT", Integer.toString(port));
        pb.environment().put("HOOK_PORT", Integer.toString(hookPort));
        pb.environment().put("HOST_ID", "node-test");
        pb.environment().put("DRAIN_WAIT_MS", "1000");
        server = pb.start();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                assertThat(hook("GET", "/healthz", null).statusCode()).isEqualTo(200));
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        if (server != null) {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    private static HttpResponse<String> hook(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hookPort + path));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A WebSocket client that remembers the close code it got. */
    private static final class Client implements WebSocket.Listener {
        final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
        WebSocket socket;

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closeCode.completeExceptionally(error);
        }
    }

    private static List<Client> connect(int n) {
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Client c = new Client();
            c.socket = HTTP.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/chat"), c).join();
            clients.add(c);
        }
        return clients;
    }

    @Test
    void shedOrderClosesAtMostCountOpenClientsWith1012() throws Exception {
        List<Client> clients = connect(4);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(hook("GET", "/healthz", null).body()).contains("\"clients\":4"));

        HttpResponse<String> first = hook("POST", "/farmgate/shed", "{\"count\": 3, \"closeCode\": 1012}");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).isEqualTo("{\"closed\":3}");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(clients.stream().filter(c -> c.closeCode.isDone()).count()).isEqualTo(3));
        assertThat(clients.stream().filter(c -> c.closeCode.isDone()).map(c -> c.closeCode.join())).containsOnly(1012);

        // Asked for more than are open: only the one left is closed.
        assertThat(hook("POST", "/farmgate/shed", "{\"count\": 5, \"closeCode\": 1012}").body()).isEqualTo("{\"closed\":1}");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(clients).allMatch(c -> c.closeCode.isDone()));
    }

    @Test
    void badShedOrdersAreRefusedWith400AndCloseNothing() throws Exception {
        List<Client> clients = connect(1);
        assertThat(hook("POST", "/farmgate/shed", "nonsense").statusCode()).isEqualTo(400);
        assertThat(hook("POST", "/farmgate/shed", "{\"count\": -1, \"closeCode\": 1012}").body()).contains("count: -1");
        assertThat(hook("POST", "/farmgate/shed", "{\"count\": 1, \"closeCode\": 1006}").body()).contains("closeCode: 1006");
        assertThat(hook("GET", "/farmgate/shed", null).statusCode()).isEqualTo(404);
        assertThat(clients.get(0).closeCode).isNotDone();
        clients.get(0).socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
    }
}
