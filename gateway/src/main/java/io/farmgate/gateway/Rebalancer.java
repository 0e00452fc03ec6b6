package io.farmgate.gateway;

import io.farmgate.registry.EventLog;
import io.farmgate.registry.FarmEvent;
import io.farmgate.registry.LeaderLease;
import io.farmgate.registry.OperatorStore;
import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.rebalance.RebalanceAction;
import io.farmgate.scoring.rebalance.RebalanceController;
import io.farmgate.scoring.rebalance.RebalancePlan;
import io.farmgate.scoring.rebalance.RebalanceStep;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rebalancer loop inside a gateway: the lease, the timer and the writes. Every period it takes
 * or renews the farm's leader lease; only the holder acts: it asks its {@link RebalanceController}
 * (every decision: the plan, waves, settling, which targets to set and lift) what to do with the
 * current snapshot and stores each action in the operator store, logging it as an event.
 */
public final class Rebalancer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Rebalancer.class);

    private final RebalancerConfig config;
    private final LeaderLease lease;
    private final OperatorStore operators;
    private final EventLog events;
    private final Supplier<FarmSnapshot> snapshots;
    private final Clock clock;
    private final RandomGenerator random;
    private final AtomicLong orders = new AtomicLong();
    private final AtomicLong orderedConnections = new AtomicLong();
    private final AtomicLong clearedTargets = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong plans = new AtomicLong();
    private volatile boolean leader;
    /** Touched only by the timer thread. */
    private boolean leaseUnreachable;
    /** The decisions (wave state, own targets); touched only by the timer thread. */
    private final RebalanceController controller;
    private volatile RebalancePlan lastPlan;
    private ScheduledExecutorService timer;

    /**
     * @param lease     the farm's leader lease, owned by {@code config.ownerId()}
     * @param snapshots the gateway's current snapshot, answered from memory
     * @param random    spreads the first run over one period so gateways started together do not
     *                  contend in step
     */
    public Rebalancer(RebalancerConfig config, LeaderLease lease, OperatorStore operators, EventLog events,
                      Supplier<FarmSnapshot> snapshots, Clock clock, RandomGenerator random) {
        this.config = Objects.requireNonNull(config, "config");
        this.lease = Objects.requireNonNull(lease, "lease");
        if (!lease.ownerId().equals(config.ownerId())) {
            throw new IllegalArgumentException("lease owner '" + lease.ownerId() + "' (expected: the rebalancer's ownerId '"
                    + config.ownerId() + "')");
        }
        this.operators = Objects.requireNonNull(operators, "operators");
        this.events = Objects.requireNonNull(events, "events");
        this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
        this.controller = new RebalanceController(config.policy(), config.settleMillis());
    }

    /** A rebalancer over the registry behind {@code connection}: its lease, operator store and event log. */
    public static Rebalancer overRegistry(RebalancerConfig config, io.farmgate.registry.RegistryConnection connection,
                                          Supplier<FarmSnapshot> snapshots, Clock clock, RandomGenerator random) {
        return new Rebalancer(config, new LeaderLease(connection, config.ownerId(), config.leaseMillis(), clock),
                new OperatorStore(connection, clock), new EventLog(connection), snapshots, clock, random);
    }

    /** Starts the periodic task; called by the gateway once its listeners are up. */
    synchronized void start() {
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(BackgroundThreads.named("farmgate-rebalancer"));
        long firstDelay = random.nextLong(config.periodMillis());
        timer.scheduleWithFixedDelay(this::tick, firstDelay, config.periodMillis(), TimeUnit.MILLISECONDS);
    }

    /** One period: lease, then (as leader) plan and apply. Never throws, so the schedule goes on. */
    void tick() {
        try {
            boolean held;
            try {
                held = lease.tryAcquire();
                if (leaseUnreachable) {
                    leaseUnreachable = false;
                    LOG.info("rebalancer {}: leader lease reachable again", config.ownerId());
                }
            } catch (RuntimeException e) {
                // Redis unreachable: count ourselves out until it answers, as others will. Said once per
                // outage (every failure is counted in the errors metric), not once a period.
                held = false;
                errors.incrementAndGet();
                if (!leaseUnreachable) {
                    leaseUnreachable = true;
                    LOG.warn("rebalancer {}: leader lease not reachable, not rebalancing until it is: {}",
                            config.ownerId(), e.getMessage());
                } else {
                    LOG.debug("rebalancer {}: leader lease still not reachable: {}", config.ownerId(), e.getMessage());
                }
            }
            leadership(held, held ? "lease acquired or renewed" : "lease held by another gateway or not reachable");
            if (!held) {
                return;
            }
            long now = clock.millis();
            if (!lease.isHeld(now)) {
                return;
            }
            RebalanceStep step = controller.step(snapshots.get(), now);
            RebalancePlan plan = step.plan();
            RebalancePlan previous = lastPlan;
            lastPlan = plan;
            plans.incrementAndGet();
            if (previous == null || previous.verdict() != plan.verdict()) {
                LOG.info("rebalancer {}: {}", config.ownerId(), plan.summary());
            }
            apply(step);
        } catch (Throwable t) {
            errors.incrementAndGet();
            LOG.warn("rebalancer {}: period failed", config.ownerId(), t);
        }
    }

    /** Writes each action and logs it as an event; a failed write ends the period (the next one re-plans). */
    private void apply(RebalanceStep step) {
        if (step.actions().isEmpty()) {
            // Most periods: no formatting then, which would otherwise keep the JIT compiling in an idle gateway.
            return;
        }
        String summary = step.plan().summary();
        for (RebalanceAction a : step.actions()) {
            Map<String, String> details = new LinkedHashMap<>();
            if (a.kind() == RebalanceAction.Kind.SET_TARGET) {
                operators.setTarget(a.hostId(), a.targetConnections());
                orders.incrementAndGet();
                orderedConnections.addAndGet(a.count());
                details.put("targetConnections", Integer.toString(a.targetConnections()));
                details.put("count", Integer.toString(a.count()));
                details.put("plan", summary);
                note(new FarmEvent(FarmEvent.Type.SHED, a.hostId(), config.ownerId(), a.reason(), clock.millis(),
                        details));
            } else {
                operators.clearTarget(a.hostId());
                clearedTargets.incrementAndGet();
                details.put("cleared", "true");
                details.put("plan", summary);
                note(new FarmEvent(FarmEvent.Type.TARGET, a.hostId(), config.ownerId(), a.reason(), clock.millis(),
                        details));
            }
        }
    }

    private void leadership(boolean held, String why) {
        if (held == leader) {
            return;
        }
        leader = held;
        if (!held) {
            // Another gateway may set targets meanwhile; ours are only ours while we lead.
            controller.leadershipLost();
        }
        LOG.info("rebalancer {} {} the leader: {}", config.ownerId(), held ? "is now" : "is no longer", why);
        note(new FarmEvent(FarmEvent.Type.LEADER, "", config.ownerId(), why, clock.millis(),
                Map.of("leader", Boolean.toString(held))));
    }

    /** The decision is stored already (or is a lease change); a lost log entry must not stop the loop. */
    private void note(FarmEvent event) {
        try {
            events.append(event);
        } catch (RuntimeException e) {
            LOG.warn("rebalancer {}: could not log {} of '{}': {}", config.ownerId(), event.type(), event.hostId(),
                    e.getMessage());
        }
    }

    /** Whether this gateway acted as leader in its last period. */
    public boolean leader() {
        return leader;
    }

    /** The last plan made as leader, or null. */
    public RebalancePlan lastPlan() {
        return lastPlan;
    }

    public RebalancerConfig config() {
        return config;
    }

    long orders() {
        return orders.get();
    }

    long orderedConnections() {
        return orderedConnections.get();
    }

    long clearedTargets() {
        return clearedTargets.get();
    }

    /** Plans made as leader. */
    long plans() {
        return plans.get();
    }

    long errors() {
        return errors.get();
    }

    /** Stops the loop without giving up the lease, as a crash would; for tests of the takeover. */
    synchronized void abandon() {
        if (timer != null) {
            timer.shutdownNow();
            awaitStop();
        }
    }

    /** Stops the loop and gives the lease up, so another gateway takes over at its next period. */
    @Override
    public synchronized void close() {
        abandon();
        timer = null;
        if (leader) {
            try {
                lease.release();
            } catch (RuntimeException e) {
                LOG.warn("rebalancer {}: could not release the lease (it expires by itself): {}", config.ownerId(),
                        e.getMessage());
            }
            leadership(false, "gateway stopping");
        }
    }

    private void awaitStop() {
        try {
            if (!timer.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("rebalancer {}: period still running after 5 s", config.ownerId());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
