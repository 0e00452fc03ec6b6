package io.farmgate.backend;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries chat messages between the hosts of a farm over one Redis pub/sub channel: what one
 * host publishes, every host (itself included) receives. If Redis is away at start the relay
 * keeps trying in the background; once connected, Lettuce reconnects and re-subscribes by itself.
 */
final class ChatRelay implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChatRelay.class);
    private static final long RETRY_MILLIS = 1_000;
    /** How long the farm remembers a message id: longer than any client takes to come back and resend. */
    static final long SEEN_SECONDS = 600;

    private final String channel;
    private final String seenPrefix;
    private final RedisClient client;
    private final Consumer<String> receiver;
    private final ScheduledExecutorService retry;
    private volatile StatefulRedisConnection<String, String> publisher;
    private volatile StatefulRedisPubSubConnection<String, String> subscriber;
    private volatile boolean closed;

    ChatRelay(String redisUri, java.nio.file.Path redisCaFile, String farm, Consumer<String> receiver) {
        // Same hash tag as the registry's keys, so a Cluster keeps the farm together.
        this.channel = "fg:{" + farm + "}:chat";
        this.seenPrefix = "fg:{" + farm + "}:seen:";
        this.receiver = receiver;
        this.client = redisClient(redisUri, redisCaFile, Duration.ofSeconds(1));
        this.retry = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "farmgate-chat-relay");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A Redis client that reconnects by itself, rejects commands while disconnected (so a caller
     * learns at once), and times commands out after {@code timeout}.
     */
    static RedisClient redisClient(String redisUri, java.nio.file.Path redisCaFile, Duration timeout) {
        RedisURI uri = RedisURI.create(redisUri);
        uri.setTimeout(timeout);
        RedisClient client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(1)).build())
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .sslOptions(redisCaFile == null ? ClientOptions.create().getSslOptions()
                        : io.lettuce.core.SslOptions.builder().jdkSslProvider().trustManager(redisCaFile.toFile()).build())
                .build());
        return client;
    }

    /**
     * Connects now if it can (so clients that arrive next already hear the farm), else keeps
     * trying every second in the background.
     */
    ChatRelay start() {
        connect();
        return this;
    }

    /** Whether messages go to and come from the farm right now (false: this host only). */
    boolean connected() {
        StatefulRedisConnection<String, String> p = publisher;
        StatefulRedisPubSubConnection<String, String> s = subscriber;
        return p != null && p.isOpen() && s != null && s.isOpen();
    }

    private void connect() {
        if (closed) {
            return;
        }
        try {
            if (subscriber == null) {
                StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub();
                sub.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String from, String message) {
                        if (channel.equals(from)) {
                            receiver.accept(message);
                        }
                    }
                });
                sub.sync().subscribe(channel);
                subscriber = sub;
            }
            if (publisher == null) {
                publisher = client.connect();
            }
            log.info("chat relay subscribed to {}", channel);
        } catch (RuntimeException e) {
            log.warn("chat relay cannot reach Redis yet, retrying in {} ms: {}", RETRY_MILLIS, e.toString());
            if (!closed) {
                retry.schedule(this::connect, RETRY_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
    }

    /**
     * Sends {@code message} to every host of the farm. Returns false (and sends nothing) when
     * Redis cannot take it now; the caller then delivers locally.
     */
    boolean publish(String message) {
        if (!connected()) {
            return false;
        }
        StatefulRedisConnection<String, String> p = publisher;
        try {
            p.async().publish(channel, message).exceptionally(e -> {
                log.debug("chat publish failed: {}", e.toString());
                return 0L;
            });
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Claims message {@code id} for the whole farm ({@code SET ... NX EX}): completes with true
     * when no host has had it yet, false for a resend, and exceptionally when Redis is away.
     */
    CompletionStage<Boolean> claim(String id) {
        StatefulRedisConnection<String, String> p = publisher;
        if (!connected()) {
            return CompletableFuture.failedFuture(new IllegalStateException("chat relay not connected"));
        }
        try {
            return p.async().set(seenPrefix + id, "1", SetArgs.Builder.nx().ex(SEEN_SECONDS))
                    .thenApply("OK"::equals);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void close() {
        closed = true;
        retry.shutdownNow();
        try {
            if (subscriber != null) {
                subscriber.close();
            }
            if (publisher != null) {
                publisher.close();
            }
        } catch (RuntimeException e) {
            log.debug("closing chat connections: {}", e.toString());
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
