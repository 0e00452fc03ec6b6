package io.farmgate.scoring.pick;

import static io.farmgate.scoring.Reports.equalHosts;
import static io.farmgate.scoring.Reports.firstSnapshot;
import static io.farmgate.scoring.Reports.report;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.KeyHash;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BoundedLoadRendezvousPickerTest {

    private static final int KEYS = 10_000;

    private static BoundedLoadRendezvousPicker picker() {
        return new BoundedLoadRendezvousPicker(0.25, new RoundRobinPicker());
    }

    private static long key(int i) {
        return KeyHash.of("client-" + i);
    }

    private static String hostFor(Picker p, FarmSnapshot s, long key) {
        return s.eligible(p.pick(s, key)).id();
    }

    @Test
    void sameKeyAlwaysGetsTheSameHost() {
        FarmSnapshot s = firstSnapshot(equalHosts(10, 100));
        String first = hostFor(picker(), s, key(42));

        for (int i = 0; i < 100; i++) {
            assertThat(hostFor(picker(), s, key(42))).isEqualTo(first);
        }
    }

    @Test
    void sameKeyGetsTheSameHostFromAnotherGatewaysSnapshot() {
        FarmSnapshot mine = firstSnapshot(equalHosts(10, 100));
        FarmSnapshot theirs = firstSnapshot(equalHosts(10, 100));

        for (int i = 0; i < 100; i++) {
            assertThat(hostFor(picker(), theirs, key(i))).isEqualTo(hostFor(picker(), mine, key(i)));
        }
    }

    @Test
    void keysSpreadUniformlyOverEqualHosts() {
        FarmSnapshot s = firstSnapshot(equalHosts(10, 100));
        Picker p = picker();
        long[] counts = new long[10];
        for (int i = 0; i < KEYS; i++) {
            counts[p.pick(s, key(i))]++;
        }

        double expected = KEYS / 10.0;
        double chi = 0;
        for (long c : counts) {
            chi += (c - expected) * (c - expected) / expected;
        }
        assertThat(chi).isLessThan(PickCounts.CHI_SQUARE_9_DF_P999);
    }

    @Test
    void keyMovesWhenItsHostIsAboveTheLoadBound() {
        // Its home at 200 against four at 100: mean 120, bound 1.25 x 120 = 150.
        assertThat(hostOfKeyWhenItsHomeHas(200)).isNotEqualTo(homeOfKey());
    }

    @Test
    void keyStaysWhileItsHostIsWithinTheLoadBound() {
        // Its home at 130 against four at 100: mean 106, bound 1.25 x 106 = 132.5.
        assertThat(hostOfKeyWhenItsHomeHas(130)).isEqualTo(homeOfKey());
    }

    /** Where client key 7 goes among five equal hosts. */
    private static String homeOfKey() {
        return hostFor(picker(), firstSnapshot(equalHosts(5, 100)), key(7));
    }

    /** Where client key 7 goes when its home has {@code connections} and the four others 100. */
    private static String hostOfKeyWhenItsHomeHas(int connections) {
        FarmSnapshot s = firstSnapshot(withConnections(equalHosts(5, 100), homeOfKey(), connections));
        return hostFor(picker(), s, key(7));
    }

    @Test
    void recordedAssignmentsCountTowardTheLoadBound() {
        FarmSnapshot s = firstSnapshot(equalHosts(5, 100));
        Picker p = picker();
        int home = p.pick(s, key(7));

        s.recordAssignment(home, 100);

        assertThat(p.pick(s, key(7))).isNotEqualTo(home);
    }

    @Test
    void whenAHostLeavesOnlyItsKeysMove() {
        List<HostReport> ten = equalHosts(10, 100);
        FarmSnapshot before = firstSnapshot(ten);
        String leaving = "h03";
        FarmSnapshot after = firstSnapshot(ten.stream().filter(r -> !r.hostId().equals(leaving)).toList());
        Picker p = picker();

        int moved = 0;
        for (int i = 0; i < KEYS; i++) {
            String was = hostFor(p, before, key(i));
            String is = hostFor(p, after, key(i));
            if (!was.equals(leaving)) {
                assertThat(is).as("key %d", i).isEqualTo(was);
            } else {
                moved++;
            }
        }
        assertThat((double) moved / KEYS).isBetween(0.08, 0.12);
    }

    @Test
    void pickWithoutAKeyGoesToTheFallback() {
        FarmSnapshot s = firstSnapshot(equalHosts(3, 100));
        Picker p = picker();

        assertThat(List.of(p.pick(s), p.pick(s), p.pick(s))).containsExactly(0, 1, 2);
    }

    @Test
    void negativeEpsilonIsRejectedByName() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new BoundedLoadRendezvousPicker(-0.1, new RoundRobinPicker()))
                .withMessage("epsilon: -0.1 (expected: >= 0)");
    }

    private static List<HostReport> withConnections(List<HostReport> reports, String hostId, int connections) {
        List<HostReport> out = new ArrayList<>();
        for (HostReport r : reports) {
            out.add(r.hostId().equals(hostId) ? report(hostId, connections) : r);
        }
        return out;
    }
}
