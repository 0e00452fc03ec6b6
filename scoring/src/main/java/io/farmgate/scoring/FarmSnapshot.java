package io.farmgate.scoring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The farm at one instant: every known host with its verdict, and the eligible ones laid out in
 * flat arrays for pickers. Immutable, except for the assignment ledger: a per-process count of
 * clients sent to each eligible host since its last heartbeat, which pickers read to correct
 * stale scores and callers bump with {@link #recordAssignment}.
 *
 * <p>Snapshots form a chain: {@link #next} builds the successor from fresh reports, carrying over
 * what only the receiver can know (when a host was first seen, when its sequence last moved, the
 * ledger for hosts without a new heartbeat). Freshness and slow start are therefore judged on the
 * receiver's clock, never on the sender's.
 */
public final class FarmSnapshot {

    private final SnapshotPolicy policy;
    private final long builtAtMillis;
    private final boolean stale;
    private final boolean initial;
    private final List<HostView> hosts;
    /** Built on the first {@link #host} call: the pickers and the snapshot chain never need it. */
    private volatile Map<String, HostView> byId;

    // Eligible hosts, struct-of-arrays: the pick path reads these and allocates nothing.
    private final HostView[] eligible;
    private final double[] baseScore;
    private final double[] scorePerAssignment;
    private final double[] admitProbability;
    private final long[] keyHash;
    private final double meanBaseScore;
    private final AtomicLongArray pending;

    private FarmSnapshot(SnapshotPolicy policy, long builtAtMillis, boolean stale, boolean initial,
                         List<HostView> hosts, AtomicLongArray pending) {
        this.policy = policy;
        this.builtAtMillis = builtAtMillis;
        this.stale = stale;
        this.initial = initial;
        this.hosts = hosts;
        List<HostView> ok = new ArrayList<>();
        for (HostView h : hosts) {
            if (h.eligibility().eligible()) {
                ok.add(h);
            }
        }
        int n = ok.size();
        this.eligible = ok.toArray(new HostView[0]);
        this.baseScore = new double[n];
        this.scorePerAssignment = new double[n];
        this.admitProbability = new double[n];
        this.keyHash = new long[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            HostView h = eligible[i];
            baseScore[i] = h.score();
            scorePerAssignment[i] = policy.formula().scorePerConnection(h.report().capacity(), h.effectiveWeight());
            admitProbability[i] = h.slowStartFactor();
            keyHash[i] = KeyHash.of(h.id());
            sum += h.score();
        }
        this.meanBaseScore = n == 0 ? 0.0 : sum / n;
        this.pending = pending != null ? pending : new AtomicLongArray(n);
    }

    /** The snapshot before any data: no hosts. Hosts in its first successor skip slow start. */
    public static FarmSnapshot initial(SnapshotPolicy policy) {
        return new FarmSnapshot(Objects.requireNonNull(policy, "policy"), 0L, false, true, List.of(), null);
    }

    /**
     * The successor of this snapshot, from the reports and operator states read now.
     *
     * @param reports   the current heartbeat of every host whose heartbeat has not expired
     * @param operators operator state by host id; hosts without an entry get {@link OperatorState#DEFAULT}
     * @param nowMillis the receiver's clock
     */
    public FarmSnapshot next(Collection<HostReport> reports, Map<String, OperatorState> operators, long nowMillis) {
        // Both this snapshot's hosts and the new reports in id order: each host finds its previous
        // view by a merge, without hashing (a gateway of a thousand hosts rebuilds every second, the
        // simulator's gateways millions of times a run). Reports already in order sort in one pass.
        HostReport[] sorted = reports.toArray(new HostReport[0]);
        Arrays.sort(sorted, BY_HOST_ID);
        List<HostView> views = new ArrayList<>(sorted.length);
        int j = 0;
        int known = hosts.size();
        for (HostReport r : sorted) {
            String id = r.hostId();
            while (j < known && hosts.get(j).id().compareTo(id) < 0) {
                j++;
            }
            HostView before = j < known && hosts.get(j).id().equals(id) ? hosts.get(j) : null;
            OperatorState op = operators.isEmpty() ? OperatorState.DEFAULT
                    : operators.getOrDefault(id, OperatorState.DEFAULT);
            views.add(view(r, op, before, nowMillis));
        }
        List<HostView> frozen = Collections.unmodifiableList(views);

        // Carry the ledger over for hosts whose heartbeat has not moved: their report does not yet
        // count the clients this process already sent them.
        int n = 0;
        for (HostView v : frozen) {
            if (v.eligibility().eligible()) {
                n++;
            }
        }
        AtomicLongArray carried = new AtomicLongArray(n);
        int i = 0;
        int k = 0;
        for (HostView v : frozen) {
            if (!v.eligibility().eligible()) {
                continue;
            }
            while (k < eligible.length && eligible[k].id().compareTo(v.id()) < 0) {
                k++;
            }
            if (k < eligible.length && eligible[k].id().equals(v.id())
                    && eligible[k].report().sequence() == v.report().sequence()) {
                carried.set(i, pending.get(k));
            }
            i++;
        }
        return new FarmSnapshot(policy, nowMillis, false, false, frozen, carried);
    }

    private static final Comparator<HostReport> BY_HOST_ID = Comparator.comparing(HostReport::hostId);

    private HostView view(HostReport r, OperatorState op, HostView before, long now) {
        long firstSeen = before == null ? now : before.firstSeenMillis();
        long lastChanged = before == null || before.report().sequence() != r.sequence()
                ? now : before.lastChangedMillis();
        // Parsed once per URL change, not once per refresh: the simulator builds millions of views.
        boolean urlUsable = before != null && before.report().url().equals(r.url())
                ? before.urlUsable() : AdvertisedUrl.usable(r.url());
        Eligibility verdict = judge(r, op, now - lastChanged, urlUsable);
        long activeSince;
        if (initial) {
            // Hosts already there when this process starts are established, not newcomers.
            activeSince = now - policy.slowStart().windowMillis();
        } else if (before == null || !before.eligibility().eligible() && !isLoadOnly(before.eligibility())) {
            activeSince = now;
        } else {
            activeSince = before.activeSinceMillis();
        }
        double factor = policy.slowStart().factor(now - activeSince);
        double score = policy.formula().score(r.connections(), r.capacity(), r.cpu(), r.weight() * op.weight());
        return new HostView(r, op, firstSeen, lastChanged, activeSince, score, factor, verdict, urlUsable);
    }

    /** Full and over-target hosts were taking clients a moment ago: no slow start when they drop below. */
    private static boolean isLoadOnly(Eligibility e) {
        return e == Eligibility.FULL || e == Eligibility.OVER_TARGET;
    }

    private Eligibility judge(HostReport r, OperatorState op, long sinceChangeMillis, boolean urlUsable) {
        if (sinceChangeMillis > policy.staleAfterMillis()) {
            return Eligibility.STALE;
        }
        if (HostView.draining(r, op)) {
            return Eligibility.DRAINING;
        }
        if (!urlUsable) {
            return Eligibility.UNUSABLE_URL;
        }
        if (r.connections() >= r.capacity()) {
            return Eligibility.FULL;
        }
        if (op.hasTarget() && r.connections() >= op.targetConnections()) {
            return Eligibility.OVER_TARGET;
        }
        return Eligibility.ELIGIBLE;
    }

    /** The same snapshot flagged as stale: the registry could not be read. The ledger is shared. */
    public FarmSnapshot markedStale() {
        if (stale) {
            return this;
        }
        return new FarmSnapshot(policy, builtAtMillis, true, initial, hosts, pending);
    }

    // ---- what edges and operators read ----

    public SnapshotPolicy policy() {
        return policy;
    }

    /** Receiver time this snapshot was built from registry data. */
    public long builtAtMillis() {
        return builtAtMillis;
    }

    /**
     * Age of the data; 0 before any ({@link #hasData()}), so "no data yet" never reads as data
     * from 1970.
     */
    public long ageMillis(long nowMillis) {
        return hasData() ? Math.max(0L, nowMillis - builtAtMillis) : 0L;
    }

    /**
     * Whether this snapshot was built from registry data at all: false only for the one before the
     * first read ({@link #initial}) and its stale copies. The one test of "no data yet".
     */
    public boolean hasData() {
        return !initial;
    }

    /** True when the latest refresh failed and this is the last good data. */
    public boolean stale() {
        return stale;
    }

    /** Every known host, eligible or not, ordered by id. */
    public List<HostView> hosts() {
        return hosts;
    }

    /** The host with this id, or null. */
    public HostView host(String hostId) {
        Map<String, HostView> ids = byId;
        if (ids == null) {
            Map<String, HostView> built = new HashMap<>();
            for (HostView h : hosts) {
                built.put(h.id(), h);
            }
            ids = Collections.unmodifiableMap(built);
            byId = ids;
        }
        return ids.get(hostId);
    }

    // ---- what pickers read: index-based, allocation-free ----

    /** Number of eligible hosts; picks are indexes in [0, eligibleCount). */
    public int eligibleCount() {
        return eligible.length;
    }

    public HostView eligible(int index) {
        return eligible[index];
    }

    /** The score of eligible host {@code index} as last reported. */
    public double baseScore(int index) {
        return baseScore[index];
    }

    /** The reported score plus what this process's assignments since that report have added. */
    public double effectiveScore(int index) {
        return baseScore[index] + pending.get(index) * scorePerAssignment[index];
    }

    /** Probability in (0, 1] that a picker admits this host as a candidate (slow start). */
    public double admitProbability(int index) {
        return admitProbability[index];
    }

    /** Stable hash of the host id, for rendezvous hashing. */
    public long keyHash(int index) {
        return keyHash[index];
    }

    public double meanBaseScore() {
        return meanBaseScore;
    }

    /** Clients this process sent to eligible host {@code index} since its last heartbeat. */
    public long pendingAssignments(int index) {
        return pending.get(index);
    }

    /**
     * Counts {@code clients} new clients sent to eligible host {@code index}. A DNS answer cached
     * by a resolver stands for many clients and is recorded with a larger count.
     */
    public void recordAssignment(int index, long clients) {
        pending.addAndGet(index, clients);
    }
}
