package io.farmgate.agent;

import io.farmgate.registry.FarmEvent;
import io.farmgate.registry.FarmKeys;
import io.farmgate.registry.HeartbeatCodec;
import io.farmgate.registry.HeartbeatPublisher;
import io.farmgate.registry.HeartbeatPublisher.Published;
import io.farmgate.registry.LuaScript;
import io.farmgate.registry.OperatorStateCodec;
import io.farmgate.registry.RegistryConfig;
import io.farmgate.registry.RegistryException;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.OperatorState;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar's registry link: the same keys, scripts and records as {@link RedisRegistryLink},
 * over {@link RespConnection}s instead of Lettuce, so the sidecar loads no Lettuce, Reactor or
 * Netty and runs no event-loop or timer threads. Commands are blocking calls on the caller's
 * thread (the agent's scheduler) over one connection, made on first use and again after a
 * failure, no sooner than a jittered backoff capped at one heartbeat interval (at most 1 s), like
 * the Lettuce link's reconnects. Nudges arrive on a second connection, subscribed by a thread of
 * its own. Standalone and Sentinel URIs; {@link #of} answers null for the rest (Cluster).
 */
final class LeanRegistryLink implements RegistryLink {

    private static final Logger log = LoggerFactory.getLogger(LeanRegistryLink.class);
    private static final long FIRST_BACKOFF_MILLIS = 10;
    /** A quiet subscription is checked with PING this often, so a dead peer is noticed. */
    static final int SUBSCRIPTION_CHECK_MILLIS = 30_000;

    private final RegistryConfig config;
    private final FarmKeys keys;
    private final RedisEndpoint endpoint;
    private final String ttlMillis;
    private final String eventsMaxLength;
    private final long backoffCapMillis;
    private final Object lock = new Object();
    // Guarded by lock.
    private RespConnection connection;
    private long failures;
    private long nextAttemptNanos;
    private boolean closed;
    private volatile NudgeLoop nudges;

    private LeanRegistryLink(RegistryConfig config, RedisEndpoint endpoint) {
        this.config = config;
        this.keys = config.keys();
        this.endpoint = endpoint;
        this.ttlMillis = Long.toString(config.heartbeatTtlMillis());
        this.eventsMaxLength = Integer.toString(config.eventStreamMaxLength());
        this.backoffCapMillis = Math.max(20, Math.min(1_000, config.heartbeatIntervalMillis()));
    }

    /** The lean link for {@code config}, or null when its URI needs Lettuce (Cluster, unknown URI options). */
    static LeanRegistryLink of(RegistryConfig config) {
        RedisEndpoint endpoint = RedisEndpoint.of(config);
        return endpoint == null ? null : new LeanRegistryLink(config, endpoint);
    }

    @Override
    public Published publish(HostReport report) {
        String json = HeartbeatCodec.encode(report);
        String hostId = report.hostId();
        Object reply = call("publishing the heartbeat of " + hostId, c -> eval(c, HeartbeatPublisher.PUBLISH_AND_READ,
                List.of(keys.host(hostId), keys.hosts(), keys.schema(), keys.operators()),
                json, ttlMillis, Long.toString(report.reportedAtMillis()), hostId, FarmKeys.SCHEMA_VERSION));
        return Published.of(reply instanceof List<?> list ? list : null);
    }

    @Override
    public OperatorState operatorState(String hostId) {
        Object raw = call("reading the operator state of " + hostId, c -> c.call("HGET", keys.operators(), hostId));
        return OperatorStateCodec.decodeOrDefault(raw instanceof String s ? s : null);
    }

    @Override
    public void remove(String hostId) {
        call("removing host " + hostId, c -> eval(c, HeartbeatPublisher.REMOVE, List.of(keys.host(hostId), keys.hosts()),
                hostId));
    }

    @Override
    public void event(FarmEvent event) {
        List<String> args = new ArrayList<>(List.of("XADD", keys.events(), "MAXLEN", "~", eventsMaxLength, "*"));
        event.streamFields().forEach((k, v) -> {
            args.add(k);
            args.add(v);
        });
        try {
            call("appending a " + event.type() + " event", c -> c.call(args.toArray(String[]::new)));
        } catch (RuntimeException e) {
            log.debug("cannot record {} event: {}", event.type(), e.toString());
        }
    }

    @Override
    public void onNudge(String hostId, Runnable nudge) {
        NudgeLoop loop = new NudgeLoop(hostId, nudge);
        nudges = loop;
        loop.start();
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            if (connection != null) {
                connection.close();
                connection = null;
            }
        }
        NudgeLoop loop = nudges;
        if (loop != null) {
            loop.close();
        }
    }

    /** Whether the nudge subscription is in place right now (for tests). */
    boolean subscribed() {
        NudgeLoop loop = nudges;
        return loop != null && loop.subscribed;
    }

    /** One command exchange on the shared connection. */
    private interface Exchange {
        Object on(RespConnection c) throws IOException;
    }

    /**
     * Runs {@code exchange} on the command connection, connecting first when there is none and the
     * backoff allows. Any failure but an error reply drops the connection; so does READONLY (the
     * server became a replica: behind Sentinels the next connect finds the new master).
     *
     * @throws RegistryException when Redis cannot be reached or refuses the command
     */
    private Object call(String what, Exchange exchange) {
        synchronized (lock) {
            if (closed) {
                throw new RegistryException("registry link to " + config.maskedRedisUri() + " is closed");
            }
            try {
                if (connection == null) {
                    long wait = nextAttemptNanos - System.nanoTime();
                    if (failures > 0 && wait > 0) {
                        throw new RegistryException(what + " failed on " + config.maskedRedisUri()
                                + ": not connected, next attempt in " + Math.max(1, wait / 1_000_000) + " ms");
                    }
                    connection = endpoint.connect();
                    if (failures > 0) {
                        log.debug("reconnected to the registry at {}", config.maskedRedisUri());
                    }
                    failures = 0;
                }
                return exchange.on(connection);
            } catch (RespConnection.ErrorReply e) {
                if (e.is("READONLY") || e.is("NOAUTH") || e.is("LOADING") || e.is("MASTERDOWN")) {
                    dropConnection();
                }
                throw new RegistryException(what + " failed on " + config.maskedRedisUri() + ": " + e.getMessage(), e);
            } catch (IOException e) {
                dropConnection();
                throw new RegistryException(what + " failed on " + config.maskedRedisUri() + ": " + e, e);
            }
        }
    }

    // Guarded by lock.
    private void dropConnection() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
        failures++;
        nextAttemptNanos = System.nanoTime() + backoffMillis(failures) * 1_000_000;
    }

    /** Equal jitter: half of min(cap, 10 ms x 2^(n-1)) plus a random part of the other half. */
    long backoffMillis(long failures) {
        long exp = FIRST_BACKOFF_MILLIS << Math.min(20, failures - 1);
        long ceiling = Math.min(backoffCapMillis, exp);
        long half = ceiling / 2;
        return half + ThreadLocalRandom.current().nextLong(ceiling - half + 1);
    }

    /** EVALSHA, and EVAL with the text when the server does not know the script yet (e.g. after a restart). */
    private static Object eval(RespConnection c, LuaScript script, List<String> scriptKeys, String... args)
            throws IOException {
        String[] command = new String[3 + scriptKeys.size() + args.length];
        command[0] = "EVALSHA";
        command[1] = script.sha1();
        command[2] = Integer.toString(scriptKeys.size());
        for (int i = 0; i < scriptKeys.size(); i++) {
            command[3 + i] = scriptKeys.get(i);
        }
        System.arraycopy(args, 0, command, 3 + scriptKeys.size(), args.length);
        try {
            return c.call(command);
        } catch (RespConnection.ErrorReply e) {
            if (!e.is("NOSCRIPT")) {
                throw e;
            }
            command[0] = "EVAL";
            command[1] = script.source();
            return c.call(command);
        }
    }

    /**
     * Subscribes to the farm's nudge channel on a connection of its own and calls the nudge for
     * this host's messages; reconnects and subscribes again after any failure, with the same backoff.
     */
    private final class NudgeLoop implements Runnable {

        private final String hostId;
        private final Runnable nudge;
        private final String channel = keys.nudgeChannel();
        private final Thread thread;
        private volatile RespConnection current;
        private volatile boolean stopped;
        private volatile boolean subscribed;
        // Read and written by the loop's thread only.
        private long failed;

        NudgeLoop(String hostId, Runnable nudge) {
            this.hostId = hostId;
            this.nudge = nudge;
            this.thread = new Thread(this, "farmgate-nudge-" + keys.farm());
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        @Override
        public void run() {
            boolean warned = false;
            while (!stopped) {
                try {
                    listen();
                } catch (IOException | RuntimeException e) {
                    subscribed = false;
                    if (stopped) {
                        return;
                    }
                    failed++;
                    if (!warned) {
                        warned = true;
                        log.warn("cannot subscribe to {} yet, retrying: {}", channel, e.toString());
                    } else {
                        log.debug("nudge subscription to {} lost, retrying: {}", channel, e.toString());
                    }
                    pause(backoffMillis(failed));
                }
            }
        }

        /** One subscription, until its connection fails (throws) or the loop is stopped (returns). */
        private void listen() throws IOException {
            RespConnection c = endpoint.connect();
            current = c;
            try {
                if (stopped) {
                    return;
                }
                c.send("SUBSCRIBE", channel);
                c.read(); // ["subscribe", channel, 1]
                subscribed = true;
                failed = 0; // a later loss starts the backoff afresh
                log.debug("subscribed to {}", channel);
                c.readTimeout(SUBSCRIPTION_CHECK_MILLIS);
                boolean pinged = false;
                while (!stopped) {
                    Object reply;
                    try {
                        reply = c.read();
                    } catch (SocketTimeoutException quiet) {
                        if (pinged) {
                            throw new IOException("no answer to PING within " + SUBSCRIPTION_CHECK_MILLIS + " ms");
                        }
                        c.send("PING");
                        pinged = true;
                        continue;
                    }
                    pinged = false;
                    if (reply instanceof List<?> m && m.size() == 3 && "message".equals(m.get(0))
                            && channel.equals(m.get(1)) && hostId.equals(m.get(2))) {
                        try {
                            nudge.run();
                        } catch (Throwable t) {
                            log.warn("nudge callback failed for {}", hostId, t);
                        }
                    }
                }
            } finally {
                subscribed = false;
                current = null;
                c.close();
            }
        }

        private synchronized void pause(long millis) {
            long until = System.nanoTime() + millis * 1_000_000;
            long left = millis;
            while (!stopped && left > 0) {
                try {
                    wait(left);
                } catch (InterruptedException e) {
                    return;
                }
                left = (until - System.nanoTime()) / 1_000_000;
            }
        }

        void close() {
            stopped = true;
            synchronized (this) {
                notifyAll();
            }
            RespConnection c = current;
            if (c != null) {
                c.close();
            }
        }
    }
}
