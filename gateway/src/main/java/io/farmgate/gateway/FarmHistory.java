package io.farmgate.gateway;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostView;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * This gateway's last minutes for the dashboard's charts: a fixed ring of samples, one a second,
 * each taken from the snapshot the gateway already holds and its own counters. Nothing here reads
 * the registry, so a dashboard costs the farm nothing; each gateway keeps its own (its
 * assignments, its view of the hosts).
 */
final class FarmHistory {

    /** Most hosts one sample keeps; past this the sample keeps those most worth watching (see {@link #sample}). */
    static final int MAX_HOSTS = 48;

    /** The gateway's counters at one instant, each a running total. */
    record Totals(long assignments, long unavailable, long reconnects) {
    }

    /**
     * One host at one sample.
     *
     * @param targetConnections the stored connection target, or -1 for none
     */
    record HostSample(String id, int connections, int targetConnections, double cpu) {
    }

    /**
     * One sample. The rates are per second since the previous sample, NaN for the first one (or
     * after the clock stepped back), when there is nothing to subtract from.
     *
     * @param hostsLeftOut hosts of the snapshot this sample did not keep (beyond {@link #MAX_HOSTS})
     */
    record Sample(long atMillis, List<HostSample> hosts, int hostsLeftOut, double assignmentsPerSecond,
                  double unavailablePerSecond, double reconnectsPerSecond) {
    }

    /**
     * Which hosts a sample keeps when the farm has more than {@link #MAX_HOSTS}: those with a target
     * (the rebalancer is working on them), then the most loaded, then by id so the choice is stable.
     */
    private static final Comparator<HostView> WORTH_WATCHING = Comparator
            .comparing((HostView h) -> !h.operator().hasTarget())
            .thenComparing(Comparator.comparingInt((HostView h) -> h.report().connections()).reversed())
            .thenComparing(HostView::id);

    private final Clock clock;
    private final Sample[] ring;
    private int next;
    private int size;
    private Totals lastTotals;
    private long lastAtMillis;

    /** @param capacity samples kept, the newest; one a second makes this the seconds of history */
    FarmHistory(int capacity, Clock clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 1)");
        }
        this.ring = new Sample[capacity];
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    int capacity() {
        return ring.length;
    }

    /** Adds a sample of the snapshot and the counters now, dropping the oldest when the ring is full. */
    synchronized void sample(FarmSnapshot snapshot, Totals totals) {
        long now = clock.millis();
        List<HostView> all = snapshot.hosts();
        List<HostView> kept = all.size() <= MAX_HOSTS ? all
                : all.stream().sorted(WORTH_WATCHING).limit(MAX_HOSTS).toList();
        List<HostSample> hosts = new ArrayList<>(kept.size());
        for (HostView h : kept) {
            hosts.add(new HostSample(h.id(), h.report().connections(),
                    h.operator().hasTarget() ? h.operator().targetConnections() : -1, h.report().cpu()));
        }
        double seconds = lastTotals == null ? Double.NaN : (now - lastAtMillis) / 1000.0;
        Sample s = new Sample(now, List.copyOf(hosts), all.size() - kept.size(),
                rate(seconds, totals.assignments(), lastTotals == null ? 0 : lastTotals.assignments()),
                rate(seconds, totals.unavailable(), lastTotals == null ? 0 : lastTotals.unavailable()),
                rate(seconds, totals.reconnects(), lastTotals == null ? 0 : lastTotals.reconnects()));
        lastTotals = totals;
        lastAtMillis = now;
        ring[next] = s;
        next = (next + 1) % ring.length;
        size = Math.min(size + 1, ring.length);
    }

    private static double rate(double seconds, long total, long previous) {
        if (!(seconds > 0)) {
            return Double.NaN;
        }
        return Math.max(0, total - previous) / seconds;
    }

    /** The samples taken at or after {@code fromMillis}, oldest first. */
    synchronized List<Sample> since(long fromMillis) {
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            Sample s = ring[(next - size + i + ring.length) % ring.length];
            if (s.atMillis() >= fromMillis) {
                out.add(s);
            }
        }
        return out;
    }
}
