package io.farmgate.scoring.rebalance;

import io.farmgate.scoring.Eligibility;
import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostView;
import io.farmgate.scoring.rebalance.RebalancePlan.Verdict;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Decides, once per period, which overloaded hosts shed how many connections. A pure function
 * of the snapshot and the policy: the same input gives the same orders, in the same order.
 *
 * <ol>
 *   <li>Nothing is ordered when the snapshot is the last good one of an unreadable registry,
 *       when more than {@link RebalancePolicy#maxStaleFraction()} of all heartbeats are stale, or
 *       when fewer than two hosts are fresh and active (nowhere to move clients to).</li>
 *   <li>The mean is taken over the fresh active hosts: eligible, full and over-target ones,
 *       hosts in slow start included; draining and stale hosts excluded. Draining hosts are not
 *       the planner's job: their agent sheds them all.</li>
 *   <li>A fresh active host not in slow start whose score is above
 *       {@code mean x (1 + toleranceFraction)} is overloaded. It is asked to shed
 *       {@code ceil(connections x (1 - target / score))}, assuming its score moves in proportion
 *       to its connections, where the target is {@link RebalancePolicy#shedIntoBandFraction() a
 *       little inside the band}: a host left at the very edge would be pushed over it by its next
 *       client, and one brought all the way down to the mean moves more clients than the band needs.
 *       Hosts in slow start are exempt: they were just given clients on purpose.</li>
 *   <li>Each count is cut to the per-host cap ({@link RebalancePolicy#perHostCap}); then the
 *       farm-wide cap is shared out to the hosts in order of excess score, highest first (ties
 *       by host id), each taking what it wants until the cap is spent.</li>
 * </ol>
 *
 * <p>The planner knows nothing of orders still being carried out: a host that has not yet shed
 * looks just as overloaded next period. Apply an order as a connection target
 * ({@code connections - count}, see {@code OperatorState#targetConnections}) rather than as a count
 * to add up, and re-planning from the same heartbeat reproduces the target instead of compounding it.
 */
public final class RebalancePlanner {

    /** Keeps ceil() from adding a whole connection to rounding when the exact answer is whole. */
    private static final double ROUNDING_GUARD = 1e-9;

    private RebalancePlanner() {
    }

    /** The shed orders for this period, most overloaded host first; empty when nothing should move. */
    public static List<ShedOrder> plan(FarmSnapshot snapshot, RebalancePolicy policy) {
        return planWithVerdict(snapshot, policy).orders();
    }

    /** The orders together with the verdict and figures the event log records. */
    public static RebalancePlan planWithVerdict(FarmSnapshot snapshot, RebalancePolicy policy) {
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(policy, "policy");
        if (snapshot.stale()) {
            return RebalancePlan.none(Verdict.SNAPSHOT_STALE, 0.0, 0);
        }
        List<HostView> hosts = snapshot.hosts();
        int staleCount = 0;
        List<HostView> active = new ArrayList<>();
        for (HostView h : hosts) {
            if (h.eligibility() == Eligibility.STALE) {
                staleCount++;
            } else if (h.eligibility() != Eligibility.DRAINING) {
                active.add(h);
            }
        }
        if (!hosts.isEmpty() && staleCount > policy.maxStaleFraction() * hosts.size()) {
            return RebalancePlan.none(Verdict.STALE_MAJORITY, 0.0, 0);
        }
        if (active.size() < 2) {
            return RebalancePlan.none(Verdict.TOO_FEW_HOSTS, 0.0, 0);
        }
        double sum = 0;
        for (HostView h : active) {
            sum += h.score();
        }
        double mean = sum / active.size();
        double limit = mean * (1.0 + policy.toleranceFraction());
        double target = policy.shedTargetScore(mean);

        List<HostView> overloaded = new ArrayList<>();
        for (HostView h : active) {
            if (h.score() > limit) {
                overloaded.add(h);
            }
        }
        if (overloaded.isEmpty()) {
            return RebalancePlan.none(Verdict.BALANCED, mean, 0);
        }
        overloaded.sort(Comparator.comparingDouble(HostView::score).reversed().thenComparing(HostView::id));

        List<ShedOrder> orders = new ArrayList<>();
        int wanted = 0;
        int farmLeft = policy.maxShedFarmPerPeriod();
        for (HostView h : overloaded) {
            if (h.inSlowStart()) {
                continue;
            }
            int connections = h.report().connections();
            int toTarget = (int) Math.ceil(connections * (1.0 - target / h.score()) - ROUNDING_GUARD);
            if (toTarget <= 0) {
                continue;
            }
            wanted += toTarget;
            int hostCap = policy.perHostCap(connections);
            int count = Math.min(Math.min(toTarget, hostCap), farmLeft);
            if (count <= 0) {
                continue;
            }
            farmLeft -= count;
            orders.add(new ShedOrder(h.id(), count, reason(h, mean, target, policy, toTarget, hostCap, count)));
        }
        if (orders.isEmpty()) {
            return RebalancePlan.none(Verdict.NOTHING_SHEDDABLE, mean, wanted);
        }
        return new RebalancePlan(Verdict.SHED, mean, orders, wanted);
    }

    private static String reason(HostView h, double mean, double target, RebalancePolicy policy, int toTarget,
                                 int hostCap, int count) {
        String capped;
        if (count == toTarget) {
            capped = "";
        } else if (count == hostCap) {
            capped = String.format(Locale.ROOT, " (per-host cap %d)", hostCap);
        } else {
            capped = " (farm cap)";
        }
        return String.format(Locale.ROOT,
                "overloaded: score %.3f above mean %.3f x %.2f; shed %d of %d connection(s), %d to reach %.3f%s",
                h.score(), mean, 1.0 + policy.toleranceFraction(), count, h.report().connections(), toTarget, target,
                capped);
    }
}
