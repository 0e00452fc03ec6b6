package io.farmgate.client.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.websocket.WsContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A demo chat backend honouring docs/client.md, on 127.0.0.1 and a free port: broadcasts each new
 * chat id to its connections (the sender included), answers a repeated id to the sender only, can
 * acknowledge, drop or swallow, and can close every connection with a given code.
 */
public final class FakeBackend implements AutoCloseable {

    /** What the backend does with a chat frame. */
    public enum Behaviour {
        /** Accept and broadcast (the contract). */
        CHAT,
        /** Ignore every chat frame: a broken backend. */
        DROP_ALL,
        /** Accept into the room and broadcast to the others, but neither echo nor acknowledge to the sender (its reply got lost). */
        ACCEPT_WITHOUT_REPLY,
        /** Accept and broadcast to the others; the sender gets an ack instead of its echo. */
        ACKNOWLEDGE_ONLY
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String hostId;
    private final FakeChatRoom room;
    private final Map<String, WsContext> sessions = new ConcurrentHashMap<>();
    private final List<String> tokensSeen = new CopyOnWriteArrayList<>();
    private final List<Map<String, List<String>>> queriesSeen = new CopyOnWriteArrayList<>();
    private final AtomicInteger framesReceived = new AtomicInteger();
    private final AtomicInteger framesDropped = new AtomicInteger();
    private final AtomicInteger broadcasts = new AtomicInteger();
    private final AtomicInteger connectionsOpened = new AtomicInteger();
    private volatile Behaviour behaviour = Behaviour.CHAT;
    private volatile int dropEveryNth;
    private volatile boolean acknowledge;
    private final Javalin app;

    public FakeBackend(String hostId, FakeChatRoom room) {
        this.hostId = hostId;
        this.room = room;
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.routes.ws("/", ws -> {
                ws.onConnect(ctx -> {
                    connectionsOpened.incrementAndGet();
                    queriesSeen.add(ctx.queryParamMap());
                    String token = ctx.queryParam("fg_token");
                    if (token != null) {
                        tokensSeen.add(token);
                    }
                    sessions.put(ctx.sessionId(), ctx);
                });
                ws.onMessage(ctx -> handle(sessions.getOrDefault(ctx.sessionId(), ctx), ctx.message()));
                ws.onClose(ctx -> sessions.remove(ctx.sessionId()));
                ws.onError(ctx -> sessions.remove(ctx.sessionId()));
            });
        }).start("127.0.0.1", 0);
    }

    private void handle(WsContext sender, String text) throws Exception {
        int n = framesReceived.incrementAndGet();
        JsonNode frame;
        try {
            frame = JSON.readTree(text);
        } catch (Exception e) {
            return;
        }
        if (frame == null || !frame.isObject() || !"chat".equals(frame.path("type").asText()) || !frame.path("id").isTextual()) {
            return;
        }
        Behaviour now = behaviour;
        int nth = dropEveryNth;
        if (now == Behaviour.DROP_ALL || nth > 0 && n % nth == 0) {
            framesDropped.incrementAndGet();
            return;
        }
        String id = frame.get("id").asText();
        boolean echo = now == Behaviour.CHAT;
        if (room.accept(id)) {
            broadcasts.incrementAndGet();
            for (WsContext session : sessions.values()) {
                if (echo || !session.sessionId().equals(sender.sessionId())) {
                    sendTo(session, text);
                }
            }
        } else if (echo) {
            sendTo(sender, text); // a repeat: the sender needs its confirmation, the room has it already
        }
        if (now == Behaviour.ACKNOWLEDGE_ONLY || now == Behaviour.CHAT && acknowledge) {
            sendTo(sender, "{\"type\":\"ack\",\"id\":" + JSON.writeValueAsString(id) + "}");
        }
    }

    private static void sendTo(WsContext session, String text) {
        try {
            synchronized (session.session) {
                session.send(text);
            }
        } catch (RuntimeException e) {
            // the session closed meanwhile; its client resends what it did not get confirmed
        }
    }

    public String hostId() {
        return hostId;
    }

    /** The base URL an assignment names. */
    public String url() {
        return "ws://127.0.0.1:" + app.port();
    }

    public int port() {
        return app.port();
    }

    public int connections() {
        return sessions.size();
    }

    public int connectionsOpened() {
        return connectionsOpened.get();
    }

    public int framesReceived() {
        return framesReceived.get();
    }

    public int framesDropped() {
        return framesDropped.get();
    }

    public int broadcasts() {
        return broadcasts.get();
    }

    public List<String> tokensSeen() {
        return List.copyOf(tokensSeen);
    }

    public List<Map<String, List<String>>> queriesSeen() {
        return List.copyOf(queriesSeen);
    }

    public FakeBackend behave(Behaviour value) {
        behaviour = value;
        return this;
    }

    /** Drops every n-th frame received (0: none). */
    public FakeBackend dropEveryNth(int n) {
        dropEveryNth = n;
        return this;
    }

    public FakeBackend acknowledge(boolean value) {
        acknowledge = value;
        return this;
    }

    /** Sends a raw text frame to every connection. */
    public void sendRaw(String text) {
        sessions.values().forEach(s -> sendTo(s, text));
    }

    /** Closes every connection with this code, as a shed or drain does with 1012. */
    public void closeAll(int code, String reason) {
        for (WsContext session : sessions.values()) {
            session.closeSession(code, reason);
        }
    }

    /** Closes every connection with this code, one by one evenly over {@code spreadMillis}, as a drain does; returns at once. */
    public Thread closeSpread(int code, long spreadMillis) {
        List<WsContext> toClose = List.copyOf(sessions.values());
        Thread closer = new Thread(() -> {
            long start = System.nanoTime();
            for (int i = 0; i < toClose.size(); i++) {
                long dueNanos = start + spreadMillis * 1_000_000L * i / toClose.size();
                java.util.concurrent.locks.LockSupport.parkNanos(dueNanos - System.nanoTime());
                toClose.get(i).closeSession(code, "drain");
            }
        }, "fake-backend-drain");
        closer.setDaemon(true);
        closer.start();
        return closer;
    }

    @Override
    public void close() {
        app.stop();
    }
}
