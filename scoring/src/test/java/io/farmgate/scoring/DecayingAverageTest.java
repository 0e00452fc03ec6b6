package io.farmgate.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class DecayingAverageTest {

    private static final long HALF_LIFE = 10_000;

    private static DecayingAverage seededAtZero() {
        return DecayingAverage.empty(HALF_LIFE).add(0.0, 0L);
    }

    @Test
    void firstSampleBecomesTheValue() {
        DecayingAverage avg = DecayingAverage.empty(HALF_LIFE).add(0.8, 5L);

        assertThat(avg.value()).isEqualTo(0.8);
        assertThat(avg.seeded()).isTrue();
    }

    @Test
    void afterOneHalfLifeAStepInputIsHalfWay() {
        DecayingAverage avg = seededAtZero().add(1.0, HALF_LIFE);

        assertThat(avg.value()).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void afterTwoHalfLivesAStepInputIsThreeQuartersWay() {
        DecayingAverage avg = seededAtZero().add(1.0, 2 * HALF_LIFE);

        assertThat(avg.value()).isCloseTo(0.75, within(1e-12));
    }

    @Test
    void irregularSpacingReachesTheSameValueAsOneStep() {
        DecayingAverage avg = seededAtZero()
                .add(1.0, 1_000)
                .add(1.0, 8_000)
                .add(1.0, HALF_LIFE);

        assertThat(avg.value()).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void nanSampleIsIgnored() {
        DecayingAverage before = seededAtZero().add(0.4, 1_000);

        assertThat(before.add(Double.NaN, 2_000)).isEqualTo(before);
    }

    @Test
    void infiniteSampleIsIgnored() {
        DecayingAverage before = seededAtZero();

        assertThat(before.add(Double.POSITIVE_INFINITY, 2_000)).isEqualTo(before);
    }

    @Test
    void sampleFromThePastIsIgnored() {
        DecayingAverage before = seededAtZero().add(1.0, 5_000);

        assertThat(before.add(0.0, 4_000)).isEqualTo(before);
    }

    @Test
    void nonPositiveHalfLifeIsRejectedByName() {
        assertThatIllegalArgumentException().isThrownBy(() -> DecayingAverage.empty(0))
                .withMessage("halfLifeMillis: 0 (expected: > 0)");
    }
}
