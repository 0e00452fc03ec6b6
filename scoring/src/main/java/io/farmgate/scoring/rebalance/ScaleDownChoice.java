package io.farmgate.scoring.rebalance;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostView;
import java.util.Comparator;
import java.util.List;

/**
 * Which hosts a scale-down of {@code count} drains: hosts not already draining, fewest connections
 * first (least churn: the fewest clients have to move), ties to the newest host (it has the least
 * warm state), then by id so the choice is stable. Stale hosts are candidates too: a host that
 * stopped reporting is the cheapest to let go.
 */
public final class ScaleDownChoice {

    private static final Comparator<HostView> CHEAPEST_FIRST = Comparator
            .comparingInt((HostView h) -> h.report().connections())
            .thenComparing(Comparator.comparingLong(HostView::firstSeenMillis).reversed())
            .thenComparing(HostView::id);

    private ScaleDownChoice() {
    }

    /** Up to {@code count} host ids to drain, cheapest first. */
    public static List<String> hostsToDrain(FarmSnapshot snapshot, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count: " + count + " (expected: >= 0)");
        }
        return snapshot.hosts().stream()
                .filter(h -> !h.draining())
                .sorted(CHEAPEST_FIRST)
                .limit(count)
                .map(HostView::id)
                .toList();
    }
}
