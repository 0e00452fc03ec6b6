package io.farmgate.backend;

import io.farmgate.agent.FarmAgent;
import io.farmgate.agent.ShedHandler;
import io.farmgate.agent.TokenCheck;
import io.farmgate.scoring.token.AssignmentToken.Verdict;
import io.javalin.Javalin;
import io.javalin.websocket.WsContext;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo backend: a WebSocket chat server (any path) with the farm agent embedded, speaking
 * the chat protocol of docs/client.md. A message from any client reaches every client of the
 * farm through Redis pub/sub, once even when the sender resends it after a reconnect to another
 * host (ids are claimed farm-wide in Redis; a resend gets an ack). It refuses clients without a valid {@code fg_token} when
 * a secret is set (1008), closes shed clients with 1012 and a reason, and on {@link #close()}
 * drains: every client gets 1012 before the heartbeat is removed and the server stops.
 */
public final class ChatBackend implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChatBackend.class);

    /** How long {@link #close()} waits, after the drain, for close handshakes to finish. */
    private static final long CLOSE_HANDSHAKE_WAIT_MILLIS = 3_000;
    private static final int SEEN_ID_CAPACITY = 100_000;
    private static final int MAX_MESSAGE_CHARS = 65_536;

    private final BackendConfig config;
    private final ChatSessions sessions = new ChatSessions();
    private final SeenIds seen = new SeenIds(SEEN_ID_CAPACITY);
    private final ExecutorService delivery;
    private final TokenCheck tokenCheck;
    private final AtomicLong refusedTokens = new AtomicLong();
    private final AtomicLong droppedMessages = new AtomicLong();
    private final ChatRelay relay;
    private final Javalin server;
    private final FarmAgent agent;
    private volatile boolean stopping;

    private ChatBackend(BackendConfig config) {
        this.config = config;
        String hostId = config.agent().hostId();
        this.tokenCheck = config.checksTokens()
                ? new TokenCheck(config.tokenSecret().getBytes(StandardCharsets.UTF_8), hostId, Clock.systemUTC(),
                        Duration.ofSeconds(config.tokenSkewSeconds()))
                : null;
        // One thread sends every frame, so no session ever has two writers.
        this.delivery = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "farmgate-chat-delivery");
            t.setDaemon(true);
            return t;
        });
        this.relay = new ChatRelay(config.agent().redisUri(), config.agent().redisCaFile(), config.agent().farm(),
                this::onRelayed);
        this.server = Javalin.create(javalin -> {
            javalin.startup.showJavalinBanner = false;
            javalin.jetty.host = config.listenHost();
            javalin.jetty.port = config.port();
            javalin.jetty.modifyWebSocketServletFactory(f -> f.setIdleTimeout(Duration.ofMinutes(10)));
            javalin.routes.get("/healthz", ctx -> ctx.result(stopping ? "draining" : "ok"));
            javalin.routes.ws("/*", ws -> {
                ws.onConnect(this::onConnect);
                ws.onMessage(ctx -> onMessage(ctx, ctx.message()));
                ws.onClose(ctx -> onGone(ctx));
                ws.onError(ctx -> onGone(ctx));
            });
        });
        this.agent = FarmAgent.builder()
                .config(config.agent())
                .connections(sessions::count)
                .shedHandler(this::shed)
                .build();
    }

    /** Starts the server, the chat relay and the agent. Redis may be down: both retry by themselves. */
    public static ChatBackend start(BackendConfig config) {
        ChatBackend backend = new ChatBackend(config);
        backend.relay.start();
        try {
            backend.server.start();
        } catch (RuntimeException e) {
            // The agent and relay hold Redis clients with threads of their own: release them.
            backend.agent.close();
            backend.relay.close();
            backend.delivery.shutdownNow();
            throw new IllegalStateException("cannot listen on " + config.listenHost() + ":" + config.port()
                    + ": " + e.getMessage(), e);
        }
        backend.agent.start();
        log.info("chat backend {} listening on {}:{} (farm {}, tokens {})", config.agent().hostId(),
                config.listenHost(), backend.server.port(), config.agent().farm(),
                config.checksTokens() ? "checked" : "not checked");
        return backend;
    }

    public int port() {
        return server.port();
    }

    public FarmAgent agent() {
        return agent;
    }

    /** Whether chat messages reach the rest of the farm now (false while Redis is away). */
    public boolean chatRelayed() {
        return relay.connected();
    }

    /** Clients connected and not being closed. */
    public int connections() {
        return sessions.count();
    }

    /** Clients refused for a missing, forged, foreign or expired {@code fg_token}. */
    public long refusedTokens() {
        return refusedTokens.get();
    }

    private void onConnect(WsContext ctx) {
        if (tokenCheck != null) {
            Verdict verdict = tokenCheck.check(ctx.queryParam("fg_token"));
            if (!verdict.valid()) {
                refusedTokens.incrementAndGet();
                ctx.closeSession(1008, "fg_token " + verdict.name().toLowerCase(Locale.ROOT).replace('_', ' '));
                return;
            }
        }
        if (stopping || agent.draining()) {
            ctx.closeSession(ShedHandler.SERVICE_RESTART, "draining: reconnect through the front door");
            return;
        }
        if (sessions.count() >= config.agent().capacity()) {
            ctx.closeSession(1013, "full: try again later");
            return;
        }
        sessions.add(ctx);
    }

    private void onGone(WsContext ctx) {
        sessions.remove(ctx);
    }

    private void onMessage(WsContext sender, String frame) {
        if (frame.length() > MAX_MESSAGE_CHARS) {
            droppedMessages.incrementAndGet();
            return;
        }
        ChatMessage message = ChatMessage.fromClient(frame, config.agent().hostId());
        if (message == null) {
            droppedMessages.incrementAndGet();
            return;
        }
        String json = message.toJson();
        relay.claim(message.id()).whenComplete((first, error) -> {
            if (error != null) {
                // Redis is away: de-duplicate on this host, and at least its clients hear it.
                if (seen.contains(message.id())) {
                    sendTo(sender, ChatMessage.ack(message.id()));
                } else {
                    onRelayed(json);
                }
            } else if (first) {
                if (!relay.publish(json)) {
                    onRelayed(json);
                }
            } else {
                // A resend after a reconnect: the room has it; confirm it to the sender alone.
                sendTo(sender, ChatMessage.ack(message.id()));
            }
        });
    }

    private void sendTo(WsContext ctx, String text) {
        delivery.execute(() -> {
            try {
                ctx.send(text);
            } catch (RuntimeException e) {
                log.debug("send to {} failed: {}", ctx.sessionId(), e.toString());
            }
        });
    }

    private void onRelayed(String json) {
        ChatMessage message = ChatMessage.fromRelay(json);
        if (message == null) {
            droppedMessages.incrementAndGet();
            return;
        }
        if (!seen.firstTime(message.id())) {
            return;
        }
        delivery.execute(() -> {
            for (WsContext ctx : sessions.all()) {
                try {
                    ctx.send(json);
                } catch (RuntimeException e) {
                    log.debug("send to {} failed: {}", ctx.sessionId(), e.toString());
                }
            }
        });
    }

    /** The agent's shed order: close {@code count} random clients with {@code closeCode}. */
    private void shed(int count, int closeCode) {
        List<WsContext> picked = sessions.takeRandom(count, ThreadLocalRandom.current());
        String reason = agent.draining() ? "draining: reconnect through the front door"
                : "shed: reconnect through the front door";
        closeAll(picked, closeCode, reason);
    }

    private void closeAll(List<WsContext> picked, int closeCode, String reason) {
        delivery.execute(() -> {
            for (WsContext ctx : picked) {
                try {
                    ctx.closeSession(closeCode, reason);
                } catch (RuntimeException e) {
                    log.debug("close of {} failed: {}", ctx.sessionId(), e.toString());
                }
            }
        });
    }

    /**
     * Drains and stops: the agent sheds every client with 1012 over the drain period and removes
     * the heartbeat; stragglers get 1012 too; the server stops once the closes are done (bounded).
     */
    @Override
    public void close() {
        if (stopping) {
            return;
        }
        stopping = true;
        log.info("chat backend {} stopping: draining {} clients", config.agent().hostId(), sessions.count());
        agent.close();
        closeAll(sessions.takeAll(), ShedHandler.SERVICE_RESTART, "shutting down: reconnect through the front door");
        waitForCloseHandshakes();
        try {
            server.stop();
        } catch (RuntimeException e) {
            log.warn("stopping the web server: {}", e.toString());
        }
        relay.close();
        delivery.shutdownNow();
        log.info("chat backend {} stopped", config.agent().hostId());
    }

    private void waitForCloseHandshakes() {
        delivery.shutdown();
        try {
            delivery.awaitTermination(CLOSE_HANDSHAKE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            // Stopping Jetty drops connections without a close frame (1006 at the client), so the
            // close handshakes started above are given a bounded moment to finish first.
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_HANDSHAKE_WAIT_MILLIS);
            while (sessions.liveCount() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
