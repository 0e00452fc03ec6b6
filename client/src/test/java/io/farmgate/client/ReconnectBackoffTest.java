package io.farmgate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class ReconnectBackoffTest {

    private final ReconnectBackoff backoff = new ReconnectBackoff(10_000, 1_000, 30_000);

    @Test
    void firstRetriesOfADrainedHostSpreadEvenlyOverTheWindow() {
        SplittableRandom random = new SplittableRandom(42);
        int[] perSecond = new int[10];
        for (int i = 0; i < 10_000; i++) {
            long delay = backoff.firstRetryDelayMillis(ReconnectCause.SERVICE_RESTART, random);
            assertThat(delay).isBetween(0L, 9_999L);
            perSecond[(int) (delay / 1_000)]++;
        }
        // 1,000 expected per second of the window: no second gets a herd.
        assertThat(java.util.stream.IntStream.of(perSecond).boxed().toList()).allSatisfy(n -> assertThat(n).isBetween(900, 1_100));
    }

    @Test
    void theSameSeedGivesTheSameRetrySchedule() {
        long[] first = schedule(new SplittableRandom(5));
        long[] second = schedule(new SplittableRandom(5));
        assertThat(first).containsExactly(second);
        assertThat(LongStream.of(first).distinct().count()).isGreaterThan(90);
    }

    private long[] schedule(SplittableRandom random) {
        return LongStream.range(0, 100).map(i -> backoff.firstRetryDelayMillis(ReconnectCause.ABNORMAL, random)).toArray();
    }

    @Test
    void tryAgainLaterWaitsOneWindowThenSpreadsOverTheNext() {
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 1_000; i++) {
            assertThat(backoff.firstRetryDelayMillis(ReconnectCause.TRY_AGAIN_LATER, random)).isBetween(10_000L, 19_999L);
        }
    }

    @Test
    void zeroWindowRetriesAtOnce() {
        ReconnectBackoff none = new ReconnectBackoff(0, 1, 1);
        assertThat(none.firstRetryDelayMillis(ReconnectCause.SERVICE_RESTART, new SplittableRandom(1))).isZero();
    }

    @Test
    void failureDelaysDoubleWithinTheUpperHalfOfEachStepUpToTheMaximum() {
        SplittableRandom random = new SplittableRandom(3);
        long[] steps = {1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000};
        for (int failures = 1; failures <= steps.length; failures++) {
            long step = steps[failures - 1];
            for (int i = 0; i < 200; i++) {
                assertThat(backoff.delayAfterFailureMillis(failures, random)).isBetween(step / 2, step);
            }
        }
        assertThat(backoff.delayAfterFailureMillis(Integer.MAX_VALUE, random)).isBetween(15_000L, 30_000L);
    }

    @Test
    void invalidSettingsNameTheFieldAndTheExpectedRange() {
        assertThatThrownBy(() -> new ReconnectBackoff(-1, 1, 1))
                .hasMessage("firstRetryWindowMillis: -1 (expected: >= 0)");
        assertThatThrownBy(() -> new ReconnectBackoff(0, 0, 1))
                .hasMessage("initialRetryDelayMillis: 0 (expected: > 0)");
        assertThatThrownBy(() -> new ReconnectBackoff(0, 10, 5))
                .hasMessage("maxRetryDelayMillis: 5 (expected: >= initialRetryDelayMillis 10)");
    }
}
