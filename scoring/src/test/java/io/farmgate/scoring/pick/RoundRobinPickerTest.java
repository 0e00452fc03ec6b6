package io.farmgate.scoring.pick;

import static io.farmgate.scoring.Reports.equalHosts;
import static io.farmgate.scoring.Reports.firstSnapshot;
import static io.farmgate.scoring.Reports.report;
import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoundRobinPickerTest {

    @Test
    void spreadIsExactlyEvenWhateverTheLoad() {
        List<HostReport> reports = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            reports.add(report("h" + i, i * 100));
        }
        FarmSnapshot s = firstSnapshot(reports);

        PickCounts c = PickCounts.of(new RoundRobinPicker(), s, 10_000);

        for (int i = 0; i < 10; i++) {
            assertThat(c.count(i)).as("host %d of %s", i, c).isEqualTo(1_000);
        }
    }

    @Test
    void countsDifferByAtMostOneWhenPicksDoNotDivideEvenly() {
        FarmSnapshot s = firstSnapshot(equalHosts(7, 0));

        PickCounts c = PickCounts.of(new RoundRobinPicker(), s, 10_000);

        for (int i = 0; i < 7; i++) {
            assertThat(c.count(i)).as("%s", c).isBetween(10_000L / 7, 10_000L / 7 + 1);
        }
    }

    @Test
    void hostsComeInTurn() {
        FarmSnapshot s = firstSnapshot(equalHosts(3, 0));
        RoundRobinPicker p = new RoundRobinPicker();

        List<Integer> picks = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            picks.add(p.pick(s));
        }

        assertThat(picks).containsExactly(0, 1, 2, 0, 1, 2, 0);
    }
}
