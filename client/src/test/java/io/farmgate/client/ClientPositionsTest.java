package io.farmgate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.client.fake.FakeGateway;
import io.javalin.Javalin;
import io.javalin.websocket.WsContext;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Java client against a scripted backend that speaks the resume protocol (docs/client.md): it
 * delivers by position in order and once, sends {@code resume} on a reconnect (not on the first
 * connect), and counts and reports gaps.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientPositionsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final List<String> queries = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final List<String> gaps = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    private Javalin backend;
    private FakeGateway gateway;
    private FarmgateClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (backend != null) {
            backend.stop();
        }
        scheduler.shutdownNow();
    }

    private static String chat(String id, String pos) {
        return "{\"id\":\"" + id + "\",\"type\":\"chat\",\"body\":\"" + id + "\",\"pos\":\"" + pos + "\"}";
    }

    /** First connection: a position, frames with a repeat and one out of order, then 1012. Second: a gap, then more. */
    private void script(WsContext ctx) {
        queries.add(ctx.queryString() == null ? "" : ctx.queryString());
        if (connections.incrementAndGet() == 1) {
            ctx.send("{\"type\":\"position\",\"pos\":\"9-5\"}");
            ctx.send(chat("a", "9-6"));
            ctx.send(chat("a-again", "9-6"));
            ctx.send(chat("b", "10-0"));
            ctx.send(chat("late", "9-9"));
            ctx.send("{\"type\":\"ack\",\"id\":\"x\"}");
            ctx.closeSession(1012, "shed: reconnect through the front door");
        } else {
            ctx.send("{\"type\":\"position\",\"pos\":\"10-0\"}");
            ctx.send("{\"type\":\"gap\",\"requested\":\"10-0\",\"oldest\":\"12-0\"}");
            ctx.send(chat("c", "12-0"));
            ctx.send(chat("d", "12-1"));
        }
    }

    @Test
    void deliversByPositionInOrderOnceResumesFromTheLastDeliveredAndReportsTheGap() throws Exception {
        backend = Javalin.create(j -> {
            j.startup.showJavalinBanner = false;
            j.jetty.host = "127.0.0.1";
            j.jetty.port = 0;
            j.routes.ws("/*", ws -> ws.onConnect(this::script));
        }).start();
        gateway = new FakeGateway(List.of());
        gateway.addHost("scripted", "ws://127.0.0.1:" + backend.port());
        List<InboundMessage> messages = new CopyOnWriteArrayList<>();
        ClientListener events = new ClientListener() {
            @Override
            public void onMessage(InboundMessage message) {
                messages.add(message);
            }

            @Override
            public void onGap(String requested, String oldest) {
                gaps.add(requested + ".." + oldest);
            }
        };
        client = new FarmgateClient(ClientConfig.defaults(gateway.uri()).withPath("/chat?room=r")
                .withBackoff(new ReconnectBackoff(50, 20, 100)), HttpClient.newHttpClient(), scheduler,
                new SplittableRandom(3), Clock.systemUTC(), events);
        client.start();

        await().atMost(WAIT).until(() -> messages.stream().filter(m -> "chat".equals(m.type())).count() == 4);
        assertThat(messages.stream().filter(m -> "chat".equals(m.type())).map(InboundMessage::id))
                .containsExactly("a", "b", "c", "d");
        assertThat(messages.stream().map(InboundMessage::type)).doesNotContain("position", "gap");
        assertThat(messages.get(0).position()).isEqualTo("9-6");
        // The first connect asks for nothing; the reconnect resumes after the last position delivered ("10-0",
        // not "9-9": positions compare as numbers, and the out-of-order frame was dropped).
        assertThat(queries).hasSize(2);
        assertThat(queries.get(0)).doesNotContain("resume");
        assertThat(queries.get(1)).contains("room=r").contains("fg_token=").endsWith("&resume=10-0");
        assertThat(gaps).containsExactly("10-0..12-0");
        ClientStats stats = client.stats();
        assertThat(stats.gaps()).isEqualTo(1);
        assertThat(stats.duplicatesDropped()).isEqualTo(2);
        assertThat(client.firstPosition()).hasValue(StreamPosition.parse("9-5"));
        assertThat(client.lastPosition()).hasValue(StreamPosition.parse("12-1"));
    }
}
