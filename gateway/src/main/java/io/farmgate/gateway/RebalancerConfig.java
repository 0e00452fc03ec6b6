package io.farmgate.gateway;

import io.farmgate.scoring.rebalance.RebalancePolicy;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How the gateway's rebalancer runs: how often it plans, how long its leader lease lasts, how hard
 * it may push, and the name it signs its events with. Validated once.
 *
 * @param periodMillis how often the lease is renewed and a plan is made; in [10, 3600000]
 * @param leaseMillis  leader lease expiry: a dead leader is replaced after at most this plus one
 *                     period; at least twice {@code periodMillis}, so one missed renewal loses nothing
 * @param policy       the planner's tolerance band and caps
 * @param ownerId      unique per gateway process; the {@code actor} of its events
 * @param settleMillis once every host of a wave of orders has reached its target, no new orders for
 *                     this long: the clients it shed are still reconnecting, the farm's total (and so
 *                     the mean) reads low, and planning on that reading would move more clients than
 *                     needed; at least the clients' reconnect delay; in [0, 3600000]
 */
public record RebalancerConfig(long periodMillis, long leaseMillis, RebalancePolicy policy, String ownerId,
                               long settleMillis) {

    public static final long DEFAULT_PERIOD_MILLIS = 5_000;
    public static final long DEFAULT_LEASE_MILLIS = 10_000;

    private static final Pattern OWNER = Pattern.compile("[A-Za-z0-9_.:@/-]{1,128}");

    public RebalancerConfig {
        if (periodMillis < 10 || periodMillis > 3_600_000) {
            throw new IllegalArgumentException("rebalancePeriodMillis: " + periodMillis + " (expected: in [10, 3600000])");
        }
        if (leaseMillis < 2 * periodMillis || leaseMillis > 3_600_000) {
            throw new IllegalArgumentException("leaderLeaseMillis: " + leaseMillis
                    + " (expected: in [2 x rebalancePeriodMillis = " + 2 * periodMillis + ", 3600000])");
        }
        Objects.requireNonNull(policy, "policy");
        if (ownerId == null || !OWNER.matcher(ownerId).matches()) {
            throw new IllegalArgumentException("ownerId: '" + ownerId + "' (expected: 1-128 of A-Z, a-z, 0-9 and _.:@/-)");
        }
        if (settleMillis < 0 || settleMillis > 3_600_000) {
            throw new IllegalArgumentException("rebalanceSettleMillis: " + settleMillis + " (expected: in [0, 3600000])");
        }
    }

    /** Settles for two periods. */
    public RebalancerConfig(long periodMillis, long leaseMillis, RebalancePolicy policy, String ownerId) {
        this(periodMillis, leaseMillis, policy, ownerId, 2 * periodMillis);
    }

    /** The defaults (5 s period, 10 s lease, 10 s settling, the default policy) for this owner. */
    public static RebalancerConfig defaults(String ownerId) {
        return new RebalancerConfig(DEFAULT_PERIOD_MILLIS, DEFAULT_LEASE_MILLIS, RebalancePolicy.DEFAULT, ownerId);
    }

    /**
     * An owner id for this process: {@code gateway:<host name>:<random suffix>}, the host name cut
     * to the characters an event actor may hold.
     */
    public static String ownerIdFor(String hostName, long randomSuffix) {
        String host = hostName == null ? "" : hostName.replaceAll("[^A-Za-z0-9_.-]", "");
        if (host.length() > 80) {
            host = host.substring(0, 80);
        }
        return "gateway:" + (host.isEmpty() ? "unknown" : host) + ":" + Long.toHexString(randomSuffix & 0xffffffffL);
    }
}
