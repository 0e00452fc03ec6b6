package io.farmgate.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ShedPacerTest {

    private static final long TICK_MILLIS = 50;

    /** Runs the pacer over a host whose count drops by what it sheds; returns sheds per tick. */
    private static List<Integer> run(ShedPacer pacer, int connections, int target, long durationMillis) {
        List<Integer> perTick = new ArrayList<>();
        int open = connections;
        for (long now = 0; now < durationMillis; now += TICK_MILLIS) {
            int shed = pacer.shedNow(now, open, target);
            perTick.add(shed);
            open -= shed;
        }
        return perTick;
    }

    private static int windowSum(List<Integer> perTick, int window) {
        int ticksPerWindow = (int) (ShedPacer.WINDOW_MILLIS / TICK_MILLIS);
        return perTick.subList(window * ticksPerWindow, (window + 1) * ticksPerWindow).stream()
                .mapToInt(Integer::intValue).sum();
    }

    @Test
    void shedsExactlyTheExcessInTheEnd() {
        var pacer = new ShedPacer(0.1, 1, new SplittableRandom(1));

        List<Integer> perTick = run(pacer, 100, 60, 30_000);

        assertThat(perTick.stream().mapToInt(Integer::intValue).sum()).isEqualTo(40);
    }

    @Test
    void noWindowShedsMoreThanTheBoundedFraction() {
        var pacer = new ShedPacer(0.1, 1, new SplittableRandom(2));

        List<Integer> perTick = run(pacer, 100, 0, 5_000);

        int open = 100;
        for (int w = 0; w < 5; w++) {
            int shed = windowSum(perTick, w);
            assertThat(shed).as("window %d", w).isLessThanOrEqualTo(open / 10);
            open -= shed;
        }
    }

    @Test
    void shedsAtCloseToTheBoundedRateRatherThanStalling() {
        var pacer = new ShedPacer(0.1, 1, new SplittableRandom(2));

        List<Integer> perTick = run(pacer, 100, 0, 5_000);

        // 10 + 9 + 8 + 7 + 6 at the full rate; the moments of the last window may still be ahead.
        assertThat(perTick.stream().mapToInt(Integer::intValue).sum()).isBetween(34, 40);
    }

    @Test
    void shedsOfOneWindowAreSpreadOverSeveralMoments() {
        var pacer = new ShedPacer(0.2, 1, new SplittableRandom(3));

        List<Integer> perTick = run(pacer, 100, 0, 1_000);

        assertThat(perTick.stream().filter(n -> n > 0).count()).isGreaterThanOrEqualTo(5);
        assertThat(perTick).allMatch(n -> n < 20);
    }

    @Test
    void smallHostShedsAtLeastTheMinimumPerSecond() {
        var pacer = new ShedPacer(0.01, 2, new SplittableRandom(4));

        List<Integer> perTick = run(pacer, 10, 0, 3_000);

        // 2 per second, whatever 1% of 10 rounds to.
        assertThat(perTick.stream().mapToInt(Integer::intValue).sum()).isBetween(4, 6);
    }

    @Test
    void shedsNothingAtOrBelowTheTarget() {
        var pacer = new ShedPacer(0.5, 1, new SplittableRandom(5));

        assertThat(run(pacer, 40, 40, 3_000)).allMatch(n -> n == 0);
        assertThat(run(pacer, 30, 40, 3_000)).allMatch(n -> n == 0);
    }

    @Test
    void neverShedsMoreThanIsStillOverWhenClientsLeaveByThemselves() {
        var pacer = new ShedPacer(1.0, 1, new SplittableRandom(6));
        pacer.shedNow(0, 50, 40);

        // The window planned 10 sheds, but 9 clients left on their own meanwhile.
        int shed = pacer.shedNow(999, 41, 40);

        assertThat(shed).isEqualTo(1);
    }

    @Test
    void fractionOutsideItsRangeIsRefusedByName() {
        assertThatThrownBy(() -> new ShedPacer(0, 1, new SplittableRandom(7)))
                .hasMessage("shedFractionPerSecond: 0.0 (expected: in (0, 1])");
    }
}
