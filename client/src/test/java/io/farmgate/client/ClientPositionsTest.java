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
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
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

    private final List<InboundMessage> messages = new CopyOnWriteArrayList<>();
    private final List<Integer> closes = new CopyOnWriteArrayList<>();

    /** Starts the scripted backend, a gateway that assigns it, and the client (on {@code /chat?room=r}). */
    private void start(Consumer<WsContext> script) throws Exception {
        backend = Javalin.create(j -> {
            j.startup.showJavalinBanner = false;
            j.jetty.host = "127.0.0.1";
            j.jetty.port = 0;
            j.routes.ws("/*", ws -> ws.onConnect(script::accept));
        }).start();
        gateway = new FakeGateway(List.of());
        gateway.addHost("scripted", "ws://127.0.0.1:" + backend.port());
        ClientListener events = new ClientListener() {
            @Override
            public void onMessage(InboundMessage message) {
                messages.add(message);
            }

            @Override
            public void onGap(String requested, String oldest) {
                gaps.add(requested + ".." + oldest);
            }

            @Override
            public void onDisconnected(int code, String reason, Optional<ReconnectCause> cause) {
                closes.add(code);
            }
        };
        client = new FarmgateClient(ClientConfig.defaults(gateway.uri()).withPath("/chat?room=r")
                .withBackoff(new ReconnectBackoff(50, 20, 100)), HttpClient.newHttpClient(), scheduler,
                new SplittableRandom(3), Clock.systemUTC(), events);
        client.start();
    }

    @Test
    void deliversByPositionInOrderOnceResumesFromTheLastDeliveredAndReportsTheGap() throws Exception {
        start(this::script);

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

    /**
     * 1: a position, a frame, 1012. 2 (resumes): refused, 1008 {@code bad resume position}. 3 (no resume): a room
     * whose positions start lower (its stream was lost), a frame, then 1008 for another reason: that ends it.
     */
    private void refusingScript(WsContext ctx) {
        queries.add(ctx.queryString() == null ? "" : ctx.queryString());
        switch (connections.incrementAndGet()) {
            case 1 -> {
                ctx.send("{\"type\":\"position\",\"pos\":\"900-5\"}");
                ctx.send(chat("a", "900-6"));
                ctx.closeSession(1012, "shed: reconnect through the front door");
            }
            case 2 -> ctx.closeSession(1008, "bad resume position");
            default -> {
                ctx.send("{\"type\":\"position\",\"pos\":\"0-0\"}");
                ctx.send(chat("b", "3-0"));
                ctx.closeSession(1008, "policy violation");
            }
        }
    }

    @Test
    void aRefusedResumeIsAGapThenOneReconnectWithoutResumeThatDeliversTheNewRoomAndNoLoop() throws Exception {
        start(this::refusingScript);

        await().atMost(WAIT).until(() -> client.state() == ClientState.CLOSED);
        assertThat(queries).hasSize(3);
        assertThat(queries.get(0)).doesNotContain("resume");
        assertThat(queries.get(1)).endsWith("&resume=900-6");
        assertThat(queries.get(2)).as("the retry forgets the refused position").doesNotContain("resume");
        // Positions below the refused one are delivered: the client forgot its positions with the refusal.
        assertThat(messages.stream().map(InboundMessage::id)).containsExactly("a", "b");
        assertThat(gaps).containsExactly("900-6..null");
        assertThat(closes).containsExactly(1012, 1008, 1008);
        ClientStats stats = client.stats();
        assertThat(stats.gaps()).isEqualTo(1);
        assertThat(stats.resumesRefused()).isEqualTo(1);
        assertThat(stats.failedAttempts()).isEqualTo(1);
        assertThat(client.lastPosition()).hasValue(StreamPosition.parse("3-0"));
    }

    @Test
    void a1008WithAnotherReasonAfterFramesEndsTheSessionEvenOnAResumedConnection() throws Exception {
        start(ctx -> {
            queries.add(ctx.queryString() == null ? "" : ctx.queryString());
            if (connections.incrementAndGet() == 1) {
                ctx.send("{\"type\":\"position\",\"pos\":\"7-0\"}");
                ctx.closeSession(1012, "shed");
            } else {
                ctx.send("{\"type\":\"position\",\"pos\":\"7-0\"}");
                ctx.closeSession(1008, "policy violation");
            }
        });

        await().atMost(WAIT).until(() -> client.state() == ClientState.CLOSED);
        assertThat(queries).hasSize(2);
        assertThat(queries.get(1)).endsWith("&resume=7-0");
        assertThat(gaps).isEmpty();
        assertThat(client.stats().resumesRefused()).isZero();
    }

    @Test
    void a1008BeforeAnyFrameOnAResumedConnectionIsARefusalWhateverItsReason() throws Exception {
        start(ctx -> {
            queries.add(ctx.queryString() == null ? "" : ctx.queryString());
            int n = connections.incrementAndGet();
            if (n == 1) {
                ctx.send("{\"type\":\"position\",\"pos\":\"7-0\"}");
                ctx.closeSession(1012, "shed");
            } else if (n == 2) {
                ctx.closeSession(1008, "fg_token expired");
            } else {
                ctx.send("{\"type\":\"position\",\"pos\":\"8-0\"}");
            }
        });

        await().atMost(WAIT).until(() -> connections.get() == 3 && client.state() == ClientState.OPEN);
        assertThat(queries.get(2)).doesNotContain("resume");
        assertThat(gaps).containsExactly("7-0..null");
        assertThat(client.stats().resumesRefused()).isEqualTo(1);
    }
}
