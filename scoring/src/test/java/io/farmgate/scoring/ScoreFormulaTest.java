package io.farmgate.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ScoreFormulaTest {

    private static final ScoreFormula FORMULA = new ScoreFormula(0.7, 0.3);

    @Test
    void scoreBlendsConnectionUseAndCpu() {
        // 0.7 x 0.5 + 0.3 x 0.2 = 0.41
        assertThat(FORMULA.score(50, 100, 0.2, 1.0)).isCloseTo(0.41, within(1e-12));
    }

    @Test
    void weightsAreNormalisedSoOnlyTheirRatioCounts() {
        ScoreFormula scaled = new ScoreFormula(7, 3);

        assertThat(scaled.score(50, 100, 0.2, 1.0)).isCloseTo(FORMULA.score(50, 100, 0.2, 1.0), within(1e-12));
    }

    @Test
    void doubleWeightHalvesTheScore() {
        assertThat(FORMULA.score(50, 100, 0.2, 2.0)).isCloseTo(0.41 / 2, within(1e-12));
    }

    @Test
    void connectionUseIsCappedAtCapacity() {
        assertThat(FORMULA.score(300, 100, 1.0, 1.0)).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void perConnectionIncrementIsWhatOneMoreConnectionAdds() {
        double step = FORMULA.score(51, 100, 0.2, 2.0) - FORMULA.score(50, 100, 0.2, 2.0);

        assertThat(FORMULA.scorePerConnection(100, 2.0)).isCloseTo(step, within(1e-12));
    }

    @Test
    void cpuOnlyFormulaIgnoresConnections() {
        ScoreFormula cpuOnly = new ScoreFormula(0, 1);

        assertThat(cpuOnly.score(99, 100, 0.3, 1.0)).isCloseTo(0.3, within(1e-12));
        assertThat(cpuOnly.scorePerConnection(100, 1.0)).isZero();
    }

    @Test
    void negativeConnectionWeightIsRejectedByName() {
        assertThatIllegalArgumentException().isThrownBy(() -> new ScoreFormula(-0.1, 1))
                .withMessageStartingWith("connectionWeight: -0.1");
    }

    @Test
    void nanCpuWeightIsRejectedByName() {
        assertThatIllegalArgumentException().isThrownBy(() -> new ScoreFormula(1, Double.NaN))
                .withMessageStartingWith("cpuWeight: NaN");
    }

    @Test
    void allZeroWeightsAreRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> new ScoreFormula(0, 0))
                .withMessageStartingWith("connectionWeight + cpuWeight");
    }
}
