package io.farmgate.scoring.pick;

import static io.farmgate.scoring.Reports.firstSnapshot;
import static io.farmgate.scoring.Reports.report;
import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostState;
import io.farmgate.scoring.KeyHash;
import io.farmgate.scoring.SnapshotPolicy;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EmptyFarmTest {

    @ParameterizedTest
    @EnumSource(PickerKind.class)
    void emptySnapshotGivesNoHost(PickerKind kind) {
        Picker p = kind.create(new SplittableRandom(11));
        FarmSnapshot empty = FarmSnapshot.initial(SnapshotPolicy.DEFAULT);

        assertThat(p.pick(empty)).isEqualTo(Picker.NO_HOST);
        assertThat(p.pick(empty, KeyHash.of("client"))).isEqualTo(Picker.NO_HOST);
    }

    @ParameterizedTest
    @EnumSource(PickerKind.class)
    void farmWithoutEligibleHostsGivesNoHost(PickerKind kind) {
        Picker p = kind.create(new SplittableRandom(12));
        FarmSnapshot allOut = firstSnapshot(List.of(
                report("a", 1).withState(HostState.DRAINING), report("b", 1000, 1000, 0.0)));

        assertThat(p.pick(allOut)).isEqualTo(Picker.NO_HOST);
        assertThat(p.pick(allOut, KeyHash.of("client"))).isEqualTo(Picker.NO_HOST);
    }
}
