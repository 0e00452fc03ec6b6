package io.farmgate.client.fake;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A gateway honouring the public contract on 127.0.0.1 and a free port: {@code GET /v1/assign} round-robin
 * over its backends with a token, 307 for other paths, 503 with Retry-After when told or when no backend is
 * eligible; serves {@code /v1/client.js} and test pages from the classpath. Can hold assignment requests
 * until released, to freeze a client between two connections.
 */
public final class FakeGateway implements AutoCloseable {

    private final List<String> urls = new CopyOnWriteArrayList<>();
    private final List<String> hostIds = new CopyOnWriteArrayList<>();
    private final Set<String> excluded = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> assignedPerHost = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger unavailableAnswersLeft = new AtomicInteger();
    private volatile String retryAfter = "1";
    private volatile CountDownLatch hold = new CountDownLatch(0);
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final HttpServer server;

    public FakeGateway(List<FakeBackend> backends) throws IOException {
        for (FakeBackend b : backends) {
            addHost(b.hostId(), b.url());
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Adds a host that may not be a fake backend at all (e.g. a closed port). */
    public void addHost(String hostId, String url) {
        hostIds.add(hostId);
        urls.add(url);
        assignedPerHost.put(hostId, new AtomicInteger());
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** No new clients for this host (a drain, as far as assignment goes). */
    public void exclude(String hostId) {
        excluded.add(hostId);
    }

    /** The next {@code times} requests get 503 with this Retry-After value (null for none). */
    public void answerUnavailable(int times, String retryAfterValue) {
        retryAfter = retryAfterValue;
        unavailableAnswersLeft.set(times);
    }

    /** Requests wait (at most 10 s) until {@link #release()}. */
    public void hold() {
        hold = new CountDownLatch(1);
    }

    public void release() {
        hold.countDown();
    }

    public int requests() {
        return requests.get();
    }

    public int assignedTo(String hostId) {
        return assignedPerHost.get(hostId).get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/v1/client.js")) {
                serveResource(exchange, "/io/farmgate/client/farmgate-client.js", "text/javascript");
                return;
            }
            if (path.equals("/favicon.ico")) {
                respond(exchange, 404, "text/plain", "none");
                return;
            }
            if (path.startsWith("/pages/")) {
                serveResource(exchange, path, "text/html");
                return;
            }
            requests.incrementAndGet();
            try {
                hold.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            int host = pick();
            if (host < 0) {
                if (retryAfter != null) {
                    exchange.getResponseHeaders().add("Retry-After", retryAfter);
                }
                respond(exchange, 503, "application/json", "{\"error\":\"no eligible host\"}");
                return;
            }
            String hostId = hostIds.get(host);
            assignedPerHost.get(hostId).incrementAndGet();
            String token = "tok-" + hostId + "-" + requests.get();
            if (path.equals("/v1/assign")) {
                respond(exchange, 200, "application/json", "{\"url\":\"" + urls.get(host) + "\",\"hostId\":\"" + hostId
                        + "\",\"token\":\"" + token + "\",\"expiresAt\":\"2099-01-01T00:00:00Z\"}");
                return;
            }
            String query = exchange.getRequestURI().getRawQuery();
            String location = urls.get(host) + path + "?" + (query == null ? "" : query + "&") + "fg_token=" + token;
            exchange.getResponseHeaders().add("Location", location);
            respond(exchange, 307, "text/plain", "");
        }
    }

    private int pick() {
        if (unavailableAnswersLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return -1;
        }
        int size = hostIds.size();
        for (int i = 0; i < size; i++) {
            int candidate = Math.floorMod(next.getAndIncrement(), size);
            if (!excluded.contains(hostIds.get(candidate))) {
                return candidate;
            }
        }
        return -1;
    }

    private static void serveResource(HttpExchange exchange, String resource, String type) throws IOException {
        try (InputStream in = FakeGateway.class.getResourceAsStream(resource)) {
            if (in == null) {
                respond(exchange, 404, "text/plain", "not found");
                return;
            }
            byte[] body = in.readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", type);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        executor.shutdownNow();
    }
}
