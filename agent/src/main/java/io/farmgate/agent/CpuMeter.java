package io.farmgate.agent;

import io.farmgate.scoring.DecayingAverage;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a cumulative {@link CpuSource} into a time-decayed average of CPU use in [0, 1]. A
 * reading that fails is skipped and counted; the average keeps its last value. Used by one thread.
 */
final class CpuMeter {

    private static final Logger log = LoggerFactory.getLogger(CpuMeter.class);

    private final CpuSource source;
    private DecayingAverage average;
    private CpuTime previous;
    private long failedReads;

    CpuMeter(CpuSource source, long halfLifeMillis) {
        this.source = source;
        this.average = DecayingAverage.empty(halfLifeMillis);
    }

    /** Reads the source and returns the average including this sample (0 until two readings exist). */
    double sample(long nowMillis) {
        CpuTime now;
        try {
            now = source.read();
        } catch (IOException | RuntimeException e) {
            failedReads++;
            if (failedReads == 1 || failedReads % 60 == 0) {
                log.warn("cannot read CPU use ({} failed reads so far): {}", failedReads, e.toString());
            }
            return average();
        }
        if (previous != null) {
            average = average.add(now.usageSince(previous), nowMillis);
        }
        previous = now;
        return average();
    }

    double average() {
        return average.seeded() ? Math.max(0.0, Math.min(1.0, average.value())) : 0.0;
    }

    long failedReads() {
        return failedReads;
    }
}
