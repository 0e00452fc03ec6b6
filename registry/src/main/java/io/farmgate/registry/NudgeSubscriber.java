package io.farmgate.registry;

import io.farmgate.scoring.HostReport;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on the farm's nudge channel and passes each nudged host id to a callback. A nudge only
 * says "look now": the state itself is in {@link OperatorStore}, so a nudge missed while Redis
 * was away costs latency, not correctness.
 *
 * <p>If Redis is unreachable at start, subscribing is retried every second until it works;
 * afterwards Lettuce reconnects and re-subscribes by itself. The callback runs on a Lettuce I/O
 * thread: it must return quickly and hand real work off.
 */
public final class NudgeSubscriber implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NudgeSubscriber.class);
    private static final long RETRY_MILLIS = 1_000;

    private final RegistryConnection connection;
    private final String channel;
    private final Consumer<String> onNudge;
    private final ScheduledExecutorService retries;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile StatefulRedisPubSubConnection<String, String> pubSub;
    private volatile boolean closed;
    private boolean warned;

    private NudgeSubscriber(RegistryConnection connection, Consumer<String> onNudge) {
        this.connection = connection;
        this.channel = connection.keys().nudgeChannel();
        this.onNudge = onNudge;
        this.retries = Executors.newSingleThreadScheduledExecutor(
                connection.config().threads("farmgate-nudge-" + connection.keys().farm()));
    }

    /**
     * Subscribes to the nudge channel of the connection's farm.
     *
     * @param onNudge called with the host id of every valid nudge
     */
    public static NudgeSubscriber start(RegistryConnection connection, Consumer<String> onNudge) {
        NudgeSubscriber s = new NudgeSubscriber(Objects.requireNonNull(connection, "connection"),
                Objects.requireNonNull(onNudge, "onNudge"));
        s.retries.execute(s::trySubscribe);
        return s;
    }

    private void trySubscribe() {
        StatefulRedisPubSubConnection<String, String> c = null;
        try {
            if (closed) {
                return;
            }
            c = connection.connectPubSub();
            c.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String from, String message) {
                    deliver(from, message);
                }
            });
            c.sync().subscribe(channel);
            synchronized (this) {
                if (closed) {
                    c.closeAsync();
                    return;
                }
                pubSub = c;
            }
            LOG.debug("subscribed to {}", channel);
            retries.shutdown();
        } catch (Throwable t) {
            if (c != null) {
                c.closeAsync();
            }
            if (!warned) {
                warned = true;
                LOG.warn("cannot subscribe to {} yet, retrying every {} ms: {}", channel, RETRY_MILLIS, t.getMessage());
            }
            if (!closed) {
                retries.schedule(this::trySubscribe, RETRY_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
    }

    private void deliver(String from, String hostId) {
        if (!channel.equals(from)) {
            return;
        }
        if (hostId == null || !HostReport.isValidHostId(hostId)) {
            dropped.incrementAndGet();
            return;
        }
        received.incrementAndGet();
        try {
            onNudge.accept(hostId);
        } catch (Throwable t) {
            LOG.warn("nudge callback failed for {}", hostId, t);
        }
    }

    /** Whether the subscription is in place and its connection is up right now. */
    public boolean isSubscribed() {
        StatefulRedisPubSubConnection<String, String> c = pubSub;
        return c != null && c.isOpen();
    }

    /** Valid nudges delivered to the callback. */
    public long nudgesReceived() {
        return received.get();
    }

    /** Messages on the channel that were not a host id. */
    public long nudgesDropped() {
        return dropped.get();
    }

    @Override
    public void close() {
        StatefulRedisPubSubConnection<String, String> c;
        synchronized (this) {
            closed = true;
            c = pubSub;
            pubSub = null;
        }
        retries.shutdownNow();
        if (c != null) {
            c.close();
        }
    }
}
