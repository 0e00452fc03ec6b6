package io.farmgate.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DrainScheduleTest {

    @Test
    void everyConnectionIsShedWithinTheSpreadPartOfThePeriod() {
        var drain = DrainSchedule.start(0, 200, 10_000, new SplittableRandom(1));
        int open = 200;
        for (long now = 0; now <= 8_000; now += 100) {
            open -= drain.shedNow(now, open);
        }

        assertThat(open).isZero();
    }

    @Test
    void shedsAreSpreadRatherThanAllAtOnce() {
        var drain = DrainSchedule.start(0, 200, 10_000, new SplittableRandom(2));
        int open = 200;
        int largest = 0;
        int ticksWithSheds = 0;
        for (long now = 0; now < 8_000; now += 100) {
            int shed = drain.shedNow(now, open);
            open -= shed;
            largest = Math.max(largest, shed);
            ticksWithSheds += shed > 0 ? 1 : 0;
        }

        assertThat(largest).isLessThan(20);
        assertThat(ticksWithSheds).isGreaterThan(40);
    }

    @Test
    void lateArrivalsAreShedWhenTheSpreadEnds() {
        var drain = DrainSchedule.start(0, 2, 1_000, new SplittableRandom(3));
        int open = 2 - drain.shedNow(799, 2);

        assertThat(drain.shedNow(800, open + 5)).isEqualTo(open + 5);
    }

    @Test
    void neverShedsMoreThanAreOpen() {
        var drain = DrainSchedule.start(0, 100, 1_000, new SplittableRandom(4));

        assertThat(drain.shedNow(700, 3)).isLessThanOrEqualTo(3);
    }

    @Test
    void isOverOnlyWhenTheWholePeriodHasPassed() {
        var drain = DrainSchedule.start(1_000, 10, 5_000, new SplittableRandom(5));

        assertThat(drain.over(5_999)).isFalse();
        assertThat(drain.over(6_000)).isTrue();
    }
}
