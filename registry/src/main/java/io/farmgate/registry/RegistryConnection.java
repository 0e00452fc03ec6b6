package io.farmgate.registry;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Lettuce client and command connection to the registry, built from the configured URI:
 * standalone, TLS, Sentinel or Cluster. The rest of the registry code talks to it through the
 * command interface standalone and cluster connections share, so it does not care which.
 *
 * <p>Opening does not touch the network: the connection is made on first use and, once made,
 * Lettuce re-establishes it by itself after an outage, retrying at least once per heartbeat
 * interval (and at least every second). While it
 * is down commands fail at once instead of queueing, so callers fall back to their last good
 * data quickly. One per process part; close it when done.
 */
public final class RegistryConnection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryConnection.class);

    private final RegistryConfig config;
    private final FarmKeys keys;
    private final ClientResources resources;
    /** Passed in, so not shut down with the resources: stopped by {@link #close()}. */
    private final DeadlineTimer timer;
    private final RedisClient standalone;
    private final RedisClusterClient cluster;
    private volatile StatefulConnection<String, String> connection;
    private volatile RedisClusterCommands<String, String> commands;
    private volatile boolean closed;

    private RegistryConnection(RegistryConfig config) {
        this.config = config;
        this.keys = config.keys();
        Duration timeout = Duration.ofMillis(config.commandTimeoutMillis());
        // Lettuce's default reconnect backoff grows to 30 s. Capping it at one heartbeat interval
        // (at most 1 s) brings agents back before their hosts' keys expire and readers back within
        // the grace they give missing hosts; jitter spreads a farm's reconnects.
        long reconnectCapMillis = Math.max(20, Math.min(1_000, config.heartbeatIntervalMillis()));
        this.timer = new DeadlineTimer(config.threads("farmgate-redis-timer"));
        this.resources = DefaultClientResources.builder()
                // Lettuce's own provider makes the same Netty threads at normal priority.
                .threadFactoryProvider(pool -> new DefaultThreadFactory(pool, true, config.threadPriority()))
                .ioThreadPoolSize(1)
                .computationThreadPoolSize(1)
                .timer(timer)
                .reconnectDelay(Delay.equalJitter(Duration.ofMillis(10), Duration.ofMillis(reconnectCapMillis),
                        Math.max(10, reconnectCapMillis / 16), TimeUnit.MILLISECONDS))
                .build();
        SocketOptions socket = SocketOptions.builder().connectTimeout(timeout).keepAlive(true).build();
        // Every command here is synchronous, and a synchronous call already waits at most the URI's
        // timeout and then cancels the command. Lettuce's command timeouts would add a timer entry
        // per command: in an idle gateway the timer thread woke 2.4 times a second for them, of
        // about 30 wake-ups a second in all.
        TimeoutOptions timeouts = TimeoutOptions.create();
        // Without a CA file, TLS trusts the JVM's default store (Lettuce's default SslOptions).
        SslOptions ssl = config.redisCaFile() == null ? ClientOptions.create().getSslOptions()
                : SslOptions.builder().jdkSslProvider().trustManager(config.redisCaFile().toFile()).build();
        if (config.clusterMode()) {
            this.standalone = null;
            this.cluster = RedisClusterClient.create(resources, clusterSeeds(config.redisUri(), timeout));
            cluster.setOptions(ClusterClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .socketOptions(socket)
                    .timeoutOptions(timeouts)
                    .sslOptions(ssl)
                    // Adaptive refresh (on MOVED, ASK, reconnects) is Lettuce's default since lettuce#3249;
                    // the periodic one also catches failovers of nodes this process never talks to.
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enablePeriodicRefresh(Duration.ofSeconds(30))
                            .build())
                    .build());
        } else {
            RedisURI uri = RedisURI.create(config.redisUri());
            uri.setTimeout(timeout);
            this.cluster = null;
            this.standalone = RedisClient.create(resources, uri);
            standalone.setOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .socketOptions(socket)
                    .timeoutOptions(timeouts)
                    .sslOptions(ssl)
                    .build());
        }
    }

    /** Lettuce's timer for this connection; for tests. */
    DeadlineTimer timer() {
        return timer;
    }

    /** A connection for this config; nothing is sent until it is first used. */
    public static RegistryConnection open(RegistryConfig config) {
        Objects.requireNonNull(config, "config");
        if (config.redisCaFile() != null && !Files.isReadable(config.redisCaFile())) {
            throw new IllegalArgumentException("redisCaFile: '" + config.redisCaFile() + "' (expected: a readable PEM file)");
        }
        try {
            return new RegistryConnection(config);
        } catch (IllegalArgumentException | RedisException e) {
            throw new IllegalArgumentException("redisUri: '" + config.maskedRedisUri() + "' (" + e.getMessage() + ")", e);
        }
    }

    /** Seeds of {@code redis-cluster://[user:password@]host:port[,host:port...]}. */
    static List<RedisURI> clusterSeeds(String clusterUri, Duration timeout) {
        boolean tls = clusterUri.regionMatches(true, 0, "rediss-", 0, 7);
        String rest = clusterUri.substring(clusterUri.indexOf("://") + 3);
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            rest = rest.substring(0, slash);
        }
        int at = rest.lastIndexOf('@');
        RedisCredentials credentials = RedisCredentials.fromUserInfo(at >= 0 ? rest.substring(0, at) : null);
        String user = credentials.user();
        String password = credentials.password();
        rest = rest.substring(at + 1);
        List<RedisURI> seeds = new ArrayList<>();
        for (String node : rest.split(",")) {
            String hostPort = node.trim();
            int colon = hostPort.lastIndexOf(':');
            if (hostPort.isEmpty() || colon <= 0 || colon == hostPort.length() - 1) {
                throw new IllegalArgumentException("cluster node '" + hostPort + "' (expected: host:port)");
            }
            String host = hostPort.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("cluster node '" + hostPort + "' (expected: a numeric port)", e);
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("cluster node '" + hostPort + "' (expected: port in [1, 65535])");
            }
            RedisURI.Builder b = RedisURI.Builder.redis(host, port).withSsl(tls).withTimeout(timeout);
            if (password != null) {
                b = user != null ? b.withAuthentication(user, password) : b.withPassword(password);
            }
            seeds.add(b.build());
        }
        return seeds;
    }

    public RegistryConfig config() {
        return config;
    }

    public FarmKeys keys() {
        return keys;
    }

    /** Whether the command connection is made and currently up. */
    public boolean isConnected() {
        StatefulConnection<String, String> c = connection;
        return c != null && c.isOpen();
    }

    /**
     * Runs {@code operation} on the shared command connection, connecting first if needed.
     *
     * @throws RegistryException when Redis cannot be reached, times out or rejects a command
     */
    <T> T call(String what, Function<RedisClusterCommands<String, String>, T> operation) {
        try {
            return operation.apply(commands());
        } catch (RedisException e) {
            throw new RegistryException(what + " failed on " + config.maskedRedisUri() + ": " + e.getMessage(), e);
        }
    }

    /** Runs {@code script} by its SHA-1, sending the text only when the server does not know it yet. */
    static <T> T eval(RedisClusterCommands<String, String> redis, LuaScript script, ScriptOutputType type, String[] keys,
            String... args) {
        try {
            return redis.evalsha(script.sha1(), type, keys, args);
        } catch (RedisNoScriptException e) {
            return redis.eval(script.source(), type, keys, args);
        }
    }

    private RedisClusterCommands<String, String> commands() {
        RedisClusterCommands<String, String> c = commands;
        if (c != null) {
            return c;
        }
        synchronized (this) {
            if (closed) {
                throw new RegistryException("registry connection to " + config.maskedRedisUri() + " is closed");
            }
            if (commands == null) {
                if (cluster != null) {
                    StatefulRedisClusterConnection<String, String> made = cluster.connect();
                    try {
                        connectToFarmSlotOwner(made);
                    } catch (RuntimeException e) {
                        made.closeAsync();
                        throw e;
                    }
                    connection = made;
                    commands = made.sync();
                } else {
                    StatefulRedisConnection<String, String> made = standalone.connect();
                    connection = made;
                    commands = made.sync();
                }
                LOG.debug("connected to the registry at {}", config.maskedRedisUri());
            }
            return commands;
        }
    }

    /**
     * Lettuce connects to cluster nodes lazily and, with REJECT_COMMANDS, rejects commands for a
     * node whose connection is still being made (lettuce#3747). All of a farm's keys live in one
     * slot, so connecting to that slot's owner up front makes the first commands work.
     */
    private void connectToFarmSlotOwner(StatefulRedisClusterConnection<String, String> made) {
        RedisClusterNode owner = made.getPartitions().getMasterBySlot(SlotHash.getSlot(keys.schema()));
        if (owner == null) {
            throw new RegistryException("no node of the cluster at " + config.maskedRedisUri()
                    + " serves the slot of farm " + keys.farm());
        }
        made.getConnection(owner.getUri().getHost(), owner.getUri().getPort());
    }

    /**
     * A new pub/sub connection, owned by the caller. Lettuce reconnects and re-subscribes it by itself.
     *
     * @throws RegistryException when Redis cannot be reached
     */
    StatefulRedisPubSubConnection<String, String> connectPubSub() {
        synchronized (this) {
            if (closed) {
                throw new RegistryException("registry connection to " + config.maskedRedisUri() + " is closed");
            }
        }
        try {
            return cluster != null ? cluster.connectPubSub() : standalone.connectPubSub();
        } catch (RedisException e) {
            throw new RegistryException("subscribing failed on " + config.maskedRedisUri() + ": " + e.getMessage(), e);
        }
    }

    /** Closes the connection and the client with its threads. Idempotent. */
    @Override
    public void close() {
        StatefulConnection<String, String> c;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            c = connection;
            connection = null;
            commands = null;
        }
        try {
            if (c != null) {
                c.close();
            }
            AbstractRedisClient client = cluster != null ? cluster : standalone;
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        } catch (RuntimeException e) {
            LOG.warn("closing the registry connection to {}: {}", config.maskedRedisUri(), e.toString());
        } finally {
            resources.shutdown(0, 2, TimeUnit.SECONDS);
            timer.stop();
        }
    }
}
