package io.farmgate.registry;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The farm's event log: a Redis stream trimmed to about
 * {@link RegistryConfig#eventStreamMaxLength()} entries, newest kept. For operators and the
 * dashboard; nothing reconciles from it.
 */
public final class EventLog {

    /** Most events one {@link #latest} call returns. */
    public static final int MAX_READ = 10_000;

    private static final String DETAIL_PREFIX = FarmEvent.DETAIL_PREFIX;

    private final RegistryConnection connection;
    private final String key;
    private final XAddArgs trim;
    private final AtomicLong unreadable = new AtomicLong();

    public EventLog(RegistryConnection connection) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.key = connection.keys().events();
        // Approximate trimming drops whole stream nodes: far cheaper, and a few extra entries do not matter here.
        this.trim = new XAddArgs().maxlen(connection.config().eventStreamMaxLength()).approximateTrimming();
    }

    /**
     * Appends an event.
     *
     * @return the stream entry id
     * @throws RegistryException when Redis cannot be written
     */
    public String append(FarmEvent event) {
        Map<String, String> fields = event.streamFields();
        return connection.call("appending a " + event.type() + " event", redis -> redis.xadd(key, trim, fields));
    }

    /**
     * The latest {@code count} events, newest first; entries this reader cannot read are skipped and counted.
     *
     * @throws RegistryException when Redis cannot be read
     */
    public List<FarmEvent> latest(int count) {
        if (count < 1 || count > MAX_READ) {
            throw new IllegalArgumentException("count: " + count + " (expected: in [1, " + MAX_READ + "])");
        }
        List<StreamMessage<String, String>> entries = connection.call("reading events",
                redis -> redis.xrevrange(key, Range.unbounded(), Limit.from(count)));
        List<FarmEvent> events = new ArrayList<>(entries.size());
        for (StreamMessage<String, String> entry : entries) {
            FarmEvent e = decode(entry.getBody());
            if (e != null) {
                events.add(e);
            } else {
                unreadable.incrementAndGet();
            }
        }
        return events;
    }

    /**
     * Entries in the stream now.
     *
     * @throws RegistryException when Redis cannot be read
     */
    public long length() {
        Long n = connection.call("counting events", redis -> redis.xlen(key));
        return n == null ? 0 : n;
    }

    /** Entries skipped by {@link #latest} because they were unreadable or from a newer version. */
    public long unreadableEvents() {
        return unreadable.get();
    }

    private static FarmEvent decode(Map<String, String> body) {
        try {
            if (!Integer.toString(JsonRecords.VERSION).equals(body.get("v"))) {
                return null;
            }
            FarmEvent.Type type = FarmEvent.Type.valueOf(Objects.requireNonNull(body.get("type")).toUpperCase(Locale.ROOT));
            Map<String, String> details = new LinkedHashMap<>();
            body.forEach((k, v) -> {
                if (k.startsWith(DETAIL_PREFIX)) {
                    details.put(k.substring(DETAIL_PREFIX.length()), v);
                }
            });
            return new FarmEvent(type, body.get("hostId"), body.get("actor"), body.get("reason"),
                    Long.parseLong(Objects.requireNonNull(body.get("atMillis"))), details);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
