package io.farmgate.scoring.pick;

import static io.farmgate.scoring.Reports.equalHosts;
import static io.farmgate.scoring.Reports.firstSnapshot;
import static io.farmgate.scoring.Reports.report;
import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LeastScorePickerTest {

    @Test
    void pickIsAlwaysTheMinimumScore() {
        SplittableRandom random = new SplittableRandom(3);
        LeastScorePicker picker = new LeastScorePicker();
        int checked = 0;
        for (int farm = 0; farm < 100; farm++) {
            List<HostReport> reports = new ArrayList<>();
            int n = 1 + random.nextInt(20);
            for (int i = 0; i < n; i++) {
                reports.add(report("h" + i, random.nextInt(1000), 1000, random.nextDouble()));
            }
            FarmSnapshot s = firstSnapshot(reports);
            double min = Double.POSITIVE_INFINITY;
            for (int i = 0; i < s.eligibleCount(); i++) {
                min = Math.min(min, s.baseScore(i));
            }
            for (int pick = 0; pick < 100; pick++) {
                assertThat(s.baseScore(picker.pick(s))).isEqualTo(min);
                checked++;
            }
        }
        assertThat(checked).isEqualTo(10_000);
    }

    @Test
    void tieGoesToTheFirstHost() {
        FarmSnapshot s = firstSnapshot(List.of(report("a", 500), report("b", 100), report("c", 100)));

        assertThat(new LeastScorePicker().pick(s)).isEqualTo(1);
    }

    @Test
    void recordedAssignmentsDoNotMoveItSoItHerds() {
        FarmSnapshot s = firstSnapshot(equalHosts(10, 100));

        PickCounts c = PickCounts.recorded(new LeastScorePicker(), s, 10_000);

        assertThat(c.count(0)).isEqualTo(10_000);
    }
}
