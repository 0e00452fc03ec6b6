package io.farmgate.backend;

import io.farmgate.client.StreamPosition;
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
    /** The pub/sub relay of one farm-wide room; null when rooms carry positions. */
    private final ChatRelay relay;
    /** The rooms' streams and who is in them; null without positions. */
    private final RoomLog roomLog;
    private final ChatRooms rooms;
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
        if (config.roomPositions()) {
            this.relay = null;
            // The reader hands entries to the delivery thread, which alone touches the rooms.
            ChatRooms[] holder = new ChatRooms[1];
            this.roomLog = new RoomLog(config.agent().redisUri(), config.agent().redisCaFile(), config.agent().farm(),
                    config.roomRetention(),
                    (follow, from, entries) -> delivery.execute(() -> holder[0].deliver(follow, from, entries)));
            this.rooms = new ChatRooms(roomLog, delivery, new ChatRooms.Sockets() {
                @Override
                public void send(WsContext ctx, String text) {
                    sendNow(ctx, text);
                }

                @Override
                public void close(WsContext ctx, int code, String reason) {
                    sessions.remove(ctx);
                    closeNow(ctx, code, reason);
                }
            }, config.roomRetention());
            holder[0] = rooms;
        } else {
            this.relay = new ChatRelay(config.agent().redisUri(), config.agent().redisCaFile(), config.agent().farm(),
                    this::onRelayed);
            this.roomLog = null;
            this.rooms = null;
        }
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
        backend.startRelay();
        try {
            backend.server.start();
        } catch (RuntimeException e) {
            // The agent and relay hold Redis clients with threads of their own: release them.
            backend.agent.close();
            backend.closeRelay();
            backend.delivery.shutdownNow();
            throw new IllegalStateException("cannot listen on " + config.listenHost() + ":" + config.port()
                    + ": " + e.getMessage(), e);
        }
        backend.agent.start();
        log.info("chat backend {} listening on {}:{} (farm {}, tokens {}, {})", config.agent().hostId(),
                config.listenHost(), backend.server.port(), config.agent().farm(),
                config.checksTokens() ? "checked" : "not checked",
                config.roomPositions() ? "room positions, retention " + config.roomRetention() : "pub/sub relay");
        return backend;
    }

    public int port() {
        return server.port();
    }

    public FarmAgent agent() {
        return agent;
    }

    private void startRelay() {
        if (relay != null) {
            relay.start();
        } else {
            roomLog.start();
            try {
                // Connect now if Redis is there, so the first clients do not wait for it.
                roomLog.lastPosition(ChatRooms.DEFAULT_ROOM).toCompletableFuture().get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.warn("chat rooms cannot reach Redis yet: {}", e.toString());
            }
        }
    }

    private void closeRelay() {
        if (relay != null) {
            relay.close();
        } else {
            roomLog.close();
        }
    }

    /** Whether chat messages reach the rest of the farm now (false while Redis is away). */
    public boolean chatRelayed() {
        return relay != null ? relay.connected() : roomLog.connected();
    }

    /** Gap frames sent: resumes from a position older than the room's retention. */
    public long gapsSent() {
        return rooms == null ? 0 : rooms.gaps();
    }

    /** Frames sent from a replay after a resume. */
    public long replayedFrames() {
        return rooms == null ? 0 : rooms.replayedFrames();
    }

    /** Resumes refused with 1008: malformed, or ahead of the room. */
    public long refusedResumes() {
        return rooms == null ? 0 : rooms.refusedResumes();
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
        String room = null;
        StreamPosition resume = null;
        if (rooms != null) {
            room = ChatRooms.roomName(ctx.queryParam("room"));
            if (room == null) {
                ctx.closeSession(1008, "bad room name");
                return;
            }
            String asked = ctx.queryParam("resume");
            resume = asked == null ? null : StreamPosition.parse(asked);
            if (asked != null && resume == null) {
                rooms.refusedResume();
                ctx.closeSession(1008, ChatRooms.BAD_RESUME);
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
        if (rooms != null) {
            String joined = room;
            StreamPosition from = resume;
            delivery.execute(() -> rooms.join(ctx, joined, from));
        }
    }

    private void onGone(WsContext ctx) {
        sessions.remove(ctx);
        if (rooms != null) {
            delivery.execute(() -> rooms.leave(ctx));
        }
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
        if (rooms != null) {
            String room = ChatRooms.roomName(sender.queryParam("room"));
            delivery.execute(() -> rooms.whenStarted(sender, () -> append(sender, room, message, json)));
            return;
        }
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

    private void append(WsContext sender, String room, ChatMessage message, String json) {
        roomLog.append(room, message.id(), json).whenComplete((position, error) -> {
            if (error != null) {
                // Redis is away: de-duplicate on this host, and at least its clients in the room hear it.
                if (seen.firstTime(message.id())) {
                    delivery.execute(() -> rooms.deliverUnpositioned(room, json));
                } else {
                    sendTo(sender, ChatMessage.ack(message.id()));
                }
            } else if (position == null) {
                // A resend after a reconnect: the room has it; confirm it to the sender alone.
                sendTo(sender, ChatMessage.ack(message.id()));
            }
            // Else the room's reader brings it back to every host, this one included, in order.
        });
    }

    private void sendTo(WsContext ctx, String text) {
        delivery.execute(() -> sendNow(ctx, text));
    }

    /** On the delivery thread. */
    private static void sendNow(WsContext ctx, String text) {
        try {
            ctx.send(text);
        } catch (RuntimeException e) {
            log.debug("send to {} failed: {}", ctx.sessionId(), e.toString());
        }
    }

    /** On the delivery thread. */
    private static void closeNow(WsContext ctx, int code, String reason) {
        try {
            ctx.closeSession(code, reason);
        } catch (RuntimeException e) {
            log.debug("close of {} failed: {}", ctx.sessionId(), e.toString());
        }
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
                closeNow(ctx, closeCode, reason);
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
        closeRelay();
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
