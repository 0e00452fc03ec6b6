package io.farmgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A WebSocket client that follows the 307 of its upgrade request reaches the backend. */
class WebSocketRedirectTest {

    private Javalin backend;
    private RunningGateway gw;

    @BeforeEach
    void start() {
        backend = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.startupWatcherEnabled = false;
            cfg.routes.ws("/echo", ws -> ws.onMessage(ctx -> ctx.send("echo:" + ctx.queryParam("room") + ":" + ctx.message())));
        }).start("127.0.0.1", 0);
        TestFarm farm = new TestFarm().host("b1", "ws://127.0.0.1:" + backend.port(), 0, 100);
        farm.refresh();
        gw = RunningGateway.start(farm);
    }

    @AfterEach
    void stop() {
        gw.close();
        backend.stop();
    }

    @Test
    void clientFollowingTheUpgradeRedirectTalksToTheBackend() throws Exception {
        // Hop 1: the upgrade request as a browser-less client sends it, to the gateway.
        RawHttp.Head head;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", gw.gateway.port()), 5_000);
            s.setSoTimeout(5_000);
            s.getOutputStream().write(("GET /echo?room=7 HTTP/1.1\r\nHost: gateway\r\nConnection: Upgrade\r\n"
                    + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            head = RawHttp.readHead(s.getInputStream());
        }
        assertThat(head.status()).isEqualTo(307);

        // Hop 2: the WebSocket handshake at the Location.
        CompletableFuture<String> reply = new CompletableFuture<>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create(head.header("Location")), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        reply.complete(data.toString());
                        return null;
                    }
                }).get(5, TimeUnit.SECONDS);
        ws.sendText("hello", true).get(5, TimeUnit.SECONDS);

        assertThat(reply.get(5, TimeUnit.SECONDS)).isEqualTo("echo:7:hello");
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }

    @Test
    void upgradeToTheGatewayItselfIsNeverAccepted() throws IOException {
        RawHttp.Head head = RawHttp.exchange(gw.gateway.port(), "GET /v1/assign HTTP/1.1\r\nHost: gateway\r\n"
                + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");

        assertThat(head.status()).isNotEqualTo(101).isBetween(400, 499);
    }
}
