package io.farmgate.scoring.pick;

import static io.farmgate.scoring.Reports.equalHosts;
import static io.farmgate.scoring.Reports.firstSnapshot;
import static io.farmgate.scoring.Reports.report;
import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.scoring.FarmSnapshot;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandomPickerTest {

    @Test
    void spreadIsUniformWithinAChiSquareBound() {
        FarmSnapshot s = firstSnapshot(equalHosts(10, 100));

        PickCounts c = PickCounts.of(new RandomPicker(new SplittableRandom(1)), s, 10_000);

        assertThat(c.chiSquareAgainstUniform()).as("%s", c).isLessThan(PickCounts.CHI_SQUARE_9_DF_P999);
    }

    @Test
    void loadedHostGetsTheSameShareAsAnIdleOne() {
        FarmSnapshot s = firstSnapshot(List.of(report("busy", 990), report("idle", 0)));

        PickCounts c = PickCounts.of(new RandomPicker(new SplittableRandom(2)), s, 10_000);

        assertThat(c.share(0)).isBetween(0.47, 0.53);
    }
}
