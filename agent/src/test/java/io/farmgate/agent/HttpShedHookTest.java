package io.farmgate.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpShedHookTest {

    private HttpServer server;
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final AtomicInteger status = new AtomicInteger(200);

    private URI startHook() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        server.createContext("/shed", exchange -> {
            bodies.add(exchange.getRequestMethod() + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/shed");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void postsTheCountAndCloseCodeAsJson() throws IOException {
        var hook = new HttpShedHook(startHook(), Duration.ofSeconds(2));

        hook.shed(7, 1012);

        assertThat(bodies).containsExactly("POST {\"count\": 7, \"closeCode\": 1012}");
        assertThat(hook.failures()).isZero();
    }

    @Test
    void answerOtherThan2xxCountsAsAFailure() throws IOException {
        var hook = new HttpShedHook(startHook(), Duration.ofSeconds(2));
        status.set(500);

        hook.shed(3, 1012);

        assertThat(hook.failures()).isEqualTo(1);
    }

    @Test
    void hookNobodyListensOnCountsAsAFailureWithoutThrowing() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        var hook = new HttpShedHook(URI.create("http://127.0.0.1:" + port + "/shed"), Duration.ofSeconds(2));

        hook.shed(1, 1012);

        assertThat(hook.failures()).isEqualTo(1);
    }

    @Test
    void zeroCountSendsNothing() throws IOException {
        var hook = new HttpShedHook(startHook(), Duration.ofSeconds(2));

        hook.shed(0, 1012);

        assertThat(bodies).isEmpty();
    }

    @Test
    void urlThatIsNotHttpIsRefusedByName() {
        assertThatThrownBy(() -> new HttpShedHook(URI.create("ws://127.0.0.1:1/x"), Duration.ofSeconds(1)))
                .hasMessageStartingWith("shedUrl: 'ws://127.0.0.1:1/x'");
    }
}
