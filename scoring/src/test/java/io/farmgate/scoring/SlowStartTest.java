package io.farmgate.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SlowStartTest {

    private static final SlowStart RAMP = new SlowStart(10_000, 0.2);

    @Test
    void justJoinedHostStartsAtTheFloor() {
        assertThat(RAMP.factor(0)).isEqualTo(0.2);
    }

    @Test
    void negativeAgeFromClockStepStaysAtTheFloor() {
        assertThat(RAMP.factor(-5_000)).isEqualTo(0.2);
    }

    @Test
    void rampIsLinearBetweenFloorAndOne() {
        assertThat(RAMP.factor(2_500)).isCloseTo(0.4, within(1e-12));
        assertThat(RAMP.factor(5_000)).isCloseTo(0.6, within(1e-12));
        assertThat(RAMP.factor(7_500)).isCloseTo(0.8, within(1e-12));
    }

    @Test
    void factorIsOneAtTheEndOfTheWindow() {
        assertThat(RAMP.factor(10_000)).isEqualTo(1.0);
        assertThat(RAMP.factor(1_000_000)).isEqualTo(1.0);
    }

    @Test
    void offNeverThrottles() {
        assertThat(SlowStart.OFF.factor(0)).isEqualTo(1.0);
    }

    @Test
    void negativeWindowIsRejectedByName() {
        assertThatIllegalArgumentException().isThrownBy(() -> new SlowStart(-1, 0.5))
                .withMessage("slowStartWindowMillis: -1 (expected: >= 0)");
    }

    @Test
    void zeroFloorIsRejectedByName() {
        assertThatIllegalArgumentException().isThrownBy(() -> new SlowStart(1_000, 0.0))
                .withMessage("slowStartFloor: 0.0 (expected: in (0, 1])");
    }
}
