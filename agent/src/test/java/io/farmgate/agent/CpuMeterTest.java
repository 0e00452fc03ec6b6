package io.farmgate.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import org.junit.jupiter.api.Test;

class CpuMeterTest {

    /** Readings handed out in order; null stands for a failed read. */
    private static CpuSource readings(CpuTime... times) {
        var queue = new ArrayDeque<>(List.of(times));
        return () -> {
            CpuTime t = queue.poll();
            if (t == null || t.busyNanos() < 0) {
                throw new IOException("gone");
            }
            return t;
        };
    }

    @Test
    void firstReadingGivesNoAverageYet() {
        var meter = new CpuMeter(readings(new CpuTime(0, 0)), 1000);

        assertThat(meter.sample(0)).isZero();
    }

    @Test
    void averageFollowsUsageWithTheConfiguredHalfLife() {
        var meter = new CpuMeter(readings(
                new CpuTime(0, 0), new CpuTime(800, 1000), new CpuTime(800, 2000)), 1000);
        meter.sample(0);

        assertThat(meter.sample(1000)).isCloseTo(0.8, within(1e-9));
        // Idle for one half-life: half of the old value is left.
        assertThat(meter.sample(2000)).isCloseTo(0.4, within(1e-9));
    }

    @Test
    void failedReadKeepsTheLastAverageAndIsCounted() {
        var meter = new CpuMeter(readings(
                new CpuTime(0, 0), new CpuTime(500, 1000), new CpuTime(-1, 0)), 1000);
        meter.sample(0);
        meter.sample(1000);

        assertThat(meter.sample(2000)).isCloseTo(0.5, within(1e-9));
        assertThat(meter.failedReads()).isEqualTo(1);
    }
}
