package io.farmgate.scoring.pick;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.Reports;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The k-distinct pick a DNS answer makes: distinct hosts of the wanted kind, each counted in the ledger. */
@Timeout(10)
class DistinctPicksTest {

    private static final int A = 1;
    private static final int AAAA = 28;

    private final FarmSnapshot snapshot = Reports.firstSnapshot(List.of(Reports.report("h0", 10),
            Reports.report("h1", 20), Reports.report("h2", 30), Reports.report("h3", 40), Reports.report("h4", 50)));

    @Test
    void distinctHostsOfTheWantedKindOnly() {
        int[] kinds = {A, AAAA, A, A, AAAA};
        int[] chosen = new int[3];
        Picker picker = new TwoChoicePicker(new SplittableRandom(7));

        for (int round = 0; round < 200; round++) {
            int got = DistinctPicks.choose(snapshot, picker, kinds, A, 3, 3, 1, chosen);
            assertThat(got).isEqualTo(3);
            assertThat(new HashSet<>(Arrays.asList(chosen[0], chosen[1], chosen[2]))).containsExactlyInAnyOrder(0, 2, 3);
        }
        int[] two = new int[2];
        assertThat(DistinctPicks.choose(snapshot, picker, kinds, AAAA, 2, 5, 1, two)).isEqualTo(2);
        assertThat(two).containsExactlyInAnyOrder(1, 4);
    }

    @Test
    void aPickerThatKeepsDrawingTheSameHostIsFilledByLowestScore() {
        int[] kinds = {A, A, A, A, A};
        int[] chosen = new int[3];
        Picker alwaysTheLast = s -> 4;

        assertThat(DistinctPicks.choose(snapshot, alwaysTheLast, kinds, A, 5, 3, 1, chosen)).isEqualTo(3);
        assertThat(chosen).containsExactly(4, 0, 1);
    }

    @Test
    void eachChosenHostCarriesItsShareOfTheClientsTheAnswerStandsFor() {
        int[] kinds = {A, A, A, A, A};
        int[] chosen = new int[2];

        DistinctPicks.choose(snapshot, s -> 0, kinds, A, 5, 2, 9, chosen);

        assertThat(snapshot.pendingAssignments(chosen[0])).isEqualTo(5);
        assertThat(snapshot.pendingAssignments(chosen[1])).isEqualTo(5);
    }

    @Test
    void noneOfTheKindOrNoHostGivesNothing() {
        int[] kinds = {A, A, A, A, A};
        assertThat(DistinctPicks.choose(snapshot, s -> Picker.NO_HOST, kinds, AAAA, 0, 3, 1, new int[3])).isZero();
    }
}
