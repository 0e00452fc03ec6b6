package io.farmgate.registry;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.regex.Pattern;

/**
 * Where the farm registry lives and how often it is written and read. Validated once, here.
 *
 * @param redisUri                {@code redis://}, {@code rediss://} (TLS), {@code redis-sentinel://},
 *                                {@code rediss-sentinel://} (see Lettuce's RedisURI), or
 *                                {@code redis-cluster://[user:password@]host:port[,host:port...]}
 *                                ({@code rediss-cluster://} for TLS)
 * @param farm                    farm name, part of every key: 1-63 of a-z, 0-9 and '-'
 * @param heartbeatIntervalMillis how often agents publish a heartbeat
 * @param heartbeatTtlMillis      a heartbeat key expires this long after it was written, so a host
 *                                whose agent stops is gone within this time; more than the interval
 * @param refreshIntervalMillis   how often a snapshot source re-reads the farm
 * @param commandTimeoutMillis    longest wait for one Redis command (and for a connect)
 * @param eventStreamMaxLength    the event stream is trimmed to about this many entries
 * @param redisCaFile             PEM file of the CA certificate(s) a TLS ({@code rediss}) server's
 *                                certificate must chain to, instead of the JVM's default trust store;
 *                                null for the default. Only with a TLS scheme.
 * @param threadPriority          Java priority (1-10) of the threads the registry's connections and
 *                                sources start (Redis I/O, its timer, refreshes, nudges). A process whose
 *                                registry work is background work sets it low; the JVM honours it only
 *                                with {@code -XX:ThreadPriorityPolicy=1} (docs/gateway.md, "JVM settings")
 */
