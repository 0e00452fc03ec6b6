package io.farmgate.scoring.rebalance;

import java.util.Objects;

/**
 * One instruction of the rebalancer: host {@code hostId} should close {@code count} of its
 * client connections (close code 1012) so they reconnect elsewhere.
 *
 * @param hostId which host
 * @param count  connections to close; &gt; 0
 * @param reason why, for the event log and the dashboard
 */
public record ShedOrder(String hostId, int count, String reason) {

    public ShedOrder {
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(reason, "reason");
        if (count <= 0) {
            throw new IllegalArgumentException("count: " + count + " (expected: > 0)");
        }
    }
}
