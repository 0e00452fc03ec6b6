package io.farmgate.gateway;

import io.farmgate.registry.EventLog;
import io.farmgate.registry.FarmEvent;
import io.farmgate.registry.LeaderLease;
import io.farmgate.registry.OperatorStore;
import io.farmgate.scoring.Eligibility;
import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostView;
import io.farmgate.scoring.rebalance.RebalancePlan;
import io.farmgate.scoring.rebalance.RebalancePlan.Verdict;
import io.farmgate.scoring.rebalance.RebalancePlanner;
import io.farmgate.scoring.rebalance.ShedOrder;
import java.time.Clock;
import java.util.HashMap;
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
 * The rebalancer loop inside a gateway. Every period it takes or renews the farm's leader lease;
 * only the holder acts: it plans from the current snapshot ({@link RebalancePlanner}) and stores
 * each order as a connection target ({@code connections - count}) that the host's agent sheds
 * toward, and clears the targets of hosts that are back within the band. Storing targets rather
 * than counts keeps re-planning from the same heartbeat from compounding.
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
    /** The targets this gateway set as leader, by host: only these may be lifted as outgrown. Timer thread only. */
    private final Map<String, Integer> ownTargets = new HashMap<>();
    private volatile RebalancePlan lastPlan;
    private ScheduledExecutorService timer;
    /** A target not reached within this long (an agent that does not shed) no longer holds the next wave back. */
    static final long WAVE_TIMEOUT_MILLIS = 60_000;
    /** Whether hosts were still shedding toward their targets at the last look; only the timer thread touches it. */
    private boolean waveShedding;
    private long waveSettledAtMillis = Long.MIN_VALUE / 2;

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
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "farmgate-rebalancer");
            t.setDaemon(true);
            return t;
        });
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
            FarmSnapshot snapshot = snapshots.get();
            RebalancePlan plan = RebalancePlanner.planWithVerdict(snapshot, config.policy());
            RebalancePlan previous = lastPlan;
            lastPlan = plan;
            plans.incrementAndGet();
            if (previous == null || previous.verdict() != plan.verdict()) {
                LOG.info("rebalancer {}: {}", config.ownerId(), plan.summary());
            }
            if (!lease.isHeld(clock.millis())) {
                return;
            }
            apply(snapshot, plan);
        } catch (Throwable t) {
            errors.incrementAndGet();
            LOG.warn("rebalancer {}: period failed", config.ownerId(), t);
        }
    }

    private void apply(FarmSnapshot snapshot, RebalancePlan plan) {
        long now = clock.millis();
        Map<String, ShedOrder> ordered = new HashMap<>();
        java.util.Set<String> lifted = liftOutgrownTargets(snapshot, plan);
        boolean mayOrder = waveOver(snapshot, now, lifted);
        boolean placed = false;
        for (ShedOrder order : mayOrder ? plan.orders() : java.util.List.<ShedOrder>of()) {
            ordered.put(order.hostId(), order);
            HostView h = snapshot.host(order.hostId());
            if (h == null) {
                continue;
            }
            int target = Math.max(0, h.report().connections() - order.count());
            if (h.operator().hasTarget() && h.operator().targetConnections() <= target) {
                // Already asked for at least this much.
                continue;
            }
            operators.setTarget(h.id(), target);
            ownTargets.put(h.id(), target);
            placed = true;
            waveShedding = true;
            orders.incrementAndGet();
            orderedConnections.addAndGet(order.count());
            Map<String, String> details = new LinkedHashMap<>();
            details.put("targetConnections", Integer.toString(target));
            details.put("count", Integer.toString(order.count()));
            details.put("plan", plan.summary());
            note(new FarmEvent(FarmEvent.Type.SHED, h.id(), config.ownerId(), order.reason(), clock.millis(), details));
        }
        // Targets stay until the wave has settled: a host whose target is lifted early takes back the
        // very clients it shed (they reconnect through a picker that still chooses among all hosts).
        // A new wave starting now counts too: the last wave's hosts keep their targets through it, or
        // half of what this wave sheds lands on them (two choices among all eligible hosts) and has
        // to be shed again.
        if (!mayOrder || placed || !readsTheFarm(plan)) {
            return;
        }
        double limit = plan.meanScore() * (1.0 + config.policy().toleranceFraction());
        for (HostView h : snapshot.hosts()) {
            if (backWithinBand(h, limit) && !ordered.containsKey(h.id()) && !lifted.contains(h.id())) {
                ownTargets.remove(h.id());
                clearTarget(h, plan, String.format(java.util.Locale.ROOT,
                        "back within the band: %d connection(s), target %d reached, score %.3f <= %.3f",
                        h.report().connections(), h.operator().targetConnections(), h.score(), limit));
            }
        }
    }

    /** Whether the plan was made from fresh data, so its mean may lift targets (not stale, not too few hosts). */
    private static boolean readsTheFarm(RebalancePlan plan) {
        return plan.verdict() == Verdict.SHED || plan.verdict() == Verdict.BALANCED
                || plan.verdict() == Verdict.NOTHING_SHEDDABLE;
    }

    /** Lifts a host's target and records why, as a {@code target} event. */
    private void clearTarget(HostView h, RebalancePlan plan, String reason) {
        operators.clearTarget(h.id());
        clearedTargets.incrementAndGet();
        Map<String, String> details = new LinkedHashMap<>();
        details.put("cleared", "true");
        details.put("plan", plan.summary());
        note(new FarmEvent(FarmEvent.Type.TARGET, h.id(), config.ownerId(), reason, clock.millis(), details));
    }

    /**
     * Whether the last wave of orders is over: no host is still shedding toward a target (set within
     * {@link #WAVE_TIMEOUT_MILLIS}), and {@code settleMillis} have passed since the last one reached it.
     * Until then the clients it shed are still reconnecting, the farm's total (and so the mean)
     * reads low, and orders planned on that reading would move more clients than needed.
     */
    private boolean waveOver(FarmSnapshot snapshot, long now, java.util.Set<String> lifted) {
        boolean shedding = false;
        for (HostView h : snapshot.hosts()) {
            if (h.operator().hasTarget() && !lifted.contains(h.id()) && !DrainWatch.draining(h)
                    && h.eligibility() != Eligibility.STALE
                    && h.report().connections() > h.operator().targetConnections()
                    && now - h.operator().updatedAtMillis() < WAVE_TIMEOUT_MILLIS) {
                shedding = true;
                break;
            }
        }
        if (shedding) {
            waveShedding = true;
            return false;
        }
        if (waveShedding) {
            waveShedding = false;
            waveSettledAtMillis = now;
        }
        return now - waveSettledAtMillis >= config.settleMillis();
    }

    /**
     * Lifts the targets this leader set on hosts that the farm has since outgrown: a host still
     * shedding toward its target while its score is at or below the mean. A target set while the
     * farm was small (clients still arriving) would otherwise keep emptying a host that is now the
     * least loaded, hold it out of the picks, and hold every other order back until it is reached.
     * Targets set by an operator ({@code POST /v1/hosts/{id}/shed}) are orders and stay.
     */
    private java.util.Set<String> liftOutgrownTargets(FarmSnapshot snapshot, RebalancePlan plan) {
        if (ownTargets.isEmpty() || !readsTheFarm(plan)) {
            return java.util.Set.of();
        }
        java.util.Set<String> lifted = new java.util.HashSet<>();
        ownTargets.keySet().removeIf(id -> {
            HostView h = snapshot.host(id);
            return h == null || !h.operator().hasTarget() || h.operator().targetConnections() != ownTargets.get(id);
        });
        for (Map.Entry<String, Integer> own : ownTargets.entrySet()) {
            HostView h = snapshot.host(own.getKey());
            if (DrainWatch.draining(h) || h.eligibility() == Eligibility.STALE
                    || h.report().connections() <= own.getValue() || h.score() > plan.meanScore()) {
                continue;
            }
            lifted.add(h.id());
            clearTarget(h, plan, String.format(java.util.Locale.ROOT,
                    "outgrown: score %.3f is at or below the mean %.3f with %d connection(s) still above target %d;"
                            + " lifted", h.score(), plan.meanScore(), h.report().connections(), own.getValue()));
        }
        ownTargets.keySet().removeAll(lifted);
        return lifted;
    }

    /** A host that reached its target and whose score is inside the band needs the target no longer. */
    private static boolean backWithinBand(HostView h, double limit) {
        return h.operator().hasTarget()
                && !h.operator().draining()
                && h.eligibility() != Eligibility.STALE
                && h.eligibility() != Eligibility.DRAINING
                && h.report().connections() <= h.operator().targetConnections()
                && h.score() <= limit;
    }

    private void leadership(boolean held, String why) {
        if (held == leader) {
            return;
        }
        leader = held;
        if (!held) {
            // Another gateway may set targets meanwhile; ours are only ours while we lead.
            ownTargets.clear();
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
