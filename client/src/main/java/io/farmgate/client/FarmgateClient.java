package io.farmgate.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cooperating WebSocket client: asks the gateway for a host, connects, and when the backend
 * closes with 1012, 1013 or 1001, or the connection breaks, goes back through the gateway with a
 * jittered backoff. Messages sent while disconnected are queued; every message keeps its id until the
 * backend echoes or acknowledges it, and unconfirmed ones are sent again after a reconnect, so
 * nothing is lost (the backend drops repeats by id; see docs/client.md for the protocol).
 */
public final class FarmgateClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FarmgateClient.class);
    /** The close code and reason of a backend that refuses a {@code resume} position (docs/client.md). */
    static final int BAD_RESUME_CODE = 1008;
    static final String BAD_RESUME_REASON = "bad resume position";
    /** Inbound frames above this size are dropped (and counted as malformed). */
    static final int MAX_INBOUND_CHARS = 1 << 20;

    private final ClientConfig config;
    private final HttpClient http;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final RandomGenerator random;
    private final ClientListener listener;
    private final GatewayAssigner assigner;
    private final String idPrefix;

    private final Object lock = new Object();
    // Everything below is guarded by lock. generation changes whenever the current attempt or
    // connection is abandoned, so callbacks of older ones recognise themselves and do nothing.
    private ClientState state = ClientState.NEW;
    private long generation;
    private WebSocket socket;
    private Assignment assignment;
    private CompletableFuture<?> sendChain = CompletableFuture.completedFuture(null);
    private int consecutiveFailures;
    private int tryAgainLaterStreak;
    private ScheduledFuture<?> pendingRetry;
    private final LinkedHashMap<String, Outgoing> unconfirmed = new LinkedHashMap<>();
    private final RecentIds recentInbound;
    private long nextSequence;
    private long sent;
    private long confirmed;
    private long resent;
    private long received;
    private long duplicatesDropped;
    private long malformedDropped;
    private long assignments;
    private long noHostAnswers;
    private long failedAttempts;
    private long gaps;
    private long resumesRefused;
    /** The greatest position delivered (or announced by a position frame); null before the first. */
    private StreamPosition lastPosition;
    /** The position of the first position frame this client ever got; null before it. */
    private StreamPosition firstPosition;
    private final EnumMap<ReconnectCause, Long> reconnects = new EnumMap<>(ReconnectCause.class);

    /**
     * A client sharing an HTTP client and a scheduler with others (the load generator runs
     * thousands this way). {@code random} is used under the client's lock only.
     */
    public FarmgateClient(ClientConfig config, HttpClient http, ScheduledExecutorService scheduler,
                          RandomGenerator random, Clock clock, ClientListener listener) {
        this(config, http, scheduler, false, random, clock, listener);
    }

    private FarmgateClient(ClientConfig config, HttpClient http, ScheduledExecutorService scheduler, boolean ownsScheduler,
                           RandomGenerator random, Clock clock, ClientListener listener) {
        this.config = config;
        this.http = http;
        this.scheduler = scheduler;
        this.ownsScheduler = ownsScheduler;
        this.random = random;
        this.listener = listener;
        this.assigner = new GatewayAssigner(config, http, clock, (from, to, why) -> {
            LOG.debug("gateway {} unreachable ({}); asking {}", from, why, to);
            listener.onGatewayFailover(from, to, why);
        });
        this.recentInbound = new RecentIds(config.recentIdsCapacity());
        this.idPrefix = String.format("%012x", random.nextLong() & 0xffff_ffff_ffffL);
        for (ReconnectCause cause : ReconnectCause.values()) {
            reconnects.put(cause, 0L);
        }
    }

    /** A stand-alone client with its own HTTP client and scheduler thread (stopped by {@link #close()}). */
    public static FarmgateClient create(ClientConfig config, ClientListener listener) {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "farmgate-client");
            t.setDaemon(true);
            return t;
        });
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(config.connectTimeoutMillis()))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        RandomGenerator threadLocal = () -> ThreadLocalRandom.current().nextLong();
        return new FarmgateClient(config, http, scheduler, true, threadLocal, Clock.systemUTC(), listener);
    }

    /** Starts connecting. */
    public void start() {
        synchronized (lock) {
            if (state != ClientState.NEW) {
                throw new IllegalStateException("start: client is " + state + " (expected: NEW)");
            }
            beginAttemptLocked();
        }
    }

    /** Sends a chat message with this text body; see {@link #send(JsonNode)}. */
    public String send(String text) {
        return send(TextNode.valueOf(text));
    }

    /**
     * Sends a chat message: at once when connected, else after the next connect. It is kept and
     * sent again after every reconnect until the backend echoes or acknowledges it.
     *
     * @return the message's id
     * @throws IllegalStateException when the client is closed or failed, or {@code maxPendingMessages} are unconfirmed
     */
    public String send(JsonNode body) {
        synchronized (lock) {
            if (state == ClientState.CLOSED || state == ClientState.FAILED) {
                throw new IllegalStateException("send: client is " + state + " (expected: not CLOSED or FAILED)");
            }
            if (unconfirmed.size() >= config.maxPendingMessages()) {
                throw new IllegalStateException("send: " + unconfirmed.size() + " messages unconfirmed (expected: < maxPendingMessages "
                        + config.maxPendingMessages() + "); client is " + state);
            }
            String id = idPrefix + "-" + (++nextSequence);
            Outgoing message = new Outgoing(ChatProtocol.chat(id, body));
            unconfirmed.put(id, message);
            sent++;
            if (state == ClientState.OPEN) {
                transmitLocked(message);
            }
            return id;
        }
    }

    public ClientState state() {
        synchronized (lock) {
            return state;
        }
    }

    /** The assignment of the current or last connection; empty before the first. */
    public Optional<Assignment> assignment() {
        synchronized (lock) {
            return Optional.ofNullable(assignment);
        }
    }

    /** Ids of the messages not yet confirmed, oldest first. */
    public List<String> unconfirmedIds() {
        synchronized (lock) {
            return List.copyOf(unconfirmed.keySet());
        }
    }

    public ClientStats stats() {
        synchronized (lock) {
            return new ClientStats(state, sent, confirmed, unconfirmed.size(), resent, received, duplicatesDropped,
                    malformedDropped, assignments, noHostAnswers, failedAttempts, Collections.unmodifiableMap(new EnumMap<>(reconnects)),
                    gaps, resumesRefused);
        }
    }

    /**
     * The last position this client delivered in its room (or was told by a position frame, if later):
     * what it resumes from on its next reconnect. Empty with a backend that sends no positions.
     */
    public Optional<StreamPosition> lastPosition() {
        synchronized (lock) {
            return Optional.ofNullable(lastPosition);
        }
    }

    /** The position of the first position frame: everything after it in the room is due to this client. */
    public Optional<StreamPosition> firstPosition() {
        synchronized (lock) {
            return Optional.ofNullable(firstPosition);
        }
    }

    /** Stops for good: cancels a pending retry and closes the connection with 1000; unconfirmed messages stay unconfirmed. */
    @Override
    public void close() {
        WebSocket open;
        CompletableFuture<?> pendingSends;
        synchronized (lock) {
            if (state == ClientState.CLOSED) {
                return;
            }
            state = ClientState.CLOSED;
            generation++;
            cancelRetryLocked();
            open = socket;
            socket = null;
            pendingSends = sendChain;
        }
        if (open != null) {
            pendingSends.handle((r, e) -> open.sendClose(WebSocket.NORMAL_CLOSURE, "client closing")
                    .exceptionally(e2 -> {
                        open.abort();
                        return null;
                    }));
        }
        if (ownsScheduler) {
            scheduler.shutdownNow();
        }
    }

    // --- attempts ---------------------------------------------------------------------------

    private void beginAttemptLocked() {
        state = ClientState.CONNECTING;
        long attempt = ++generation;
        long startedNanos = System.nanoTime();
        CompletableFuture<Assignment> answer;
        try {
            answer = assigner.next();
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenCompleteAsync((a, error) -> guarded(() -> onAssignment(attempt, startedNanos, a, error)), scheduler);
    }

    private void onAssignment(long attempt, long startedNanos, Assignment answer, Throwable error) {
        Runnable notice;
        synchronized (lock) {
            if (attempt != generation || state != ClientState.CONNECTING) {
                return;
            }
            if (error != null) {
                Throwable cause = unwrap(error);
                if (cause instanceof NoHostAvailableException noHost) {
                    noHostAnswers++;
                    notice = attemptFailedLocked(cause.getMessage(), noHost.retryAfterMillis());
                } else {
                    notice = attemptFailedLocked("assignment failed: " + describe(cause), -1);
                }
            } else {
                assignments++;
                assignment = answer;
                notice = null;
            }
        }
        if (notice != null) {
            notice.run();
            return;
        }
        listener.onAssigned(answer, System.nanoTime() - startedNanos);
        URI assigned;
        try {
            assigned = GatewayAssigner.webSocketUri(answer, config);
        } catch (GatewayAssigner.BadAnswerException e) {
            connectFailed(attempt, e);
            return;
        }
        synchronized (lock) {
            if (attempt != generation || state != ClientState.CONNECTING) {
                return;
            }
            // A reconnect asks the new host for what this client missed meanwhile (docs/client.md, resume).
            StreamPosition resume = lastPosition;
            URI uri = resume == null ? assigned : withQueryParameter(assigned, "resume", resume.toString());
            LOG.debug("connecting to {} ({})", uri, answer.hostId());
            http.newWebSocketBuilder()
                    .connectTimeout(Duration.ofMillis(config.connectTimeoutMillis()))
                    .buildAsync(uri, new Connection(attempt, resume))
                    .whenCompleteAsync((ws, e) -> {
                        if (e != null) {
                            guarded(() -> connectFailed(attempt, unwrap(e)));
                        }
                    }, scheduler);
        }
    }

    private void connectFailed(long attempt, Throwable error) {
        Runnable notice;
        synchronized (lock) {
            if (attempt != generation || state != ClientState.CONNECTING) {
                return;
            }
            notice = attemptFailedLocked("connect failed: " + describe(error), -1);
        }
        notice.run();
    }

    /** Counts a failed attempt and schedules the next, or gives up; returns the listener call to make outside the lock. */
    private Runnable attemptFailedLocked(String why, long retryAfterMillis) {
        failedAttempts++;
        consecutiveFailures++;
        if (consecutiveFailures >= config.maxConsecutiveFailures()) {
            return giveUpLocked(why);
        }
        long delay = config.backoff().delayAfterFailureMillis(consecutiveFailures, random);
        if (retryAfterMillis >= 0) {
            // Not before the gateway's Retry-After, and not all at its end either.
            delay = Math.max(delay, retryAfterMillis + random.nextLong(retryAfterMillis / 4 + 1));
        }
        scheduleRetryLocked(delay);
        long chosen = delay;
        return () -> listener.onRetryScheduled(chosen, why);
    }

    private Runnable giveUpLocked(String why) {
        state = ClientState.FAILED;
        generation++;
        String reason = "gave up after " + consecutiveFailures + " failed attempts in a row; last: " + why;
        LOG.debug(reason);
        return () -> listener.onFailed(reason);
    }

    private void scheduleRetryLocked(long delayMillis) {
        state = ClientState.WAITING;
        long waiting = ++generation;
        pendingRetry = scheduler.schedule(() -> guarded(() -> retry(waiting)), delayMillis, TimeUnit.MILLISECONDS);
    }

    private void retry(long waiting) {
        synchronized (lock) {
            if (waiting != generation || state != ClientState.WAITING) {
                return;
            }
            pendingRetry = null;
            beginAttemptLocked();
        }
    }

    private void cancelRetryLocked() {
        if (pendingRetry != null) {
            pendingRetry.cancel(false);
            pendingRetry = null;
        }
    }

    // --- the open connection ----------------------------------------------------------------

    private void opened(long attempt, WebSocket ws) {
        Assignment connectedTo;
        synchronized (lock) {
            if (attempt != generation || state != ClientState.CONNECTING) {
                ws.abort();
                return;
            }
            state = ClientState.OPEN;
            socket = ws;
            consecutiveFailures = 0;
            sendChain = CompletableFuture.completedFuture(null);
            for (Outgoing message : unconfirmed.values()) {
                transmitLocked(message);
            }
            connectedTo = assignment;
        }
        ws.request(1);
        listener.onConnected(connectedTo);
    }

    private void transmitLocked(Outgoing message) {
        if (message.transmissions++ > 0) {
            resent++;
        }
        WebSocket ws = socket;
        // The JDK allows one outstanding text send per socket: chain them, in order.
        sendChain = sendChain.thenCompose(ignored -> ws.sendText(message.frame, true))
                .whenComplete((r, e) -> {
                    if (e != null) {
                        ws.abort(); // onError follows, and with it the reconnect
                    }
                });
    }

    /** {@code uri} with {@code name=value} added to its query (value: URL-safe characters only). */
    static URI withQueryParameter(URI uri, String name, String value) {
        String s = uri.toString();
        int fragment = s.indexOf('#');
        String head = fragment < 0 ? s : s.substring(0, fragment);
        String tail = fragment < 0 ? "" : s.substring(fragment);
        return URI.create(head + (uri.getRawQuery() == null ? "?" : "&") + name + "=" + value + tail);
    }

    private void frameReceived(long attempt, String text) {
        JsonNode frame = text == null ? null : ChatProtocol.parse(text);
        InboundMessage delivery;
        Runnable gapNotice = null;
        synchronized (lock) {
            if (attempt != generation) {
                return;
            }
            if (frame == null) {
                malformedDropped++;
                return;
            }
            String type = ChatProtocol.text(frame, "type");
            String id = ChatProtocol.text(frame, "id");
            if (ChatProtocol.ACK.equals(type)) {
                if (id != null && unconfirmed.remove(id) != null) {
                    confirmed++;
                }
                return;
            }
            StreamPosition position = StreamPosition.parse(ChatProtocol.text(frame, "pos"));
            if (ChatProtocol.POSITION.equals(type)) {
                if (position == null) {
                    malformedDropped++;
                } else {
                    if (firstPosition == null) {
                        firstPosition = position;
                    }
                    advanceLocked(position);
                }
                return;
            }
            if (ChatProtocol.GAP.equals(type)) {
                gaps++;
                String requested = ChatProtocol.text(frame, "requested");
                String oldest = ChatProtocol.text(frame, "oldest");
                gapNotice = () -> listener.onGap(requested, oldest);
                delivery = null;
            } else {
                if (ChatProtocol.CHAT.equals(type) && id != null) {
                    if (unconfirmed.remove(id) != null) {
                        confirmed++;
                    }
                    // In order and once: by position when the frame has one, else by id.
                    boolean repeat = position != null ? lastPosition != null && !position.after(lastPosition)
                            : !recentInbound.add(id);
                    if (repeat) {
                        duplicatesDropped++;
                        return;
                    }
                    if (position != null) {
                        recentInbound.add(id);
                        advanceLocked(position);
                    }
                }
                received++;
                tryAgainLaterStreak = 0;
                delivery = new InboundMessage(type, id, frame.get("body"), frame);
            }
        }
        if (gapNotice != null) {
            gapNotice.run();
        } else {
            listener.onMessage(delivery);
        }
    }

    private void advanceLocked(StreamPosition position) {
        if (lastPosition == null || position.after(lastPosition)) {
            lastPosition = position;
        }
    }

    /**
     * The connection closed. {@code resumed} is the position it asked to resume after (null: none), {@code frames}
     * the frames that had arrived on it.
     */
    private void closed(long attempt, int code, String reason, StreamPosition resumed, long frames) {
        List<Runnable> notices = new ArrayList<>(3);
        synchronized (lock) {
            if (attempt != generation || state != ClientState.OPEN) {
                return;
            }
            socket = null;
            Optional<ReconnectCause> cause = ReconnectCause.forCloseCode(code);
            notices.add(() -> listener.onDisconnected(code, reason, cause));
            // A 1008 for a resume= is the refusal of the position (the protocol's reason), or comes before any frame.
            if (code == BAD_RESUME_CODE && resumed != null && (BAD_RESUME_REASON.equals(reason) || frames == 0)) {
                notices.add(resumeRefusedLocked(resumed, reason));
            } else if (cause.isEmpty()) {
                state = ClientState.CLOSED;
                generation++;
            } else {
                reconnects.merge(cause.get(), 1L, Long::sum);
                long delay = config.backoff().firstRetryDelayMillis(cause.get(), random);
                if (cause.get() == ReconnectCause.TRY_AGAIN_LATER) {
                    // A backend that keeps answering 1013 right after the handshake must not keep us forever.
                    tryAgainLaterStreak++;
                    if (tryAgainLaterStreak >= config.maxConsecutiveFailures()) {
                        notices.add(giveUpLocked("closed " + code + " " + tryAgainLaterStreak + " times in a row"));
                    } else {
                        delay = Math.max(delay, config.backoff().delayAfterFailureMillis(tryAgainLaterStreak, random));
                    }
                } else {
                    tryAgainLaterStreak = 0;
                }
                if (state == ClientState.OPEN) {
                    scheduleRetryLocked(delay);
                    long chosen = delay;
                    notices.add(() -> listener.onRetryScheduled(chosen, "closed " + code + " " + reason));
                }
            }
        }
        notices.forEach(Runnable::run);
    }

    /**
     * The backend refused the position this client resumed from (malformed, or ahead of the room: its stream was
     * reset, say by a Redis restart without persistence). What came after it cannot be replayed: a gap the
     * application hears of ({@code oldest} null). The client forgets its positions and reconnects once without
     * {@code resume} after a failure's delay; a 1008 on that connection ends the session as any other close code
     * does, so a refusal never turns into a reconnect loop. Returns the listener calls to make outside the lock.
     */
    private Runnable resumeRefusedLocked(StreamPosition requested, String reason) {
        resumesRefused++;
        gaps++;
        lastPosition = null;
        Runnable retry = attemptFailedLocked("resume " + requested + " refused: " + reason, -1);
        String asked = requested.toString();
        return () -> {
            listener.onGap(asked, null);
            retry.run();
        };
    }

    /** The JDK WebSocket listener of one connection attempt. */
    private final class Connection implements WebSocket.Listener {
        private final long attempt;
        /** The position this connection asked to resume after; null when it asked for none. */
        private final StreamPosition resumed;
        private final StringBuilder partial = new StringBuilder();
        private boolean oversized;
        // The JDK calls one listener's methods one at a time, so a plain field is enough.
        private long frames;

        Connection(long attempt, StreamPosition resumed) {
            this.attempt = attempt;
            this.resumed = resumed;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            guarded(() -> opened(attempt, webSocket));
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            if (!oversized && partial.length() + data.length() <= MAX_INBOUND_CHARS) {
                partial.append(data);
            } else {
                oversized = true;
                partial.setLength(0);
            }
            if (last) {
                frames++;
                String text = oversized ? null : partial.toString();
                partial.setLength(0);
                oversized = false;
                guarded(() -> frameReceived(attempt, text));
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            guarded(() -> closed(attempt, statusCode, reason, resumed, frames));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            guarded(() -> closed(attempt, ABNORMAL_CLOSE_CODE, describe(error), resumed, frames));
        }
    }

    private static final int ABNORMAL_CLOSE_CODE = 1006;

    private static final class Outgoing {
        final String frame;
        int transmissions;

        Outgoing(String frame) {
            this.frame = frame;
        }
    }

    /** Scheduled tasks and callbacks must never die silently. */
    private static void guarded(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            LOG.warn("farmgate client task failed", t);
        }
    }

    private static Throwable unwrap(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static String describe(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
