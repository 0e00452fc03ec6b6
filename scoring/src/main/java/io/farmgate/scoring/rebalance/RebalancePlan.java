package io.farmgate.scoring.rebalance;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The outcome of one planning period: the shed orders, and why there are none when there are
 * none, so the event log can tell "balanced" from "not trusted".
 *
 * @param verdict            what the planner concluded
 * @param meanScore          mean score of the fresh active hosts; 0 when not computed
 * @param orders             the orders, most overloaded host first
 * @param wantedConnections  what the overloaded hosts (slow start excepted) would shed to reach
 *                           the mean, before the caps; the caps hold back the difference to
 *                           {@link #orderedConnections()} until the next period
 */
public record RebalancePlan(Verdict verdict, double meanScore, List<ShedOrder> orders, int wantedConnections) {

    /** What the planner concluded. */
    public enum Verdict {
        /** At least one order. */
        SHED,
        /** No host is above the tolerance band. */
        BALANCED,
        /** Hosts are above the band, but each is in slow start or too small to shed one connection. */
        NOTHING_SHEDDABLE,
        /** Fewer than two fresh active hosts: there is nowhere to move clients to. */
        TOO_FEW_HOSTS,
        /** More heartbeats than the policy allows are stale: the data is not trusted. */
        STALE_MAJORITY,
        /** The snapshot is the last good one because the registry could not be read. */
        SNAPSHOT_STALE
    }

    public RebalancePlan {
        Objects.requireNonNull(verdict, "verdict");
        orders = List.copyOf(orders);
    }

    static RebalancePlan none(Verdict verdict, double meanScore, int wantedConnections) {
        return new RebalancePlan(verdict, meanScore, List.of(), wantedConnections);
    }

    /** Connections ordered in total. */
    public int orderedConnections() {
        int sum = 0;
        for (ShedOrder o : orders) {
            sum += o.count();
        }
        return sum;
    }

    /** One line for the event log. */
    public String summary() {
        return String.format(Locale.ROOT, "%s: %d order(s), %d of %d wanted connection(s), mean score %.3f",
                verdict, orders.size(), orderedConnections(), wantedConnections, meanScore);
    }
}
