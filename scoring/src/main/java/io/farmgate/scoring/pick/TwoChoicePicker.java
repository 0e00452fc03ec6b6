package io.farmgate.scoring.pick;

import io.farmgate.scoring.FarmSnapshot;
import java.util.random.RandomGenerator;

/**
 * Power of two choices: sample two distinct eligible hosts and take the one with the lower
 * effective score (reported score plus this process's assignments since the report). Sampling
 * two instead of scanning all keeps many gateways with stale data from herding onto one host,
 * while still steering clear of loaded ones. Hosts in slow start are admitted as candidates with
 * their slow-start probability, which caps their share of new clients while they ramp up.
 *
 * <p>The comparison is soft for close scores: the lower one wins with probability
 * {@code 1/2 + 1/2 * min(1, gap / (closeFraction * higher))}, so equal scores are a coin toss and
 * scores {@code closeFraction} apart (relative to the higher) or more a sure thing. A strict
 * comparison hands the host that is lowest by a hair every pair it is drawn into, at every gateway
 * alike, until the next heartbeat: twice its share, an interval at a time. Differences that small
 * are within what one heartbeat interval of stale data hides anyway (docs/balance.md).
 */
public final class TwoChoicePicker implements Picker {

    /** Resampling bound for slow-start rejection; past it the last candidate stands. */
    private static final int MAX_ADMIT_TRIES = 8;

    /** Relative score gap from which the lower score always wins; tuned with the farm simulator. */
    public static final double DEFAULT_CLOSE_FRACTION = 0.02;

    private final RandomGenerator random;
    private final double closeFraction;

    public TwoChoicePicker(RandomGenerator random) {
        this(random, DEFAULT_CLOSE_FRACTION);
    }

    /**
     * @param closeFraction relative score gap in [0, 1] from which the lower score always wins;
     *                      0 makes the comparison strict
     */
    public TwoChoicePicker(RandomGenerator random, double closeFraction) {
        if (!(closeFraction >= 0.0 && closeFraction <= 1.0)) {
            throw new IllegalArgumentException("closeFraction: " + closeFraction + " (expected: in [0, 1])");
        }
        this.random = random;
        this.closeFraction = closeFraction;
    }

    @Override
    public int pick(FarmSnapshot snapshot) {
        return pickAmong(snapshot, null, snapshot.eligibleCount());
    }

    /**
     * The same choice among a subset of the eligible hosts: {@code among[0..n)} holds their eligible
     * indexes ({@code null}: all {@code n} eligible hosts). Returns an eligible index, or {@link #NO_HOST}.
     */
    public int pickAmong(FarmSnapshot snapshot, int[] among, int n) {
        if (n <= 1) {
            return n == 0 ? NO_HOST : at(among, 0);
        }
        int a = candidate(snapshot, among, n, -1);
        int b = candidate(snapshot, among, n, a);
        int ia = at(among, a);
        int ib = at(among, b);
        double sa = snapshot.effectiveScore(ia);
        double sb = snapshot.effectiveScore(ib);
        if (sa == sb) {
            return random.nextBoolean() ? ia : ib;
        }
        int lower = sa < sb ? ia : ib;
        int higher = lower == ia ? ib : ia;
        double gap = Math.abs(sa - sb);
        double band = closeFraction * Math.max(sa, sb);
        if (gap >= band) {
            return lower;
        }
        return random.nextDouble() < 0.5 + 0.5 * gap / band ? lower : higher;
    }

    private static int at(int[] among, int position) {
        return among == null ? position : among[position];
    }

    /** A random position in [0, n) other than {@code not}, admitted with its host's slow-start probability. */
    private int candidate(FarmSnapshot snapshot, int[] among, int n, int not) {
        int c = not;
        for (int tries = 0; tries < MAX_ADMIT_TRIES; tries++) {
            c = not < 0 ? random.nextInt(n) : (not + 1 + random.nextInt(n - 1)) % n;
            double admit = snapshot.admitProbability(at(among, c));
            if (admit >= 1.0 || random.nextDouble() < admit) {
                return c;
            }
        }
        return c;
    }
}