public record RegistryConfig(
        String redisUri,
        String farm,
        long heartbeatIntervalMillis,
        long heartbeatTtlMillis,
        long refreshIntervalMillis,
        long commandTimeoutMillis,
        int eventStreamMaxLength,
        Path redisCaFile,
        int threadPriority) {

    public static final long DEFAULT_HEARTBEAT_INTERVAL_MILLIS = 1_000;
    public static final long DEFAULT_HEARTBEAT_TTL_MILLIS = 3_000;
    public static final long DEFAULT_REFRESH_INTERVAL_MILLIS = 250;
    public static final long DEFAULT_COMMAND_TIMEOUT_MILLIS = 1_000;
    public static final int DEFAULT_EVENT_STREAM_MAX_LENGTH = 10_000;

    /** URI schemes this registry accepts, with their "://". */
    public static final List<String> SCHEMES = List.of("redis://", "rediss://", "redis-sentinel://",
            "rediss-sentinel://", "redis-cluster://", "rediss-cluster://");

    private static final Pattern FARM = Pattern.compile("[a-z0-9-]{1,63}");
    private static final long MAX_MILLIS = 86_400_000L;

    public RegistryConfig {
        Objects.requireNonNull(redisUri, "redisUri");
        Objects.requireNonNull(farm, "farm");
        if (SCHEMES.stream().noneMatch(s -> redisUri.regionMatches(true, 0, s, 0, s.length()))
                || redisUri.indexOf("://") + 3 >= redisUri.length()) {
            throw new IllegalArgumentException("redisUri: '" + masked(redisUri) + "' (expected: "
                    + String.join(", ", SCHEMES) + " followed by a host)");
        }
        if (!FARM.matcher(farm).matches()) {
            throw new IllegalArgumentException("farm: '" + farm + "' (expected: 1-63 of a-z, 0-9 and '-')");
        }
        requireMillis("heartbeatIntervalMillis", heartbeatIntervalMillis);
        requireMillis("heartbeatTtlMillis", heartbeatTtlMillis);
        if (heartbeatTtlMillis <= heartbeatIntervalMillis) {
            throw new IllegalArgumentException("heartbeatTtlMillis: " + heartbeatTtlMillis
                    + " (expected: > heartbeatIntervalMillis = " + heartbeatIntervalMillis + ")");
        }
        requireMillis("refreshIntervalMillis", refreshIntervalMillis);
        requireMillis("commandTimeoutMillis", commandTimeoutMillis);
        if (eventStreamMaxLength < 1 || eventStreamMaxLength > 10_000_000) {
            throw new IllegalArgumentException("eventStreamMaxLength: " + eventStreamMaxLength
                    + " (expected: in [1, 10000000])");
        }
        if (redisCaFile != null && !tls(redisUri)) {
            throw new IllegalArgumentException("redisCaFile: " + redisCaFile + " given for '" + masked(redisUri)
                    + "' (expected: only with rediss://, rediss-sentinel:// or rediss-cluster://)");
        }
        if (threadPriority < Thread.MIN_PRIORITY || threadPriority > Thread.MAX_PRIORITY) {
            throw new IllegalArgumentException("threadPriority: " + threadPriority + " (expected: in ["
                    + Thread.MIN_PRIORITY + ", " + Thread.MAX_PRIORITY + "])");
        }
    }

    /**
     * The defaults: heartbeat every 1 s expiring after 3 s, refresh every 250 ms, 1 s command timeout,
     * threads at normal priority.
     */
    public static RegistryConfig defaults(String redisUri, String farm) {
        return new RegistryConfig(redisUri, farm, DEFAULT_HEARTBEAT_INTERVAL_MILLIS, DEFAULT_HEARTBEAT_TTL_MILLIS,
                DEFAULT_REFRESH_INTERVAL_MILLIS, DEFAULT_COMMAND_TIMEOUT_MILLIS, DEFAULT_EVENT_STREAM_MAX_LENGTH, null,
                Thread.NORM_PRIORITY);
    }

    public RegistryConfig withHeartbeat(long intervalMillis, long ttlMillis) {
        return new RegistryConfig(redisUri, farm, intervalMillis, ttlMillis, refreshIntervalMillis,
                commandTimeoutMillis, eventStreamMaxLength, redisCaFile, threadPriority);
    }

    public RegistryConfig withRefreshIntervalMillis(long millis) {
        return new RegistryConfig(redisUri, farm, heartbeatIntervalMillis, heartbeatTtlMillis, millis,
                commandTimeoutMillis, eventStreamMaxLength, redisCaFile, threadPriority);
    }

    public RegistryConfig withCommandTimeoutMillis(long millis) {
        return new RegistryConfig(redisUri, farm, heartbeatIntervalMillis, heartbeatTtlMillis, refreshIntervalMillis,
                millis, eventStreamMaxLength, redisCaFile, threadPriority);
    }

    public RegistryConfig withEventStreamMaxLength(int maxLength) {
        return new RegistryConfig(redisUri, farm, heartbeatIntervalMillis, heartbeatTtlMillis, refreshIntervalMillis,
                commandTimeoutMillis, maxLength, redisCaFile, threadPriority);
    }

    /** This config trusting the CA certificate(s) in {@code pemFile} for a TLS registry; null for the JVM default. */
    public RegistryConfig withRedisCaFile(Path pemFile) {
        return new RegistryConfig(redisUri, farm, heartbeatIntervalMillis, heartbeatTtlMillis, refreshIntervalMillis,
                commandTimeoutMillis, eventStreamMaxLength, pemFile, threadPriority);
    }

    /** This config with its threads at {@code priority} (Java's 1-10), e.g. {@link Thread#MIN_PRIORITY}. */
    public RegistryConfig withThreadPriority(int priority) {
        return new RegistryConfig(redisUri, farm, heartbeatIntervalMillis, heartbeatTtlMillis, refreshIntervalMillis,
                commandTimeoutMillis, eventStreamMaxLength, redisCaFile, priority);
    }

    /** A thread factory for this registry's threads: daemon threads named {@code name}, at {@link #threadPriority}. */
    ThreadFactory threads(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            t.setPriority(threadPriority);
            return t;
        };
    }

    /** Whether the URI asks for TLS ({@code rediss}, {@code rediss-sentinel}, {@code rediss-cluster}). */
    static boolean tls(String uri) {
        return uri.regionMatches(true, 0, "rediss:", 0, 7) || uri.regionMatches(true, 0, "rediss-", 0, 7);
    }

    /** The Redis key names of this farm. */
    public FarmKeys keys() {
        return new FarmKeys(farm);
    }

    /** Whether the URI names a Redis Cluster (our own {@code redis-cluster://} scheme). */
    public boolean clusterMode() {
        return redisUri.regionMatches(true, 0, "redis-cluster://", 0, 16)
                || redisUri.regionMatches(true, 0, "rediss-cluster://", 0, 17);
    }

    /** The URI with any password replaced by {@code ***}, for logs and messages. */
    public String maskedRedisUri() {
        return masked(redisUri);
    }

    static String masked(String uri) {
        int scheme = uri.indexOf("://");
        int at = uri.lastIndexOf('@');
        if (scheme < 0 || at < scheme) {
            return uri;
        }
        int colon = uri.indexOf(':', scheme + 3);
        int secretFrom = colon >= 0 && colon < at ? colon + 1 : scheme + 3;
        return uri.substring(0, secretFrom) + "***" + uri.substring(at);
    }

    private static void requireMillis(String field, long value) {
        if (value < 1 || value > MAX_MILLIS) {
            throw new IllegalArgumentException(field + ": " + value + " (expected: in [1, " + MAX_MILLIS + "])");
        }
    }

    // Never print a password held in the URI.
    @Override
    public String toString() {
        return "RegistryConfig[redisUri=" + maskedRedisUri() + ", farm=" + farm
                + ", heartbeatIntervalMillis=" + heartbeatIntervalMillis + ", heartbeatTtlMillis=" + heartbeatTtlMillis
                + ", refreshIntervalMillis=" + refreshIntervalMillis + ", commandTimeoutMillis=" + commandTimeoutMillis
                + ", eventStreamMaxLength=" + eventStreamMaxLength
                + ", redisCaFile=" + (redisCaFile == null ? "default" : redisCaFile)
                + ", threadPriority=" + threadPriority + "]";
    }
}
