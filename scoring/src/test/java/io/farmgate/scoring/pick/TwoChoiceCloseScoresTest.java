package io.farmgate.scoring.pick;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.scoring.SnapshotPolicy;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The soft comparison of close scores that keeps two-choice from herding on stale data. */
class TwoChoiceCloseScoresTest {

    private static final int PICKS = 20_000;

    /** Two hosts, "low" and "high", with these connection counts out of 10,000 and no CPU. */
    private static FarmSnapshot twoHosts(int low, int high) {
        return FarmSnapshot.initial(SnapshotPolicy.DEFAULT)
                .next(List.of(host("low", low), host("high", high)), Map.of(), 1_000L);
    }

    private static HostReport host(String id, int connections) {
        return new HostReport(id, "ws://" + id + ":9001", "10.0.0.1", "", connections, 10_000, 0.0,
                HostState.ACTIVE, 1.0, 0L, 1L);
    }

    /** Share of picks that went to the host with the lower score. */
    private static double lowerShare(TwoChoicePicker picker, FarmSnapshot s) {
        int low = s.eligible(0).id().equals("low") ? 0 : 1;
        int hits = 0;
        for (int i = 0; i < PICKS; i++) {
            if (picker.pick(s) == low) {
                hits++;
            }
        }
        return (double) hits / PICKS;
    }

    @Test
    void scoresHalfTheBandApartGoThreeToOneToTheLower() {
        // 1% apart with the default 2% band: the lower wins with 1/2 + 1/2 x 1/2.
        FarmSnapshot s = twoHosts(4_950, 5_000);

        assertThat(lowerShare(new TwoChoicePicker(new SplittableRandom(1)), s)).isBetween(0.73, 0.77);
    }

    @Test
    void scoresFurtherApartThanTheBandAlwaysGoToTheLower() {
        FarmSnapshot s = twoHosts(4_850, 5_000);

        assertThat(lowerShare(new TwoChoicePicker(new SplittableRandom(2)), s)).isEqualTo(1.0);
    }

    @Test
    void zeroCloseFractionMakesTheComparisonStrict() {
        FarmSnapshot s = twoHosts(4_999, 5_000);

        assertThat(lowerShare(new TwoChoicePicker(new SplittableRandom(3), 0.0), s)).isEqualTo(1.0);
    }

    @Test
    void refusesACloseFractionOutsideZeroToOne() {
        assertThatThrownBy(() -> new TwoChoicePicker(new SplittableRandom(4), 1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("closeFraction: 1.5 (expected: in [0, 1])");
    }
}
