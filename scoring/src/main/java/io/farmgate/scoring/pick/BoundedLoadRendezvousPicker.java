package io.farmgate.scoring.pick;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.KeyHash;

/**
 * Client affinity with bounded load: a client key goes to the host with the highest rendezvous
 * hash for that key, skipping hosts whose effective score is above {@code (1 + epsilon)} times
 * the mean, so a hot key set cannot overload one host. When a host leaves, only its own keys
 * move; when it is overloaded, keys spill to their next-ranked host. Requests without a key go
 * to the fallback picker. One pass over the eligible hosts, no allocation.
 */
public final class BoundedLoadRendezvousPicker implements Picker {

    public static final double DEFAULT_EPSILON = 0.25;

    private final double epsilon;
    private final Picker fallback;

    public BoundedLoadRendezvousPicker(double epsilon, Picker fallback) {
        if (!(epsilon >= 0.0) || !Double.isFinite(epsilon)) {
            throw new IllegalArgumentException("epsilon: " + epsilon + " (expected: >= 0)");
        }
        this.epsilon = epsilon;
        this.fallback = fallback;
    }

    @Override
    public int pick(FarmSnapshot snapshot) {
        return fallback.pick(snapshot);
    }

    @Override
    public int pick(FarmSnapshot snapshot, long clientKeyHash) {
        int n = snapshot.eligibleCount();
        if (n == 0) {
            return NO_HOST;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += snapshot.effectiveScore(i);
        }
        double limit = (1.0 + epsilon) * (sum / n);
        int best = NO_HOST;
        long bestRank = 0;
        int leastLoaded = 0;
        double leastScore = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double score = snapshot.effectiveScore(i);
            if (score < leastScore) {
                leastScore = score;
                leastLoaded = i;
            }
            if (score > limit) {
                continue;
            }
            long rank = KeyHash.mix(clientKeyHash ^ snapshot.keyHash(i));
            if (best == NO_HOST || Long.compareUnsigned(rank, bestRank) > 0) {
                best = i;
                bestRank = rank;
            }
        }
        // Some host is always at or below the mean; this guards against rounding only.
        return best == NO_HOST ? leastLoaded : best;
    }
}
