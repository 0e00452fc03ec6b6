package io.farmgate.scoring;

/**
 * A time-decayed exponentially weighted moving average: a sample taken {@code halfLifeMillis}
 * ago counts half as much as one taken now, whatever the sampling rate. Immutable; each sample
 * gives a new value.
 *
 * <p>For samples spaced {@code dt} apart the old value keeps the weight {@code 2^(-dt/halfLife)};
 * irregular or missed samples are therefore handled correctly, unlike a fixed-alpha EWMA.
 */
public record DecayingAverage(double value, long atMillis, long halfLifeMillis, boolean seeded) {

    public DecayingAverage {
        if (halfLifeMillis <= 0) {
            throw new IllegalArgumentException("halfLifeMillis: " + halfLifeMillis + " (expected: > 0)");
        }
    }

    /** An average that has seen no sample yet; its first sample becomes its value. */
    public static DecayingAverage empty(long halfLifeMillis) {
        return new DecayingAverage(0.0, 0L, halfLifeMillis, false);
    }

    /** The average after a sample taken at {@code nowMillis}. Samples from the past are ignored. */
    public DecayingAverage add(double sample, long nowMillis) {
        if (!Double.isFinite(sample)) {
            return this;
        }
        if (!seeded) {
            return new DecayingAverage(sample, nowMillis, halfLifeMillis, true);
        }
        long dt = nowMillis - atMillis;
        if (dt <= 0) {
            return this;
        }
        double keep = Math.pow(0.5, (double) dt / halfLifeMillis);
        return new DecayingAverage(keep * value + (1.0 - keep) * sample, nowMillis, halfLifeMillis, true);
    }
}
