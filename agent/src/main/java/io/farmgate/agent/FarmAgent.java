package io.farmgate.agent;

import io.farmgate.registry.FarmEvent;
import io.farmgate.registry.HeartbeatPublisher.Published;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.scoring.OperatorState;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent a backend embeds to be part of a farm: it measures CPU, publishes a heartbeat with
 * the host's connection count every interval, obeys the stored operator state (target
 * connection count, draining) by asking the application to shed connections gently, and on
 * {@link #close()} drains and leaves the farm. Redis outages are survived: measuring goes on
 * and heartbeats resume when Redis is back. Nothing it does throws into the host application.
 *
 * <pre>{@code
 * FarmAgent agent = FarmAgent.builder()
 *         .redis("redis://10.0.0.2:6379").farm("chat")
 *         .hostId("chat-1").url("ws://10.0.0.5:9001").address("10.0.0.5").capacity(10_000)
 *         .connections(sessions::size)
 *         .shedHandler((count, closeCode) -> closeSomeSessions(count, closeCode))
 *         .start();
 * }</pre>
 */
public final class FarmAgent implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FarmAgent.class);

    private final AgentConfig config;
    private final IntSupplier connections;
    private final ShedHandler shedHandler;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final RandomGenerator random;
    private final CpuMeter cpu;
    private final RegistryLink registry;
    private final ShedPacer pacer;

    private volatile OperatorState operatorState = OperatorState.DEFAULT;
    private volatile boolean shuttingDown;
    private volatile HostReport lastPublished;
    private volatile double cpuAverage;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong shedTotal = new AtomicLong();
    private final AtomicLong failedHeartbeats = new AtomicLong();
    private final AtomicInteger lastConnections = new AtomicInteger();
    private final AtomicLong countFailures = new AtomicLong();
    private final AtomicLong shedFailures = new AtomicLong();
    private final CountDownLatch drained = new CountDownLatch(1);
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object publishLock = new Object();
    private final Object heartbeatLock = new Object();
    private boolean removed;
    private volatile boolean registryDown;

    // Guarded by heartbeatLock.
    private long shedReported;

    // Guarded by shedLock: a cancelled loop's last tick may still run beside its successor's first.
    private final Object shedLock = new Object();
    private DrainSchedule drain;
    private boolean drainIsShutdown;
    private long shedLoopRan;

    private ScheduledFuture<?> heartbeatTask;
    // Guarded by shedLoopLock. The shed loop runs only while there is something to shed toward
    // (a target, a drain, a shutdown): an idle agent wakes once per heartbeat and for nothing else.
    private final Object shedLoopLock = new Object();
    private ScheduledFuture<?> shedTask;
    private long shedLoop;
    private boolean shedLoopStopped;

    FarmAgent(AgentConfig config, IntSupplier connections, ShedHandler shedHandler, Clock clock,
            ScheduledExecutorService scheduler, RandomGenerator random, CpuSource cpuSource, RegistryLink registry) {
        this.config = Objects.requireNonNull(config, "config");
        this.connections = Objects.requireNonNull(connections, "connections");
        this.shedHandler = Objects.requireNonNull(shedHandler, "shedHandler");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.cpu = new CpuMeter(Objects.requireNonNull(cpuSource, "cpuSource"), config.cpuHalfLifeMillis());
        this.pacer = new ShedPacer(config.shedFractionPerSecond(), config.minShedPerSecond(), random);
        if (scheduler == null) {
            this.scheduler = Executors.newScheduledThreadPool(2, r -> {
                Thread t = new Thread(r, "farmgate-agent-" + config.hostId());
                t.setDaemon(true);
                return t;
            });
            this.ownsScheduler = true;
        } else {
            this.scheduler = scheduler;
            this.ownsScheduler = false;
        }
    }

    /** A builder; see the class comment for an example. */
    public static FarmAgentBuilder builder() {
        return new FarmAgentBuilder();
    }

    /** Begins heartbeats and obeying orders. Returns at once; a down Redis is retried in the background. */
    public FarmAgent start() {
        if (!started.compareAndSet(false, true)) {
            return this;
        }
        try {
            registry.onNudge(config.hostId(), () -> scheduler.execute(this::refreshOperatorStateSafely));
        } catch (Throwable t) {
            // Without nudges the agent still reads the stored state every interval.
            log.warn("cannot subscribe to operator nudges for {}: {}", config.hostId(), t.toString());
        }
        heartbeatTask = scheduler.scheduleAtFixedRate(this::heartbeatSafely, 0,
                config.heartbeatIntervalMillis(), TimeUnit.MILLISECONDS);
        log.info("agent for {} in farm {} started: heartbeat every {} ms, expiry {} ms",
                config.hostId(), config.farm(), config.heartbeatIntervalMillis(), config.heartbeatTtlMillis());
        return this;
    }

    /**
     * Graceful shutdown: announces draining, sheds every connection with 1012 spread over the
     * drain period, waits until none is left or the period has passed, then removes the
     * heartbeat. Blocks for at most about the drain period; never throws.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (started.get()) {
                shuttingDown = true;
                updateShedLoop();
                log.info("{} shutting down: draining {} connections over {} ms", config.hostId(),
                        lastConnections.get(), config.drainPeriodMillis());
                scheduler.execute(this::heartbeatSafely);
                boolean empty = drained.await(config.drainPeriodMillis() + 2 * config.shedTickMillis(),
                        TimeUnit.MILLISECONDS);
                if (!empty) {
                    log.warn("{}: drain period over with connections still open", config.hostId());
                }
                heartbeatTask.cancel(false);
                stopShedLoop();
                synchronized (publishLock) {
                    removed = true;
                    registry.remove(config.hostId());
                }
                registry.event(new FarmEvent(FarmEvent.Type.LEAVE, config.hostId(), actor(),
                        empty ? "drained" : "drain period over with connections open", clock.millis(),
                        Map.of("shed", Long.toString(shedTotal.get()))));
                log.info("{} left farm {}", config.hostId(), config.farm());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("{}: shutdown interrupted; the heartbeat expires by itself", config.hostId());
        } catch (Throwable t) {
            log.warn("{}: could not remove the heartbeat ({}); it expires within {} ms", config.hostId(),
                    t.toString(), config.heartbeatTtlMillis());
        } finally {
            closeQuietly();
        }
    }

    private void closeQuietly() {
        try {
            registry.close();
        } catch (Throwable t) {
            log.debug("closing the registry link failed", t);
        }
        if (ownsScheduler) {
            scheduler.shutdownNow();
        }
    }

    /** The validated configuration. */
    public AgentConfig config() {
        return config;
    }

    /** The operator state last read from the registry (the default until one was read). */
    public OperatorState operatorState() {
        return operatorState;
    }

    /** Whether the host is draining, by operator order or because it is shutting down. */
    public boolean draining() {
        return shuttingDown || operatorState.draining();
    }

    /** The last heartbeat Redis accepted, or null before the first. */
    public HostReport lastPublished() {
        return lastPublished;
    }

    /** The CPU moving average as last sampled, in [0, 1]. */
    public double cpu() {
        return cpuAverage;
    }

    /** Connections the agent has asked the application to shed since it started. */
    public long shedTotal() {
        return shedTotal.get();
    }

    /** Heartbeats that could not be published (Redis away). */
    public long failedHeartbeats() {
        return failedHeartbeats.get();
    }

    private int connectionsNow() {
        try {
            int n = connections.getAsInt();
            if (n >= 0) {
                lastConnections.set(n);
                return n;
            }
            if (oftenEnough(countFailures.incrementAndGet())) {
                log.warn("connection count {} is negative; keeping {} ({} bad counts so far)", n,
                        lastConnections.get(), countFailures.get());
            }
        } catch (Throwable t) {
            if (oftenEnough(countFailures.incrementAndGet())) {
                log.warn("connection count failed ({}); keeping {} ({} failures so far)", t.toString(),
                        lastConnections.get(), countFailures.get());
            }
        }
        return lastConnections.get();
    }

    private void heartbeatSafely() {
        try {
            // The extra beat close() sends may meet a scheduled one; beats never overlap.
            synchronized (heartbeatLock) {
                heartbeat();
            }
        } catch (Throwable t) {
            log.error("heartbeat of {} failed unexpectedly", config.hostId(), t);
        }
    }

    private void heartbeat() {
        long now = clock.millis();
        cpuAverage = cpu.sample(now);
        if (lastPublished == null) {
            // Until a heartbeat is in, read the stored state first: a host started while drained says so at once.
            refreshOperatorState();
        }
        HostReport report = report(now);
        Published published = publish(report);
        if (published == null) {
            return;
        }
        // The stored state comes back with the heartbeat: one round trip a beat.
        applyOperatorState(published.operatorState());
        boolean joined = published.joined();
        if (draining() != (report.state() == HostState.DRAINING)) {
            // A drain stored (or lifted) since the last beat: say so now rather than a beat later.
            report = report(now);
            if (publish(report) == null) {
                return;
            }
        }
        if (joined) {
            registry.event(FarmEvent.of(FarmEvent.Type.JOIN, config.hostId(), actor(), config.url(), now));
        }
        long shed = shedTotal.get();
        if (shed > shedReported) {
            registry.event(new FarmEvent(FarmEvent.Type.SHED, config.hostId(), actor(),
                    draining() ? "draining" : "target " + operatorState.targetConnections(), now,
                    Map.of("count", Long.toString(shed - shedReported))));
            shedReported = shed;
        }
    }

    private HostReport report(long now) {
        HostState state = draining() ? HostState.DRAINING : HostState.ACTIVE;
        return new HostReport(config.hostId(), config.url(), config.address(), config.zone(),
                connectionsNow(), config.capacity(), cpuAverage, state, config.weight(), now,
                sequence.incrementAndGet());
    }

    /** Publishes one report; null when Redis did not take it (counted and logged) or the host has left. */
    private Published publish(HostReport report) {
        Published published;
        synchronized (publishLock) {
            if (removed) {
                return null;
            }
            try {
                published = registry.publish(report);
            } catch (Exception e) {
                long n = failedHeartbeats.incrementAndGet();
                if (!registryDown) {
                    registryDown = true;
                    log.warn("{}: heartbeat failed, Redis unreachable? Retrying every {} ms: {}", config.hostId(),
                            config.heartbeatIntervalMillis(), e.toString());
                } else if (n % 60 == 0) {
                    log.warn("{}: still cannot publish heartbeats ({} failed): {}", config.hostId(), n, e.toString());
                }
                return null;
            }
        }
        lastPublished = report;
        if (registryDown) {
            registryDown = false;
            log.info("{}: heartbeats resumed", config.hostId());
        }
        return published;
    }

    /** A failure repeating every tick is logged the first time and then every hundredth. */
    private static boolean oftenEnough(long failures) {
        return failures == 1 || failures % 100 == 0;
    }

    private String actor() {
        return "agent:" + config.hostId();
    }

    private void refreshOperatorStateSafely() {
        try {
            refreshOperatorState();
        } catch (Throwable t) {
            log.error("reading operator state of {} failed unexpectedly", config.hostId(), t);
        }
    }

    /** Level-triggered: the stored state is the truth; a failed read keeps the last one (fail static). */
    private void refreshOperatorState() {
        OperatorState stored;
        try {
            stored = registry.operatorState(config.hostId());
        } catch (Exception e) {
            log.debug("cannot read operator state of {}: {}", config.hostId(), e.toString());
            return;
        }
        applyOperatorState(stored);
    }

    /** Reconciles toward {@code stored}, the state just read from the registry. */
    private void applyOperatorState(OperatorState stored) {
        OperatorState previous = operatorState;
        if (!stored.equals(previous)) {
            operatorState = stored;
            updateShedLoop();
            if (stored.draining() != previous.draining() || stored.targetConnections() != previous.targetConnections()) {
                log.info("{}: operator state now draining={} target={} weight={}", config.hostId(),
                        stored.draining(), stored.hasTarget() ? stored.targetConnections() : "none", stored.weight());
            }
        }
    }

    /** Starts the shed loop when there is a target, a drain or a shutdown, and stops it when there is none. */
    private void updateShedLoop() {
        OperatorState orders = operatorState;
        boolean needed = shuttingDown || orders.draining() || orders.hasTarget();
        synchronized (shedLoopLock) {
            if (needed && shedTask == null && !shedLoopStopped) {
                long loop = ++shedLoop;
                shedTask = scheduler.scheduleWithFixedDelay(() -> shedTickSafely(loop), 0,
                        config.shedTickMillis(), TimeUnit.MILLISECONDS);
            } else if (!needed && shedTask != null) {
                shedTask.cancel(false);
                shedTask = null;
            }
        }
    }

    private void stopShedLoop() {
        synchronized (shedLoopLock) {
            shedLoopStopped = true;
            if (shedTask != null) {
                shedTask.cancel(false);
                shedTask = null;
            }
        }
    }

    private void shedTickSafely(long loop) {
        try {
            synchronized (shedLock) {
                if (loop != shedLoopRan) {
                    // A new loop starts from nothing: a drain or window of an earlier one is over.
                    shedLoopRan = loop;
                    drain = null;
                    pacer.reset();
                }
                shedTick();
            }
        } catch (Throwable t) {
            log.error("shed tick of {} failed unexpectedly", config.hostId(), t);
        }
    }

    private void shedTick() {
        long now = clock.millis();
        int open = connectionsNow();
        OperatorState orders = operatorState;
        int shed;
        if (shuttingDown || orders.draining()) {
            if (drain == null || (shuttingDown && !drainIsShutdown)) {
                drain = DrainSchedule.start(now, open, config.drainPeriodMillis(), random);
                drainIsShutdown = shuttingDown;
                pacer.reset();
            }
            shed = drain.shedNow(now, open);
            if (shuttingDown && (open == 0 || drain.over(now))) {
                drained.countDown();
            }
        } else {
            drain = null;
            shed = orders.hasTarget() ? pacer.shedNow(now, open, orders.targetConnections()) : 0;
            if (!orders.hasTarget()) {
                pacer.reset();
            }
        }
        if (shed > 0) {
            shedTotal.addAndGet(shed);
            try {
                shedHandler.shed(shed, ShedHandler.SERVICE_RESTART);
            } catch (Throwable t) {
                if (oftenEnough(shedFailures.incrementAndGet())) {
                    log.warn("{}: shed handler failed for {} connections ({} failures so far): {}", config.hostId(),
                            shed, shedFailures.get(), t.toString());
                }
            }
        }
    }
}
