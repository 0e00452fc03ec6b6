package io.farmgate.scoring.rebalance;

import io.farmgate.scoring.Eligibility;
import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostView;
import io.farmgate.scoring.rebalance.RebalancePlan.Verdict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The rebalancer's decisions over time: from each period's snapshot and the time, the targets to
 * set and lift. Plans with {@link RebalancePlanner} and turns every order into a connection target
 * ({@code connections - count}) rather than a count, so re-planning from the same heartbeat
 * reproduces the target instead of compounding it. Holds the only state the decisions need: the
 * targets it set itself (only these may be lifted as outgrown) and where the last wave of orders is.
 *
 * <p>Pure: no I/O, no clock (the caller passes the time), no threads; one caller at a time. The
 * gateway's rebalancer and the simulator run the same instance type, so the simulator measures
 * what production does.
 *
 * <p>The rules, in the order {@link #step} applies them:
 * <ol>
 *   <li>Targets this controller set on hosts the farm has since outgrown are lifted: still above
 *       the target with a score at or below the mean, or at the target with a score below
 *       {@code mean x (1 - 2 x tolerance)}. Operator targets are orders and stay.</li>
 *   <li>A wave is over when no host is still shedding toward a target (set within
 *       {@link #WAVE_TIMEOUT_MILLIS}; stale hosts do not count), no fresh host is still draining
 *       out (a drain, a deploy step, a scale-down), and {@code settleMillis} have passed since the
 *       last one got there. Until then no new orders: the shed or drained clients are still
 *       reconnecting and the mean reads low. (Without the drain rule a rolling restart of 32 hosts
 *       moved each client 1.24 times in simulation, with it 1.11.)</li>
 *   <li>Once over, each order becomes a target {@code max(0, connections - count)}, unless the host
 *       already has a target at least that low.</li>
 *   <li>When no order was placed, targets of hosts back within the band (target reached, score at
 *       or below {@code mean x (1 + tolerance)}, not draining, fresh) are lifted. Targets stay through
 *       a new wave: a host lifted early takes back the very clients it shed.</li>
 *   <li>Only a plan made from fresh data ({@code SHED}, {@code BALANCED}, {@code NOTHING_SHEDDABLE})
 *       lifts anything.</li>
 * </ol>
 */
public final class RebalanceController {

    /** A target not reached within this long (an agent that does not shed) no longer holds the next wave back. */
    public static final long WAVE_TIMEOUT_MILLIS = 60_000;

    private final RebalancePolicy policy;
    private final long settleMillis;
    /** The targets this controller set, by host: only these may be lifted as outgrown. */
    private final Map<String, Integer> ownTargets = new HashMap<>();
    /** Whether hosts were still shedding toward their targets at the last look. */
    private boolean waveShedding;
    private long waveSettledAtMillis = Long.MIN_VALUE / 2;

    /**
     * @param settleMillis once every host of a wave has reached its target, no new orders for this
     *                     long; at least the clients' reconnect spread; &gt;= 0
     */
    public RebalanceController(RebalancePolicy policy, long settleMillis) {
        this.policy = Objects.requireNonNull(policy, "policy");
        if (settleMillis < 0) {
            throw new IllegalArgumentException("settleMillis: " + settleMillis + " (expected: >= 0)");
        }
        this.settleMillis = settleMillis;
    }

    public RebalancePolicy policy() {
        return policy;
    }

    /** One period as leader: the plan for {@code snapshot} and what to store now. */
    public RebalanceStep step(FarmSnapshot snapshot, long nowMillis) {
        RebalancePlan plan = RebalancePlanner.planWithVerdict(snapshot, policy);
        List<RebalanceAction> actions = new ArrayList<>();
        Set<String> lifted = liftOutgrownTargets(snapshot, plan, actions);
        boolean mayOrder = waveOver(snapshot, nowMillis, lifted);
        Set<String> ordered = new HashSet<>();
        boolean placed = false;
        for (ShedOrder order : mayOrder ? plan.orders() : List.<ShedOrder>of()) {
            ordered.add(order.hostId());
            HostView h = snapshot.host(order.hostId());
            if (h == null) {
                continue;
            }
            int target = Math.max(0, h.report().connections() - order.count());
            if (h.operator().hasTarget() && h.operator().targetConnections() <= target) {
                continue; // already asked for at least this much
            }
            ownTargets.put(h.id(), target);
            placed = true;
            waveShedding = true;
            actions.add(RebalanceAction.set(h.id(), target, order.count(), order.reason()));
        }
        if (mayOrder && !placed && readsTheFarm(plan)) {
            double limit = plan.meanScore() * (1.0 + policy.toleranceFraction());
            for (HostView h : snapshot.hosts()) {
                if (backWithinBand(h, limit) && !ordered.contains(h.id()) && !lifted.contains(h.id())) {
                    ownTargets.remove(h.id());
                    actions.add(RebalanceAction.clear(h.id(), String.format(Locale.ROOT,
                            "back within the band: %d connection(s), target %d reached, score %.3f <= %.3f",
                            h.report().connections(), h.operator().targetConnections(), h.score(), limit)));
                }
            }
        }
        return new RebalanceStep(plan, actions, !mayOrder);
    }

    /** Leadership moved away: another leader may set targets meanwhile, so ours are ours no more. */
    public void leadershipLost() {
        ownTargets.clear();
    }

    /** The targets this controller set and still considers its own, by host id. */
    public Map<String, Integer> ownTargets() {
        return Map.copyOf(ownTargets);
    }

    /** Whether the plan was made from fresh data, so its mean may lift targets (not stale, not too few hosts). */
    private static boolean readsTheFarm(RebalancePlan plan) {
        return plan.verdict() == Verdict.SHED || plan.verdict() == Verdict.BALANCED
                || plan.verdict() == Verdict.NOTHING_SHEDDABLE;
    }

    private boolean waveOver(FarmSnapshot snapshot, long now, Set<String> lifted) {
        boolean shedding = false;
        for (HostView h : snapshot.hosts()) {
            boolean drainingOut = h.draining() && h.eligibility() != Eligibility.STALE
                    && h.report().connections() > 0;
            if (drainingOut || h.operator().hasTarget() && !lifted.contains(h.id()) && !h.draining()
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
        return now - waveSettledAtMillis >= settleMillis;
    }

    /**
     * A target set while the farm was small (clients still arriving) would otherwise keep emptying
     * a host that is now the least loaded, hold it out of the picks, and hold every other order back.
     */
    private Set<String> liftOutgrownTargets(FarmSnapshot snapshot, RebalancePlan plan, List<RebalanceAction> out) {
        if (ownTargets.isEmpty() || !readsTheFarm(plan)) {
            return Set.of();
        }
        ownTargets.keySet().removeIf(id -> {
            HostView h = snapshot.host(id);
            return h == null || !h.operator().hasTarget() || h.operator().targetConnections() != ownTargets.get(id);
        });
        Set<String> lifted = new HashSet<>();
        for (Map.Entry<String, Integer> own : new java.util.TreeMap<>(ownTargets).entrySet()) {
            HostView h = snapshot.host(own.getKey());
            if (h.draining() || h.eligibility() == Eligibility.STALE) {
                continue;
            }
            boolean stillShedding = h.report().connections() > own.getValue() && h.score() <= plan.meanScore();
            // At its target but far below the mean: holding it there starves it while every wave places
            // orders elsewhere ("back within the band" waits for a wave without any). Twice the band,
            // so a host just brought to the mean keeps its target through the next wave.
            double floor = plan.meanScore() * (1.0 - 2.0 * policy.toleranceFraction());
            boolean starved = h.score() < floor;
            if (!stillShedding && !starved) {
                continue;
            }
            lifted.add(h.id());
            out.add(RebalanceAction.clear(h.id(), stillShedding
                    ? String.format(Locale.ROOT, "outgrown: score %.3f is at or below the mean %.3f with %d"
                            + " connection(s) still above target %d; lifted", h.score(), plan.meanScore(),
                            h.report().connections(), own.getValue())
                    : String.format(Locale.ROOT, "outgrown: score %.3f is below mean %.3f x (1 - 2 x tolerance)"
                            + " at target %d; lifted", h.score(), plan.meanScore(), own.getValue())));
        }
        ownTargets.keySet().removeAll(lifted);
        return lifted;
    }

    /** A host that reached its target and whose score is inside the band needs the target no longer. */
    private static boolean backWithinBand(HostView h, double limit) {
        return h.operator().hasTarget()
                && !h.draining()
                && h.eligibility() != Eligibility.STALE
                && h.report().connections() <= h.operator().targetConnections()
                && h.score() <= limit;
    }
}
