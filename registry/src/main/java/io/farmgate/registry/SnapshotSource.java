package io.farmgate.registry;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostView;
import io.farmgate.scoring.OperatorState;
import io.farmgate.scoring.SnapshotPolicy;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an up-to-date {@link FarmSnapshot} of the farm for edges (gateway, DNS) that must never
 * wait for Redis. A background task re-reads the registry every
 * {@link RegistryConfig#refreshIntervalMillis()} and swaps the new snapshot in through one
 * volatile reference; {@link #current()} just reads it.
 *
 * <p><b>Fail static.</b> When a refresh fails, the last snapshot stays in use, marked stale, and
 * the outage is logged once. Hosts leave only when their own heartbeat expires, never because
 * Redis was away: after an outage, or when Redis comes back empty (restarted without
 * persistence), hosts of the last snapshot that are missing get one heartbeat TTL to publish
 * again before they are dropped, and the stale snapshot is kept meanwhile.
 *
 * <p><b>Idle.</b> Started with an idle refresh period, a source that nobody has read since its last
 * refresh (no {@link #current()} call: an edge with no clients; {@link #peek()}, the edge's own
 * watchers, does not count) refreshes only once per that period instead of every refresh interval,
 * and its thread sleeps in between. The first read after a refresh asks for the next one a refresh
 * interval after it (at once when that time has passed; on the refresh thread: the reader never
 * waits for Redis), and the full rate is back. An idle gateway then costs a fraction of the CPU
 * and wakes once per idle period; its first client after a quiet spell is answered from a snapshot
 * at most one idle period old, the clients after it from a fresh one. The idle rule reads the
 * injected {@link Clock}.
 *
 * <p>The reader also tidies up: a member whose heartbeat key has expired is removed from the
 * member set (only if the key is still absent, so a host that just came back is never removed)
 * and an EXPIRE event is appended by whichever reader removed it.
 */
public final class SnapshotSource implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotSource.class);

    /** Most hosts read from one farm; more are ignored (and logged). */
    public static final int MAX_HOSTS = 10_000;

    // KEYS: host key, member set. ARGV: host id.
    private static final LuaScript REMOVE_IF_EXPIRED = new LuaScript(
            "if redis.call('EXISTS', KEYS[1]) == 0 then\n"
            + "  return redis.call('ZREM', KEYS[2], ARGV[1])\n"
            + "end\n"
            + "return 0\n");

    // KEYS: schema key, member set, operators hash. ARGV: last member index, host key prefix.
    // The whole read in one round trip, and atomic: no wipe can fall between its parts. Host keys
    // are built here; they share the farm's hash tag, so in a cluster they are in the same slot.
    private static final LuaScript READ_FARM = new LuaScript(
            "local schema = redis.call('GET', KEYS[1])\n"
            + "local ids = redis.call('ZRANGE', KEYS[2], 0, tonumber(ARGV[1]))\n"
            + "local beats = {}\n"
            + "for first = 1, #ids, 500 do\n"
            + "  local keys = {}\n"
            + "  for i = first, math.min(first + 499, #ids) do keys[#keys + 1] = ARGV[2] .. ids[i] end\n"
            + "  local part = redis.call('MGET', unpack(keys))\n"
            + "  for i = 1, #keys do beats[first + i - 1] = part[i] end\n"
            + "end\n"
            + "return {schema, ids, beats, redis.call('HGETALL', KEYS[3])}\n");

    private final RegistryConnection connection;
    private final boolean ownsConnection;
    private final FarmKeys keys;
    private final Clock clock;
    private final long graceMillis;
    private final EventLog events;
    private final ScheduledExecutorService executor;
    private final boolean ownsExecutor;
    /** 0: always refresh at the full rate. */
    private final long idleRefreshMillis;
    private final long refreshIntervalMillis;
    /** Set by {@link #current()}, cleared by each refresh: whether anyone looked since. */
    private volatile boolean read;
    /** Clock time the last refresh (attempt) started. */
    private volatile long lastRefreshStartMillis;

    // The one pending tick: each tick schedules the next, and a read may move it earlier. Guarded by scheduleLock.
    private final Object scheduleLock = new Object();
    private ScheduledFuture<?> nextTick;
    /** Clock time {@link #nextTick} is due; Long.MAX_VALUE while none is pending (a tick is running). */
    private long nextTickAtMillis = Long.MAX_VALUE;
    /** Which scheduled tick is the live one: a tick superseded while it was starting does nothing. */
    private long tickGeneration;

    private volatile FarmSnapshot current;
    private volatile boolean ready;
    private volatile long lastSuccessMillis = Long.MIN_VALUE;
    private volatile boolean closed;

    private final AtomicLong ticks = new AtomicLong();
    private final AtomicLong refreshes = new AtomicLong();
    private final AtomicLong refreshFailures = new AtomicLong();
    private final AtomicLong expiredHosts = new AtomicLong();
    private final RecordProblems problems = new RecordProblems(LOG);

    // Written by the refreshing thread only, under refreshLock.
    private final Object refreshLock = new Object();
    private long failureStreak;
    private long outageStartedMillis;
    private long graceUntilMillis;
    private boolean truncationLogged;
    /** Last refresh's heartbeats by host id, raw and decoded: an unchanged record is not decoded again. */
    private Map<String, Cached<HostReport>> lastHeartbeats = Map.of();
    private Map<String, Cached<OperatorState>> lastOperators = Map.of();

    /** A record as read and what decoding it gave. */
    private record Cached<T>(String raw, Decoded<T> decoded) {
    }

    private SnapshotSource(RegistryConnection connection, boolean ownsConnection, SnapshotPolicy policy, Clock clock,
                           ScheduledExecutorService injected, long idleRefreshMillis) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.ownsConnection = ownsConnection;
        this.keys = connection.keys();
        this.clock = Objects.requireNonNull(clock, "clock");
        this.graceMillis = connection.config().heartbeatTtlMillis();
        this.events = new EventLog(connection);
        this.current = FarmSnapshot.initial(Objects.requireNonNull(policy, "policy"));
        this.ownsExecutor = injected == null;
        if (injected != null) {
            this.executor = injected;
        } else {
            ScheduledThreadPoolExecutor own = new ScheduledThreadPoolExecutor(1,
                    connection.config().threads("farmgate-snapshot-" + keys.farm()));
            // A tick a read moved earlier leaves the queue at once instead of waking the thread at its old time.
            own.setRemoveOnCancelPolicy(true);
            this.executor = own;
        }
        long period = connection.config().refreshIntervalMillis();
        if (idleRefreshMillis != 0 && idleRefreshMillis < period) {
            throw new IllegalArgumentException("idleRefreshMillis: " + idleRefreshMillis
                    + " (expected: 0 for off, or at least the refresh interval, " + period + ")");
        }
        this.idleRefreshMillis = idleRefreshMillis;
        this.refreshIntervalMillis = period;
        scheduleTick(0, 0);
    }

    /**
     * Starts refreshing on its own daemon thread over a shared connection, which it leaves open on close.
     */
    public static SnapshotSource start(RegistryConnection connection, SnapshotPolicy policy, Clock clock) {
        return new SnapshotSource(connection, false, policy, clock, null, 0);
    }

    /**
     * Like {@link #start(RegistryConnection, SnapshotPolicy, Clock)}, but while nobody reads the
     * snapshot it is refreshed only every {@code idleRefreshMillis} (0: always at the full rate).
     *
     * @throws IllegalArgumentException when the idle period is shorter than the refresh interval
     */
    public static SnapshotSource start(RegistryConnection connection, SnapshotPolicy policy, Clock clock,
                                       long idleRefreshMillis) {
        return new SnapshotSource(connection, false, policy, clock, null, idleRefreshMillis);
    }

    /**
     * Starts refreshing on {@code executor}, which stays the caller's: close() cancels the task but
     * does not shut the executor down.
     */
    public static SnapshotSource start(RegistryConnection connection, SnapshotPolicy policy, Clock clock,
                                       ScheduledExecutorService executor) {
        return new SnapshotSource(connection, false, policy, clock, Objects.requireNonNull(executor, "executor"), 0);
    }

    /** Opens its own connection for {@code config} and starts refreshing; close() closes both. */
    public static SnapshotSource open(RegistryConfig config, SnapshotPolicy policy, Clock clock) {
        RegistryConnection connection = RegistryConnection.open(config);
        try {
            return new SnapshotSource(connection, true, policy, clock, null, 0);
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /**
     * The latest snapshot, for answering clients. Never blocks and never touches Redis. On an idle
     * source (see the class comment) the first read after a quiet spell asks for a refresh at once.
     */
    public FarmSnapshot current() {
        if (!read) {
            // Written once per refresh at most, so readers on many threads do not fight over it.
            read = true;
            if (idleRefreshMillis > 0) {
                wakeIfBehind();
            }
        }
        return current;
    }

    /**
     * The latest snapshot without counting as a read: for an edge's own watchers (metrics, history,
     * the rebalancer), which must not keep an idle source at the full rate. Never blocks.
     */
    public FarmSnapshot peek() {
        return current;
    }

    /**
     * Brings the next tick forward to one refresh interval after the last refresh started (now, when
     * that has passed): an idle source may be asleep until its idle period ends. A tick already due
     * within half an interval of that time is left as it is, so under load reads do not reschedule.
     */
    private void wakeIfBehind() {
        long sinceLast = clock.millis() - lastRefreshStartMillis;
        // A clock that stepped back (sinceLast < 0): refresh now.
        long delay = sinceLast < 0 ? 0 : Math.max(0, refreshIntervalMillis - sinceLast);
        scheduleTick(delay, refreshIntervalMillis / 2);
    }

    /**
     * Makes the pending tick due in {@code delayMillis}, unless one is already due no more than
     * {@code slackMillis} after that.
     */
    private void scheduleTick(long delayMillis, long slackMillis) {
        synchronized (scheduleLock) {
            if (closed) {
                return;
            }
            long at = clock.millis() + delayMillis;
            if (nextTick != null && nextTickAtMillis - slackMillis <= at) {
                return;
            }
            if (nextTick != null) {
                nextTick.cancel(false);
            }
            long generation = ++tickGeneration;
            try {
                nextTick = executor.schedule(() -> tick(generation), delayMillis, TimeUnit.MILLISECONDS);
                nextTickAtMillis = at;
            } catch (RejectedExecutionException e) {
                // The executor (an injected one) is shutting down: nothing to refresh for.
                nextTick = null;
                nextTickAtMillis = Long.MAX_VALUE;
            }
        }
    }

    /** One tick: refresh (or skip, when idle) and schedule the next. */
    private void tick(long generation) {
        synchronized (scheduleLock) {
            if (generation != tickGeneration || closed) {
                return;
            }
            nextTick = null;
            nextTickAtMillis = Long.MAX_VALUE;
        }
        ticks.incrementAndGet();
        long next = refreshIntervalMillis;
        try {
            next = refreshInBackground();
        } finally {
            scheduleTick(next, 0);
        }
    }

    /** Whether at least one refresh has read the registry since start. */
    public boolean ready() {
        return ready;
    }

    /** Receiver time of the last refresh that read the registry; {@code Long.MIN_VALUE} before the first. */
    public long lastSuccessMillis() {
        return lastSuccessMillis;
    }

    /** Times the refresh thread woke to refresh or to decide not to; for tests. */
    long ticks() {
        return ticks.get();
    }

    /** Refreshes that read the registry. */
    public long refreshes() {
        return refreshes.get();
    }

    /** Refreshes that failed (Redis unreachable, too slow, unknown schema) and kept the last snapshot. */
    public long refreshFailures() {
        return refreshFailures.get();
    }

    /** Heartbeat and operator records skipped as unreadable, counted once per refresh that met them. */
    public long corruptRecords() {
        return problems.count();
    }

    /** Expired hosts this source removed from the member set. */
    public long expiredHosts() {
        return expiredHosts.get();
    }

    /** Refreshes unless idle rules say not yet; returns the delay until the next tick. */
    private long refreshInBackground() {
        try {
            long now = clock.millis();
            long sinceLast = now - lastRefreshStartMillis;
            // A clock that stepped back (sinceLast < 0) must not stop refreshes: refresh then.
            if (idleRefreshMillis > 0 && !read && ready && sinceLast >= 0 && sinceLast < idleRefreshMillis) {
                // Nobody looked since the last refresh, which is recent enough: sleep until the idle one.
                return idleRefreshMillis - sinceLast;
            }
            boolean demanded = read;
            read = false;
            lastRefreshStartMillis = now;
            refreshNow();
            // Unread and readable: nothing asks for the full rate until a read brings the tick forward.
            return idleRefreshMillis > 0 && !demanded && ready ? idleRefreshMillis : refreshIntervalMillis;
        } catch (Throwable t) {
            LOG.error("snapshot refresh of farm {} crashed; will retry", keys.farm(), t);
            return refreshIntervalMillis;
        }
    }

    /**
     * Reads the registry now, on the calling thread, and swaps in the new snapshot. The background
     * task calls this; edges may too, e.g. once before they start serving.
     *
     * @return whether the registry was read; on false the last snapshot stays, marked stale
     */
    public boolean refreshNow() {
        synchronized (refreshLock) {
            if (closed) {
                return false;
            }
            long now = clock.millis();
            try {
                RawFarm raw = connection.call("reading farm " + keys.farm(), this::read);
                apply(raw, now);
                return true;
            } catch (RuntimeException e) {
                failed(e, now);
                return false;
            }
        }
    }

    /** Everything one refresh needs, read in one script. */
    private record RawFarm(boolean schemaPresent, List<String> ids, List<String> heartbeats,
                           Map<String, String> operators) {
    }

    @SuppressWarnings("unchecked")
    private RawFarm read(RedisClusterCommands<String, String> redis) {
        List<Object> reply = RegistryConnection.eval(redis, READ_FARM, ScriptOutputType.MULTI,
                new String[] {keys.schema(), keys.hosts(), keys.operators()},
                Integer.toString(MAX_HOSTS), keys.host(""));
        boolean schemaPresent = checkSchema((String) reply.get(0));
        List<String> ids = (List<String>) (List<?>) reply.get(1);
        List<String> heartbeats = (List<String>) (List<?>) reply.get(2);
        List<Object> flat = (List<Object>) reply.get(3);
        Map<String, String> operators = new HashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            operators.put((String) flat.get(i), (String) flat.get(i + 1));
        }
        return new RawFarm(schemaPresent, ids, heartbeats, operators);
    }

    /** Whether the schema key exists; throws for a layout this reader does not know. */
    private boolean checkSchema(String schema) {
        if (schema != null && !FarmKeys.SCHEMA_VERSION.equals(schema)) {
            throw new RegistryException("farm " + keys.farm() + " has key layout version '" + schema
                    + "'; this reader knows " + FarmKeys.SCHEMA_VERSION);
        }
        return schema != null;
    }

    private void apply(RawFarm raw, long now) {
        FarmSnapshot before = current;
        List<String> ids = raw.ids();
        if (ids.size() > MAX_HOSTS) {
            ids = ids.subList(0, MAX_HOSTS);
            if (!truncationLogged) {
                truncationLogged = true;
                LOG.warn("farm {} lists more than {} hosts; reading only the first {}", keys.farm(), MAX_HOSTS, MAX_HOSTS);
            }
        }
        List<HostReport> reports = new ArrayList<>(ids.size());
        List<String> expired = new ArrayList<>();
        Map<String, Cached<HostReport>> heartbeats = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            String json = i < raw.heartbeats().size() ? raw.heartbeats().get(i) : null;
            if (json == null) {
                expired.add(id);
                continue;
            }
            if (!HostReport.isValidHostId(id)) {
                problems.skipped(keys.hosts() + " member '" + abbreviate(id) + "'", "not a host id");
                continue;
            }
            Cached<HostReport> c = lastHeartbeats.get(id);
            if (c == null || !c.raw().equals(json)) {
                c = new Cached<>(json, HeartbeatCodec.decode(id, json));
            }
            heartbeats.put(id, c);
            if (c.decoded().ok()) {
                reports.add(c.decoded().value());
            } else {
                problems.skipped(keys.host(id), c.decoded().problem());
            }
        }
        lastHeartbeats = heartbeats;
        Map<String, OperatorState> operators = new HashMap<>();
        Map<String, Cached<OperatorState>> operatorRecords = new HashMap<>();
        for (Map.Entry<String, String> e : raw.operators().entrySet()) {
            Cached<OperatorState> c = lastOperators.get(e.getKey());
            if (c == null || !c.raw().equals(e.getValue())) {
                c = new Cached<>(e.getValue(), OperatorStateCodec.decode(e.getValue()));
            }
            operatorRecords.put(e.getKey(), c);
            Decoded<OperatorState> d = c.decoded();
            if (d.ok()) {
                operators.put(e.getKey(), d.value());
            } else {
                problems.skipped(keys.operators() + " field " + abbreviate(e.getKey()), d.problem());
                // Keep what we knew: forgetting a drain because its record broke would send clients back.
                HostView known = before.host(e.getKey());
                if (known != null) {
                    operators.put(e.getKey(), known.operator());
                }
            }
        }
        lastOperators = operatorRecords;
        problems.endRound();
        removeExpired(expired, now);

        refreshes.incrementAndGet();
        lastSuccessMillis = now;
        ready = true;
        boolean recovered = failureStreak > 0;
        if (recovered) {
            LOG.info("farm registry {} readable again after {} failed refreshes over {} ms",
                    connection.config().maskedRedisUri(), failureStreak, now - outageStartedMillis);
            failureStreak = 0;
        }
        // A registry without its schema key lost its data (restart without persistence, failover to
        // an empty replica): what is missing from it says nothing about the hosts.
        boolean wiped = !raw.schemaPresent() && !before.hosts().isEmpty();
        boolean graceStarts = (recovered || wiped) && graceUntilMillis == 0;
        if (graceStarts) {
            graceUntilMillis = now + graceMillis;
        }
        if (graceUntilMillis != 0) {
            int missing = missingHosts(before, reports);
            if (missing > 0 && now < graceUntilMillis) {
                if (graceStarts) {
                    LOG.info("farm {}: {} known hosts have not published since the registry came back; "
                            + "keeping the last snapshot for up to {} ms", keys.farm(), missing, graceMillis);
                }
                current = before.markedStale();
                return;
            }
            graceUntilMillis = 0;
        }
        current = before.next(reports, operators, now);
    }

    private static int missingHosts(FarmSnapshot before, List<HostReport> reports) {
        Map<String, Boolean> present = new HashMap<>();
        for (HostReport r : reports) {
            present.put(r.hostId(), Boolean.TRUE);
        }
        int missing = 0;
        for (HostView h : before.hosts()) {
            if (!present.containsKey(h.id())) {
                missing++;
            }
        }
        return missing;
    }

    private void removeExpired(List<String> expired, long now) {
        for (String id : expired) {
            try {
                Long removed = connection.call("removing expired host " + id, redis -> RegistryConnection.eval(redis, REMOVE_IF_EXPIRED,
                        ScriptOutputType.INTEGER, new String[] {keys.host(id), keys.hosts()}, id));
                if (removed != null && removed > 0) {
                    expiredHosts.incrementAndGet();
                    if (HostReport.isValidHostId(id)) {
                        LOG.info("host {} of farm {} expired: no heartbeat for {} ms", id, keys.farm(), graceMillis);
                        events.append(FarmEvent.of(FarmEvent.Type.EXPIRE, id, "registry",
                                "no heartbeat for " + graceMillis + " ms", now));
                    }
                }
            } catch (RegistryException e) {
                // The next refresh tries again; the host is already left out of this snapshot.
                LOG.debug("could not tidy up expired host {}: {}", id, e.getMessage());
            }
        }
    }

    private void failed(RuntimeException e, long now) {
        refreshFailures.incrementAndGet();
        if (failureStreak++ == 0) {
            outageStartedMillis = now;
            LOG.warn("farm registry {} unreadable; serving the last snapshot, marked stale, until it is back: {}",
                    connection.config().maskedRedisUri(), e.getMessage());
        }
        current = current.markedStale();
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }

    /** Stops refreshing; closes the connection and thread if this source opened them. Idempotent. */
    @Override
    public void close() {
        synchronized (scheduleLock) {
            closed = true;
            if (nextTick != null) {
                nextTick.cancel(false);
                nextTick = null;
            }
        }
        synchronized (refreshLock) {
            closed = true;
        }
        if (ownsExecutor) {
            executor.shutdownNow();
            try {
                executor.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (ownsConnection) {
            connection.close();
        }
    }
}
