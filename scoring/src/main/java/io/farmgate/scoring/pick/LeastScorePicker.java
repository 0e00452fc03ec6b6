package io.farmgate.scoring.pick;

import io.farmgate.scoring.FarmSnapshot;

/**
 * The lowest reported score wins; ties go to the first. The naive policy, kept as a baseline:
 * with stale data every gateway sends every new client to the same host until the next
 * heartbeat (herding).
 */
public final class LeastScorePicker implements Picker {

    @Override
    public int pick(FarmSnapshot snapshot) {
        int n = snapshot.eligibleCount();
        int best = NO_HOST;
        double bestScore = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double s = snapshot.baseScore(i);
            if (s < bestScore) {
                bestScore = s;
                best = i;
            }
        }
        return best;
    }
}
