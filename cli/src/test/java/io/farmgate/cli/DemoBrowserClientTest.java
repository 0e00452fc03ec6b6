package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.farmgate.gateway.ListenAddress;
import io.farmgate.testing.FreePort;
import io.farmgate.testing.HeadlessChromium;
import io.farmgate.testing.RequiredTools;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The gateway's JavaScript client ({@code GET /v1/client.js}) in headless Chromium against the real demo farm:
 * it is assigned a demo backend, that backend is drained through the admin API, and the page reconnects to
 * another backend and delivers the messages it queued meanwhile exactly once. Needs the Debian packages
 * {@code chromium} and {@code chromium-driver}; skipped without them.
 *
 * <p>The page comes from a small server in this test: the gateway redirects every other path, and the demo
 * gateway allows no CORS origin ({@link DemoFarm} builds its {@code GatewayConfig} without {@code corsOrigins}),
 * so a page from another origin may load {@code client.js} from the gateway but not read {@code /v1/assign}.
 * The page's server therefore forwards {@code GET /v1/assign} to the demo gateway unchanged, which also lets the
 * test hold the page between two connections.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DemoBrowserClientTest {

    @RegisterExtension
    static final RequiredTools chromiumInstalled = HeadlessChromium.required();

    private static final String ADMIN_TOKEN = "demo-browser-admin-token-0123456789";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROOM_CLIENTS = 20;

    @TempDir
    static Path profile;

    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static DemoFarm demo;
    private static PageServer pages;
    private static HeadlessChromium chromium;
    private static ChromeDriver browser;

    @BeforeAll
    static void start() throws IOException {
        demo = DemoFarm.start(new DemoFarm.Settings(null, "demo", new ListenAddress("127.0.0.1", 0),
                new ListenAddress("127.0.0.1", 0), "127.0.0.1", 0, "farm.example.com",
                List.of(FreePort.pick(), FreePort.pick(), FreePort.pick()), ADMIN_TOKEN,
                "demo-browser-token-secret-0123456789", Duration.ofSeconds(2), false));
        pages = new PageServer(URI.create("http://127.0.0.1:" + demo.gatewayPort()));

        chromium = HeadlessChromium.start(profile);
        browser = chromium.driver();

        await().atMost(WAIT).untilAsserted(() -> assertThat(hosts()).hasSize(3));
    }

    @AfterAll
    static void stop() {
        if (chromium != null) {
            chromium.close();
        }
        if (pages != null) {
            pages.close();
        }
        if (demo != null) {
            demo.close();
        }
    }

    @Test
    void pageReconnectsToAnotherBackendAfterADrainAndDeliversItsQueuedMessagesExactlyOnce() throws Exception {
        browser.get(pages.uri() + "/chat.html");
        await().atMost(WAIT).until(() -> "open".equals(js("return fg.state")));
        String first = (String) js("return events.connected[0]");
        RoomObserver observer = RoomObserver.onAHostOtherThan(first);

        js("window.ids = [fg.send('before 1'), fg.send('before 2')]");
        await().atMost(WAIT).until(() -> number("return fg.stats().confirmed") == 2);

        pages.holdAssignments();
        int assigned = pages.assignRequests(); // other tests' pages asked too
        assertThat(admin("POST", "/v1/hosts/" + first + "/drain").statusCode()).isBetween(200, 299);
        await().atMost(WAIT).until(() -> pages.assignRequests() == assigned + 1);
        assertThat(strings("return events.disconnects.map(String)")).containsExactly("1012");
        js("for (var i = 0; i < 3; i++) { ids.push(fg.send('while away ' + i)); }");
        assertThat(js("return fg.state")).isEqualTo("connecting");
        assertThat(number("return fg.stats().pending")).isEqualTo(3);
        // The gateway must already know of the drain, or it could send the page back to the drained host.
        await().atMost(WAIT).untilAsserted(() -> assertThat(hosts().get(first).path("state").asText()).isEqualTo("draining"));

        pages.releaseAssignments();

        await().atMost(WAIT).until(() -> number("return fg.stats().confirmed") == 5);
        List<String> ids = strings("return ids");
        List<String> connected = strings("return events.connected");
        assertThat(connected).hasSize(2).startsWith(first);
        assertThat(connected.get(1)).isIn("demo-1", "demo-2", "demo-3").isNotEqualTo(first);
        assertThat(number("return fg.stats().reconnects['service-restart']")).isEqualTo(1);
        assertThat(strings("return events.received")).containsExactlyInAnyOrderElementsOf(ids);
        await().atMost(WAIT).untilAsserted(() -> assertThat(observer.seen.keySet()).containsAll(ids));
        assertThat(ids).allSatisfy(id -> assertThat(observer.seen.get(id).get()).as("times %s reached the room", id)
                .isEqualTo(1));
        observer.close();
    }

    /**
     * Issue 18 in the browser: a page of {@value #ROOM_CLIENTS} clients in one room chats while the demo backend most
     * of them are on is drained. Every client delivers every broadcast of the room once and in order, checked by
     * position against the room's stream as Redis holds it (XRANGE): 0 missed, 0 repeated, 0 out of order, and the
     * moved clients came back with {@code resume=}.
     */
    @Test
    void aPageOfClientsInOneRoomDeliversEveryBroadcastOnceAndInOrderAcrossADrain() throws Exception {
        String room = "browser-resume";
        browser.get(pages.uri() + "/room.html?n=" + ROOM_CLIENTS + "&room=" + room);
        await().atMost(WAIT).until(() -> number("return room.clients.filter(function (c) { return c.state === 'open'; }).length")
                == ROOM_CLIENTS);
        // Drain the host with the most of the page's clients that is not draining already (another test may have
        // drained one).
        Map<String, JsonNode> before = hosts();
        Map<String, Long> onHost = strings("return room.hosts.map(function (h) { return h[h.length - 1]; })").stream()
                .filter(h -> !"draining".equals(before.get(h).path("state").asText()))
                .collect(Collectors.groupingBy(h -> h, Collectors.counting()));
        String drained = onHost.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        List<Boolean> moved = strings("return room.hosts.map(function (h) { return h[h.length - 1]; })").stream()
                .map(drained::equals).toList();
        long movedCount = moved.stream().filter(m -> m).count();
        assertThat(movedCount).as("clients on %s", drained).isPositive();

        js("room.chat(40)"); // a message every 40 ms, from each client in turn
        await().atMost(WAIT).until(() -> number("return room.sent") >= 25);
        try {
            assertThat(admin("POST", "/v1/hosts/" + drained + "/drain").statusCode()).isBetween(200, 299);
            await().atMost(WAIT).until(() -> number("return room.hosts.filter(function (h, i) {"
                    + " return h[h.length - 1] === '" + drained + "' || room.clients[i].state !== 'open'; }).length") == 0);
            long sentAtMove = number("return room.sent");
            await().atMost(WAIT).until(() -> number("return room.sent") >= sentAtMove + 25);
        } finally {
            js("room.stop()");
            admin("POST", "/v1/hosts/" + drained + "/undrain");
        }
        long sent = number("return room.sent");
        await().atMost(WAIT).until(() -> number("return room.clients.reduce(function (n, c) { return n + c.stats().pending; }, 0)") == 0);

        List<String> stream = streamPositions(room);
        assertThat(stream).as("every message reached the room once").hasSize((int) sent);
        await().atMost(WAIT).until(() -> number("return room.delivered.reduce(function (n, d) { return n + d.length; }, 0)")
                == (long) stream.size() * ROOM_CLIENTS);
        List<List<String>> delivered = lists("return room.delivered");
        for (int i = 0; i < ROOM_CLIENTS; i++) {
            assertThat(delivered.get(i)).as("positions client %d delivered", i).isEqualTo(stream);
        }
        for (int i = 0; i < ROOM_CLIENTS; i++) {
            String stats = "return room.clients[" + i + "].stats()";
            assertThat(number(stats + ".gaps")).as("gaps of client %d", i).isZero();
            assertThat(number(stats + ".resumesRefused")).as("refused resumes of client %d", i).isZero();
            if (moved.get(i)) {
                assertThat(strings("return room.hosts[" + i + "]")).as("hosts of client %d", i).hasSizeGreaterThan(1);
                assertThat(number(stats + ".reconnects['service-restart']")).as("client %d moved", i).isPositive();
                assertThat(number(stats + ".resumes")).as("client %d resumed", i).isPositive();
            }
        }
        System.out.printf("browser room: %d clients, %d moved off %s, %d broadcasts, each delivered by all%n",
                ROOM_CLIENTS, movedCount, drained, stream.size());
    }

    /** The room's positions as the demo's Redis holds them, oldest first. */
    private static List<String> streamPositions(String room) {
        RedisClient client = RedisClient.create(demo.redisUri());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return c.sync().xrange("fg:{demo}:room:" + room, Range.create("-", "+")).stream()
                    .map(StreamMessage::getId).toList();
        } finally {
            client.shutdown();
        }
    }

    @SuppressWarnings("unchecked")
    private static List<List<String>> lists(String script) {
        return (List<List<String>>) js(script);
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    private static long number(String script) {
        return ((Number) js(script)).longValue();
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(String script) {
        return (List<String>) js(script);
    }

    private static HttpResponse<String> admin(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + demo.adminPort() + path))
                        .header("Authorization", "Bearer " + ADMIN_TOKEN)
                        .method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The admin API's hosts by id. */
    private static Map<String, JsonNode> hosts() throws Exception {
        Map<String, JsonNode> byId = new ConcurrentHashMap<>();
        JSON.readTree(admin("GET", "/v1/hosts").body()).path("hosts").forEach(h -> byId.put(h.path("id").asText(), h));
        return byId;
    }

    /** A plain WebSocket in the demo chat room, on a backend the test will not drain, counting each message id. */
    private static final class RoomObserver implements WebSocket.Listener, AutoCloseable {
        final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        static RoomObserver onAHostOtherThan(String hostId) throws Exception {
            URI gateway = URI.create("http://127.0.0.1:" + demo.gatewayPort() + "/v1/assign");
            for (int attempt = 0; attempt < 50; attempt++) {
                JsonNode a = JSON.readTree(http.send(HttpRequest.newBuilder(gateway).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                if (!a.path("hostId").asText().equals(hostId)) {
                    RoomObserver observer = new RoomObserver();
                    // The assigned url carries the fg_token already.
                    observer.socket = http.newWebSocketBuilder().buildAsync(URI.create(a.path("url").asText()), observer)
                            .get(10, TimeUnit.SECONDS);
                    return observer;
                }
            }
            throw new AssertionError("the gateway assigned " + hostId + " 50 times in a row");
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode frame = JSON.readTree(partial.toString());
                    if ("chat".equals(frame.path("type").asText())) {
                        seen.computeIfAbsent(frame.path("id").asText(), id -> new AtomicInteger()).incrementAndGet();
                    }
                } catch (IOException e) {
                    throw new IllegalStateException("not JSON from the demo backend: " + partial, e);
                } finally {
                    partial.setLength(0);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
    }

    /**
     * Serves the chat page (its {@code client.js} from the demo gateway) and forwards {@code GET /v1/assign} to
     * the demo gateway, optionally holding the requests until released.
     */
    private static final class PageServer implements AutoCloseable {
        private final URI gateway;
        private final HttpServer server;
        private final ExecutorService threads = Executors.newFixedThreadPool(4);
        private final AtomicInteger assignRequests = new AtomicInteger();
        private volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);

        PageServer(URI gateway) throws IOException {
            this.gateway = gateway;
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
            server.createContext("/chat.html", this::page);
            server.createContext("/room.html", this::roomPage);
            server.createContext("/v1/assign", this::assign);
            server.setExecutor(threads);
            server.start();
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        }

        int assignRequests() {
            return assignRequests.get();
        }

        void holdAssignments() {
            gate = new CompletableFuture<>();
        }

        void releaseAssignments() {
            gate.complete(null);
        }

        private void page(HttpExchange exchange) throws IOException {
            String script = """
                      window.events = { connected: [], received: [], disconnects: [] };
                      window.fg = new FarmgateClient({
                        gateway: location.origin,
                        firstRetryWindowMs: 200, initialRetryDelayMs: 50, maxRetryDelayMs: 200,
                        onConnected: function (a) { events.connected.push(a.hostId); },
                        onMessage: function (m) { if (m.type === "chat") { events.received.push(m.id); } },
                        onDisconnected: function (code) { events.disconnects.push(code); }
                      });
                      fg.start();
                    """;
            respond(exchange, 200, "text/html; charset=utf-8", null, html(script));
        }

        /** A page that loads the gateway's client.js, then runs {@code script}. */
        private String html(String script) {
            return """
                    <!doctype html>
                    <html><head><meta charset="utf-8"><link rel="icon" href="data:,">
                    <script src="%s/v1/client.js"></script></head>
                    <body><script>
                    %s</script></body></html>
                    """.formatted(gateway, script);
        }

        /** {@code ?n=<clients>&room=<room>}: n clients in one room, each recording the positions it delivered. */
        private void roomPage(HttpExchange exchange) throws IOException {
            String script = """
                      var q = new URLSearchParams(location.search);
                      window.room = { clients: [], delivered: [], hosts: [], sent: 0, timer: null };
                      for (var i = 0; i < Number(q.get("n")); i++) {
                        (function (delivered, hosts) {
                          room.delivered.push(delivered);
                          room.hosts.push(hosts);
                          var c = new FarmgateClient({
                            gateway: location.origin, path: "/chat?room=" + q.get("room"),
                            firstRetryWindowMs: 300, initialRetryDelayMs: 50, maxRetryDelayMs: 300,
                            onConnected: function (a) { hosts.push(a.hostId); },
                            onMessage: function (m) { if (m.type === "chat") { delivered.push(m.pos); } }
                          });
                          room.clients.push(c);
                          c.start();
                        })([], []);
                      }
                      room.chat = function (everyMs) {
                        room.timer = setInterval(function () {
                          room.clients[room.sent % room.clients.length].send("m" + room.sent);
                          room.sent++;
                        }, everyMs);
                      };
                      room.stop = function () { clearInterval(room.timer); };
                    """;
            respond(exchange, 200, "text/html; charset=utf-8", null, html(script));
        }

        private void assign(HttpExchange exchange) throws IOException {
            assignRequests.incrementAndGet();
            try {
                gate.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                String query = exchange.getRequestURI().getRawQuery();
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(
                                gateway.resolve("/v1/assign" + (query == null ? "" : "?" + query))).build(),
                        HttpResponse.BodyHandlers.ofString());
                respond(exchange, answer.statusCode(), answer.headers().firstValue("Content-Type").orElse("application/json"),
                        answer.headers().firstValue("Retry-After").orElse(null), answer.body());
            } catch (Exception e) {
                respond(exchange, 502, "text/plain", null, "forwarding /v1/assign failed: " + e);
            }
        }

        private static void respond(HttpExchange exchange, int status, String contentType, String retryAfter,
                                    String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            if (retryAfter != null) {
                exchange.getResponseHeaders().set("Retry-After", retryAfter);
            }
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }

        @Override
        public void close() {
            gate.complete(null);
            server.stop(0);
            threads.shutdownNow();
        }
    }
}
