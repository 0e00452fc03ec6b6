package io.farmgate.scoring.pick;

import io.farmgate.scoring.FarmSnapshot;
import java.util.random.RandomGenerator;

/**
 * Power of two choices: sample two distinct eligible hosts and take the one with the lower
 * effective score (reported score plus this process's assignments since the report). Sampling
 * two instead of scanning all keeps many gateways with stale data from herding onto one host,
 * while still steering clear of loaded ones. Hosts in slow start are admitted as candidates with
 * their slow-start probability, which caps their share of new clients while they ramp up.
 */
public final class TwoChoicePicker implements Picker {

    /** Resampling bound for slow-start rejection; past it the last candidate stands. */
    private static final int MAX_ADMIT_TRIES = 8;

    private final RandomGenerator random;

    public TwoChoicePicker(RandomGenerator random) {
        this.random = random;
    }

    @Override
    public int pick(FarmSnapshot snapshot) {
        int n = snapshot.eligibleCount();
        if (n <= 1) {
            return n == 0 ? NO_HOST : 0;
        }
        int a = candidate(snapshot, n, -1);
        int b = candidate(snapshot, n, a);
        double sa = snapshot.effectiveScore(a);
        double sb = snapshot.effectiveScore(b);
        if (sa == sb) {
            return random.nextBoolean() ? a : b;
        }
        return sa < sb ? a : b;
    }

    /** A random eligible host other than {@code not}, admitted with its slow-start probability. */
    private int candidate(FarmSnapshot snapshot, int n, int not) {
        int c = not;
        for (int tries = 0; tries < MAX_ADMIT_TRIES; tries++) {
            c = not < 0 ? random.nextInt(n) : (not + 1 + random.nextInt(n - 1)) % n;
            double admit = snapshot.admitProbability(c);
            if (admit >= 1.0 || random.nextDouble() < admit) {
                return c;
            }
        }
        return c;
    }
}
