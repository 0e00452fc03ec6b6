package io.farmgate.backend;

import io.farmgate.client.StreamPosition;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.UnblockType;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rooms' Redis streams ({@code fg:{farm}:room:<room>}, capped with {@code MAXLEN ~ retention}):
 * appends a message (claiming its id farm-wide in the same script), reads a room's last position
 * and a replay, and follows the rooms this host has clients in with {@code XREAD BLOCK} on one
 * thread. Reading the streams, rather than a pub/sub channel, is what keeps order: every host
 * sees a room's entries in id order with none skipped, whatever order the publishers' XADDs
 * raced in, and a host that lost Redis for a while continues from where it stopped. Commands
 * are Redis 6.2 ones ({@code XRANGE} with an exclusive start needs 6.2).
 */
final class RoomLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RoomLog.class);
    /** How long one XREAD waits for entries; a room followed meanwhile waits at most this long (usually not: see follow). */
    private static final long BLOCK_MILLIS = 500;
    private static final int READ_COUNT = 1_000;
    private static final long RETRY_MILLIS = 1_000;

    /**
     * SET NX the id, and only if this is its first time, XADD the frame with the room's entry count:
     * one round trip, and no claimed id left unsent. The count lets a reader see entries trimmed
     * before it read them (Redis 6.2 streams do not say so themselves).
     */
    private static final String APPEND = """
            if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
              local n = redis.call('INCR', KEYS[3])
              return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'm', ARGV[3], 'n', n)
            end
            return false""";
    /** Length, first and last id, whether ARGV[1] is still held, and the entries from ARGV[2] on: one consistent view. */
    private static final String REPLAY = """
            local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
            local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
            local held = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
            local entries = {}
            if ARGV[2] ~= '' then entries = redis.call('XRANGE', KEYS[1], ARGV[2], '+', 'COUNT', ARGV[3]) end
            return {redis.call('XLEN', KEYS[1]), first[1] and first[1][1] or '', last[1] and last[1][1] or '',
                    #held, entries}""";

    /**
     * One entry of a room: its position, the frame every client gets (with {@code "pos"}), and its
     * number in the room (1, 2, ...; -1 when it has none), consecutive unless entries were trimmed unread.
     */
    record Entry(StreamPosition position, String frame, long number) {
    }

    /**
     * What a room's stream held at one moment.
     *
     * @param length  entries held
     * @param first   the oldest position held, null when empty
     * @param last    the newest position held, {@link StreamPosition#ZERO} when empty
     * @param holds   whether the position asked about is itself still held
     * @param entries the entries from the position asked for on, oldest first
     */
    record Replay(long length, StreamPosition first, StreamPosition last, boolean holds, List<Entry> entries) {
    }

    /** Receives, on the reader thread, the entries read for a followed room, in order, after {@code from}. */
    interface Sink {
        void entries(Object follow, StreamPosition from, List<Entry> entries);
    }

    private final String keyPrefix;
    private final String seenPrefix;
    private final int retention;
    private final RedisClient client;
    private final String appendSha;
    private final Sink sink;
    private final BlockingQueue<Runnable> followChanges = new LinkedBlockingQueue<>();
    // Confined to the reader thread: room key -> what it follows, from where.
    private final Map<String, Followed> followed = new LinkedHashMap<>();
    private final Thread reader;
    private volatile StatefulRedisConnection<String, String> commands;
    private volatile long readerClientId = -1;
    private volatile boolean closed;

    private static final class Followed {
        final Object follow;
        StreamPosition cursor;

        Followed(Object follow, StreamPosition cursor) {
            this.follow = follow;
            this.cursor = cursor;
        }
    }

    RoomLog(String redisUri, Path redisCaFile, String farm, int retention, Sink sink) {
        this.keyPrefix = "fg:{" + farm + "}:room:";
        this.seenPrefix = "fg:{" + farm + "}:seen:";
        this.retention = retention;
        this.sink = sink;
        this.appendSha = sha1(APPEND);
        // Longer than a blocked XREAD, which holds its connection for up to BLOCK_MILLIS.
        this.client = ChatRelay.redisClient(redisUri, redisCaFile, Duration.ofMillis(BLOCK_MILLIS + 4_000));
        this.reader = new Thread(this::readLoop, "farmgate-room-reader");
        reader.setDaemon(true);
    }

    String key(String room) {
        return keyPrefix + room;
    }

    RoomLog start() {
        reader.start();
        return this;
    }

    /** Whether the command connection is up. */
    boolean connected() {
        StatefulRedisConnection<String, String> c = commands;
        return c != null && c.isOpen();
    }

    /**
     * Claims {@code id} farm-wide and appends {@code json} (a JSON object) to the room: completes with
     * the entry's position, with null for an id the farm already has (a resend), exceptionally when
     * Redis cannot take it.
     */
    CompletionStage<StreamPosition> append(String room, String id, String json) {
        String[] keys = {seenPrefix + id, key(room), key(room) + ":count"};
        String[] args = {Long.toString(ChatRelay.SEEN_SECONDS), Integer.toString(retention), json};
        StatefulRedisConnection<String, String> c;
        try {
            c = commandConnection();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<String> added = c.async().<String>evalsha(appendSha, ScriptOutputType.VALUE, keys, args)
                .toCompletableFuture()
                .handle((r, e) -> {
                    if (e == null) {
                        return CompletableFuture.completedFuture(r);
                    }
                    if (unwrap(e) instanceof RedisNoScriptException) {
                        return c.async().<String>eval(APPEND, ScriptOutputType.VALUE, keys, args).toCompletableFuture();
                    }
                    return CompletableFuture.<String>failedFuture(e);
                })
                .thenCompose(f -> f);
        return added.thenApply(r -> r == null ? null : requirePosition(r));
    }

    /** The room's newest position ({@link StreamPosition#ZERO} for a room without entries). */
    CompletionStage<StreamPosition> lastPosition(String room) {
        return replay(room, StreamPosition.ZERO, null, 0).thenApply(Replay::last);
    }

    /**
     * The room's stream as one consistent view: its bounds, whether {@code asked} is still held, and
     * the entries after {@code asked} (at most {@code max}; none when {@code after} is null).
     */
    CompletionStage<Replay> replay(String room, StreamPosition asked, StreamPosition from, int max) {
        StatefulRedisConnection<String, String> c;
        try {
            c = commandConnection();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        String[] args = {asked.toString(), from == null ? "" : from.toString(), Integer.toString(Math.max(1, max))};
        return c.async().<List<Object>>eval(REPLAY, ScriptOutputType.MULTI, new String[] {key(room)}, args)
                .thenApply(RoomLog::decodeReplay);
    }

    private static Replay decodeReplay(List<Object> reply) {
        long length = (Long) reply.get(0);
        String first = (String) reply.get(1);
        String last = (String) reply.get(2);
        boolean holds = ((Long) reply.get(3)) > 0;
        List<Entry> entries = new ArrayList<>();
        for (Object raw : (List<?>) reply.get(4)) {
            List<?> entry = (List<?>) raw;
            List<?> fields = (List<?>) entry.get(1);
            String message = null;
            String number = null;
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                if ("m".equals(fields.get(i))) {
                    message = (String) fields.get(i + 1);
                } else if ("n".equals(fields.get(i))) {
                    number = (String) fields.get(i + 1);
                }
            }
            Entry e = entry((String) entry.get(0), message, number);
            if (e != null) {
                entries.add(e);
            }
        }
        return new Replay(length, first.isEmpty() ? null : requirePosition(first),
                last.isEmpty() ? StreamPosition.ZERO : requirePosition(last), holds, entries);
    }

    /** The entry's frame: the stored JSON object with {@code "pos"} added; null for an entry that is not ours. */
    static Entry entry(String id, String message, String number) {
        StreamPosition position = StreamPosition.parse(id);
        if (position == null || message == null || message.length() < 2 || !message.endsWith("}")) {
            return null;
        }
        long n;
        try {
            n = number == null ? -1 : Long.parseLong(number);
        } catch (NumberFormatException e) {
            n = -1;
        }
        String separator = message.length() == 2 ? "" : ",";
        return new Entry(position, message.substring(0, message.length() - 1) + separator + "\"pos\":\"" + id + "\"}", n);
    }

    /**
     * Starts following {@code room} after {@code from}: its entries go to the sink, tagged with
     * {@code follow}, until {@link #unfollow}. Following a room again replaces the old follow.
     */
    void follow(String room, Object follow, StreamPosition from) {
        changeFollows(() -> followed.put(key(room), new Followed(follow, from)));
    }

    /** Stops following {@code room} if {@code follow} is still what follows it. */
    void unfollow(String room, Object follow) {
        changeFollows(() -> followed.computeIfPresent(key(room), (k, f) -> f.follow == follow ? null : f));
    }

    private void changeFollows(Runnable change) {
        followChanges.add(change);
        long id = readerClientId;
        StatefulRedisConnection<String, String> c = commands;
        if (id >= 0 && c != null && c.isOpen()) {
            // Wake a blocked XREAD so the change applies now, not after BLOCK_MILLIS.
            c.async().clientUnblock(id, UnblockType.TIMEOUT);
        }
    }

    private void readLoop() {
        StatefulRedisConnection<String, String> connection = null;
        while (!closed) {
            try {
                Runnable change;
                while ((change = followChanges.poll()) != null) {
                    change.run();
                }
                if (followed.isEmpty()) {
                    change = followChanges.poll(BLOCK_MILLIS, TimeUnit.MILLISECONDS);
                    if (change != null) {
                        change.run();
                    }
                    continue;
                }
                if (connection == null || !connection.isOpen()) {
                    connection = reconnect(connection);
                }
                read(connection);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Throwable t) {
                if (closed) {
                    return;
                }
                log.warn("room reader: {}; retrying in {} ms", t.toString(), RETRY_MILLIS);
                readerClientId = -1;
                try {
                    Runnable change = followChanges.poll(RETRY_MILLIS, TimeUnit.MILLISECONDS);
                    if (change != null) {
                        change.run();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        if (connection != null) {
            connection.closeAsync();
        }
    }

    private StatefulRedisConnection<String, String> reconnect(StatefulRedisConnection<String, String> old) {
        if (old != null) {
            old.closeAsync();
        }
        StatefulRedisConnection<String, String> connection = client.connect();
        readerClientId = connection.sync().clientId();
        return connection;
    }

    @SuppressWarnings("unchecked")
    private void read(StatefulRedisConnection<String, String> connection) {
        List<XReadArgs.StreamOffset<String>> offsets = new ArrayList<>(followed.size());
        followed.forEach((key, f) -> offsets.add(XReadArgs.StreamOffset.from(key, f.cursor.toString())));
        List<StreamMessage<String, String>> read = connection.sync().xread(
                XReadArgs.Builder.block(BLOCK_MILLIS).count(READ_COUNT), offsets.toArray(new XReadArgs.StreamOffset[0]));
        if (read == null || read.isEmpty()) {
            return;
        }
        Map<String, List<Entry>> byRoom = new LinkedHashMap<>();
        for (StreamMessage<String, String> m : read) {
            Entry e = entry(m.getId(), m.getBody().get("m"), m.getBody().get("n"));
            List<Entry> entries = byRoom.computeIfAbsent(m.getStream(), k -> new ArrayList<>());
            if (e != null) {
                entries.add(e);
            } else {
                // Not ours, but read past it all the same.
                Followed f = followed.get(m.getStream());
                if (f != null) {
                    f.cursor = requirePosition(m.getId());
                }
            }
        }
        byRoom.forEach((key, entries) -> {
            Followed f = followed.get(key);
            if (f == null || entries.isEmpty()) {
                return;
            }
            StreamPosition from = f.cursor;
            f.cursor = entries.get(entries.size() - 1).position();
            sink.entries(f.follow, from, entries);
        });
    }

    private StatefulRedisConnection<String, String> commandConnection() {
        StatefulRedisConnection<String, String> c = commands;
        if (c == null) {
            synchronized (this) {
                if (closed) {
                    throw new IllegalStateException("room log closed");
                }
                if (commands == null) {
                    commands = client.connect();
                }
                c = commands;
            }
        }
        return c;
    }

    private static StreamPosition requirePosition(String id) {
        StreamPosition p = StreamPosition.parse(id);
        if (p == null) {
            throw new IllegalStateException("Redis answered a stream id that is not <ms>-<seq>: " + id);
        }
        return p;
    }

    private static Throwable unwrap(Throwable t) {
        Throwable cause = t;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static String sha1(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every JDK", e);
        }
    }

    @Override
    public void close() {
        closed = true;
        reader.interrupt();
        try {
            reader.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (commands != null) {
                commands.closeAsync();
            }
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
