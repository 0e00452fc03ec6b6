package io.farmgate.gateway;

import io.farmgate.scoring.Eligibility;
import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostView;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Watches draining hosts empty: samples their connection counts over a sliding window and reports,
 * per host, what is left, the observed drain rate, an ETA and whether it is safe to remove. Fed
 * by one sampling task; readers get the immutable list last published.
 */
final class DrainWatch {

    /** The drain rate is measured over this much recent history. */
    static final long WINDOW_MILLIS = 60_000;
    /** Samples kept per host, whatever the sampling period. */
    private static final int MAX_SAMPLES = 600;

    /**
     * One draining host's progress.
     *
     * @param ratePerSecond connections closed per second over the window; null before two samples
     * @param etaSeconds    seconds until empty at that rate; null when unknown or not draining down
     * @param safeToRemove  no connections left on a fresh heartbeat: the host can be stopped
     */
    record Progress(String id, int connections, int capacity, long drainingSinceMillis, Double ratePerSecond,
                    Long etaSeconds, boolean safeToRemove) {
    }

    private record Sample(long atMillis, int connections) {
    }

    private final Map<String, Deque<Sample>> samples = new HashMap<>();
    private volatile List<Progress> latest = List.of();

    /** Takes one sample of every draining host; called from a single thread. */
    synchronized void observe(FarmSnapshot snapshot, long nowMillis) {
        Map<String, Deque<Sample>> kept = new HashMap<>();
        List<Progress> progress = new ArrayList<>();
        for (HostView h : snapshot.hosts()) {
            if (!h.draining()) {
                continue;
            }
            Deque<Sample> history = samples.getOrDefault(h.id(), new ArrayDeque<>());
            history.addLast(new Sample(nowMillis, h.report().connections()));
            while (history.size() > MAX_SAMPLES
                    || history.size() > 2 && history.peekFirst().atMillis() < nowMillis - WINDOW_MILLIS) {
                history.removeFirst();
            }
            kept.put(h.id(), history);
            progress.add(progress(h, history));
        }
        samples.clear();
        samples.putAll(kept);
        progress.sort((a, b) -> a.id().compareTo(b.id()));
        latest = List.copyOf(progress);
    }

    private static Progress progress(HostView h, Deque<Sample> history) {
        int left = h.report().connections();
        Double rate = null;
        Long eta = null;
        Sample first = history.peekFirst();
        Sample last = history.peekLast();
        if (first != null && last != null && last.atMillis() > first.atMillis()) {
            rate = Math.max(0.0, (first.connections() - last.connections()) * 1000.0
                    / (last.atMillis() - first.atMillis()));
            if (left == 0) {
                eta = 0L;
            } else if (rate > 0) {
                eta = (long) Math.ceil(left / rate);
            }
        } else if (left == 0) {
            eta = 0L;
        }
        boolean safe = left == 0 && h.eligibility() != Eligibility.STALE;
        return new Progress(h.id(), left, h.report().capacity(), h.operator().updatedAtMillis(), rate, eta, safe);
    }

    /** The progress of every draining host at the last sample, by id. */
    List<Progress> latest() {
        return latest;
    }
}
