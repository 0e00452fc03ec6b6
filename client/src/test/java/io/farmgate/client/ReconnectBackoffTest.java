package io.farmgate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ReconnectBackoffTest {

    private final ReconnectBackoff backoff = new ReconnectBackoff(10_000, 1_000, 30_000);
    /** The defaults: a 1012 spread over 5 s, a lost host over 10 s. */
    private final ReconnectBackoff defaults = ReconnectBackoff.DEFAULT;

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
    void aLostHostsClientsSpreadEvenlyOverTheLongerWindowAndAShedsOverTheShorterOne() {
        assertThat(defaults.firstRetryWindowMillis()).isEqualTo(5_000);
        assertThat(defaults.lostHostRetryWindowMillis()).isEqualTo(10_000);
        SplittableRandom random = new SplittableRandom(11);
        for (ReconnectCause lost : new ReconnectCause[] {ReconnectCause.ABNORMAL, ReconnectCause.GOING_AWAY}) {
            int[] perSecond = new int[10];
            long sum = 0;
            for (int i = 0; i < 20_000; i++) {
                long delay = defaults.firstRetryDelayMillis(lost, random);
                assertThat(delay).isBetween(0L, 9_999L);
                perSecond[(int) (delay / 1_000)]++;
                sum += delay;
            }
            // 2,000 expected in every second of the 10 s window (a 5 s window would leave the last five empty).
            assertThat(java.util.stream.IntStream.of(perSecond).boxed().toList()).as("%s", lost)
                    .allSatisfy(n -> assertThat(n).isBetween(1_850, 2_150));
            assertThat(sum / 20_000.0).as("mean delay of %s", lost).isBetween(4_900.0, 5_100.0);
        }
        for (int i = 0; i < 2_000; i++) {
            assertThat(defaults.firstRetryDelayMillis(ReconnectCause.SERVICE_RESTART, random)).isBetween(0L, 4_999L);
            assertThat(defaults.firstRetryDelayMillis(ReconnectCause.TRY_AGAIN_LATER, random)).isBetween(5_000L, 9_999L);
        }
    }

    @Test
    void theThreeArgumentFormUsesOneWindowForEveryCause() {
        assertThat(backoff.lostHostRetryWindowMillis()).isEqualTo(10_000);
        ReconnectBackoff longer = backoff.withLostHostRetryWindowMillis(60_000);
        assertThat(longer).isEqualTo(new ReconnectBackoff(10_000, 60_000, 1_000, 30_000));
        SplittableRandom random = new SplittableRandom(2);
        long longest = 0;
        for (int i = 0; i < 1_000; i++) {
            longest = Math.max(longest, longer.firstRetryDelayMillis(ReconnectCause.ABNORMAL, random));
        }
        assertThat(longest).isBetween(50_000L, 59_999L);
    }

    @Test
    void zeroLostHostWindowRetriesAtOnceAfterALostConnection() {
        ReconnectBackoff none = new ReconnectBackoff(1_000, 0, 1, 1);
        assertThat(none.firstRetryDelayMillis(ReconnectCause.ABNORMAL, new SplittableRandom(1))).isZero();
        assertThat(none.firstRetryDelayMillis(ReconnectCause.GOING_AWAY, new SplittableRandom(1))).isZero();
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
        assertThatThrownBy(() -> new ReconnectBackoff(0, -5, 1, 1))
                .hasMessage("lostHostRetryWindowMillis: -5 (expected: >= 0)");
        assertThatThrownBy(() -> ReconnectBackoff.DEFAULT.withLostHostRetryWindowMillis(-1))
                .hasMessage("lostHostRetryWindowMillis: -1 (expected: >= 0)");
        assertThatThrownBy(() -> new ReconnectBackoff(0, 0, 1))
                .hasMessage("initialRetryDelayMillis: 0 (expected: > 0)");
        assertThatThrownBy(() -> new ReconnectBackoff(0, 10, 5))
                .hasMessage("maxRetryDelayMillis: 5 (expected: >= initialRetryDelayMillis 10)");
    }
}
