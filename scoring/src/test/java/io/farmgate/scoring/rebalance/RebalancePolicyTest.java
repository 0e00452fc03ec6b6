package io.farmgate.scoring.rebalance;

import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RebalancePolicyTest {

    static Stream<Arguments> badPolicies() {
        return Stream.of(
                Arguments.of("toleranceFraction: -0.1 (expected: in [0, 10])",
                        (ThrowingCallable) () -> new RebalancePolicy(-0.1, 50, 0.25, 500, 0.5, 0.25)),
                Arguments.of("toleranceFraction: NaN (expected: in [0, 10])",
                        (ThrowingCallable) () -> new RebalancePolicy(Double.NaN, 50, 0.25, 500, 0.5, 0.25)),
                Arguments.of("maxShedPerHostPerPeriod: 0 (expected: > 0)",
                        (ThrowingCallable) () -> new RebalancePolicy(0.1, 0, 0.25, 500, 0.5, 0.25)),
                Arguments.of("maxShedFractionPerHostPerPeriod: 0.0 (expected: in (0, 1])",
                        (ThrowingCallable) () -> new RebalancePolicy(0.1, 50, 0.0, 500, 0.5, 0.25)),
                Arguments.of("maxShedFractionPerHostPerPeriod: 1.5 (expected: in (0, 1])",
                        (ThrowingCallable) () -> new RebalancePolicy(0.1, 50, 1.5, 500, 0.5, 0.25)),
                Arguments.of("maxShedFarmPerPeriod: -1 (expected: > 0)",
                        (ThrowingCallable) () -> new RebalancePolicy(0.1, 50, 0.25, -1, 0.5, 0.25)),
                Arguments.of("maxStaleFraction: 1.1 (expected: in [0, 1])",
                        (ThrowingCallable) () -> new RebalancePolicy(0.1, 50, 0.25, 500, 1.1, 0.25)),
                Arguments.of("shedIntoBandFraction: -0.5 (expected: in [0, 1])",
                        (ThrowingCallable) () -> new RebalancePolicy(0.1, 50, 0.25, 500, 0.5, -0.5)),
                Arguments.of("shedIntoBandFraction: 1.5 (expected: in [0, 1])",
                        (ThrowingCallable) () -> new RebalancePolicy(0.1, 50, 0.25, 500, 0.5, 1.5)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPolicies")
    void badFieldIsRejectedWithItsNameAndRange(String message, ThrowingCallable build) {
        assertThatIllegalArgumentException().isThrownBy(build).withMessage(message);
    }
}
