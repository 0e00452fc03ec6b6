package io.farmgate.scoring.pick;

import io.farmgate.scoring.FarmSnapshot;
import java.util.Objects;

/**
 * Prefers hosts in the edge's own zone ({@link ZonePolicy}): two choices among the eligible local
 * hosts while the zone is healthy and not busier than the farm by more than the spill fraction,
 * else the fallback picker over the whole farm. The local set and the spill decision are worked
 * out once per snapshot and kept with it, so the pick path allocates nothing. Thread-safe.
 */
public final class ZoneAwarePicker implements Picker {

    private final ZonePolicy policy;
    private final TwoChoicePicker local;
    private final Picker fallback;
    private volatile ZoneView view;

    /** What one snapshot looks like from the zone. */
    private record ZoneView(FarmSnapshot snapshot, int[] local, int count, boolean spill) {
    }

    /**
     * @param local    picks among the local hosts
     * @param fallback picks over the whole farm when the zone spills
     */
    public ZoneAwarePicker(ZonePolicy policy, TwoChoicePicker local, Picker fallback) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.local = Objects.requireNonNull(local, "local");
        this.fallback = Objects.requireNonNull(fallback, "fallback");
    }

    @Override
    public int pick(FarmSnapshot snapshot) {
        ZoneView v = viewOf(snapshot);
        return v.spill ? fallback.pick(snapshot) : local.pickAmong(snapshot, v.local, v.count);
    }

    @Override
    public int pick(FarmSnapshot snapshot, long clientKeyHash) {
        ZoneView v = viewOf(snapshot);
        return v.spill ? fallback.pick(snapshot, clientKeyHash) : local.pickAmong(snapshot, v.local, v.count);
    }

    /** Whether picks from this snapshot leave the zone (for metrics and tests). */
    public boolean spills(FarmSnapshot snapshot) {
        return viewOf(snapshot).spill;
    }

    private ZoneView viewOf(FarmSnapshot snapshot) {
        ZoneView v = view;
        if (v == null || v.snapshot != snapshot) {
            v = decide(snapshot, policy);
            view = v;
        }
        return v;
    }

    private static ZoneView decide(FarmSnapshot snapshot, ZonePolicy policy) {
        int n = snapshot.eligibleCount();
        int[] local = new int[n];
        int count = 0;
        double localSum = 0;
        for (int i = 0; i < n; i++) {
            if (policy.zone().equals(snapshot.eligible(i).report().zone())) {
                local[count++] = i;
                localSum += snapshot.baseScore(i);
            }
        }
        boolean spill = count < policy.minLocalEligible()
                || localSum / count > (1.0 + policy.spillFraction()) * snapshot.meanBaseScore();
        return new ZoneView(snapshot, local, count, spill);
    }
}
