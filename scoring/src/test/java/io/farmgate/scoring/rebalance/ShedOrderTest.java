package io.farmgate.scoring.rebalance;

import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class ShedOrderTest {

    @Test
    void zeroCountIsRejectedByName() {
        assertThatIllegalArgumentException().isThrownBy(() -> new ShedOrder("a", 0, "why"))
                .withMessage("count: 0 (expected: > 0)");
    }
}
