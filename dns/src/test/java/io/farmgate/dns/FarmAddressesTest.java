package io.farmgate.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.pick.Picker;
import io.farmgate.scoring.pick.TwoChoicePicker;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/** Choosing the hosts of one apex answer from a snapshot, and what it records. */
class FarmAddressesTest {

    private static final Name ZONE = RunningServer.name(RunningServer.ZONE);

    private static long totalPending(FarmSnapshot s) {
        long sum = 0;
        for (int i = 0; i < s.eligibleCount(); i++) {
            sum += s.pendingAssignments(i);
        }
        return sum;
    }

    @Test
    void askingForMoreHostsThanEligibleAnswersEachOnce() {
        FarmSnapshot s = Farms.snapshot(Farms.ipv4Hosts(3));
        FarmAddresses farm = new FarmAddresses(s, ZONE, 5);

        List<Record> chosen = farm.choose(new TwoChoicePicker(new SplittableRandom(1)), Type.A, 8, 12);

        assertThat(chosen).extracting(Record::rdataToString)
                .containsExactlyInAnyOrder("10.0.0.1", "10.0.0.2", "10.0.0.3");
        assertThat(totalPending(s)).isEqualTo(12);
    }

    @Test
    void pickerThatKeepsRepeatingItselfIsCompletedByLowestScore() {
        List<HostReport> reports = new ArrayList<>();
        reports.add(Farms.host("busy", "10.0.0.1").next(900, 0.9, Farms.T0));
        reports.add(Farms.host("idle", "10.0.0.2").next(0, 0.0, Farms.T0));
        reports.add(Farms.host("mid", "10.0.0.3").next(500, 0.5, Farms.T0));
        FarmSnapshot s = Farms.snapshot(reports);
        Picker alwaysFirst = snapshot -> 0;

        List<Record> chosen = new FarmAddresses(s, ZONE, 5).choose(alwaysFirst, Type.A, 2, 2);

        assertThat(chosen).extracting(Record::rdataToString).containsExactly("10.0.0.1", "10.0.0.2");
    }

    @Test
    void noHostOfTheFamilyChoosesNothingAndRecordsNothing() {
        FarmSnapshot s = Farms.snapshot(Farms.ipv4Hosts(2));

        List<Record> chosen = new FarmAddresses(s, ZONE, 5).choose(new TwoChoicePicker(new SplittableRandom(1)),
                Type.AAAA, 1, 15);

        assertThat(chosen).isEmpty();
        assertThat(totalPending(s)).isZero();
    }

    @Test
    void clientsPerAnswerAreSplitRoundingUp() {
        FarmSnapshot s = Farms.snapshot(Farms.ipv4Hosts(4));

        new FarmAddresses(s, ZONE, 5).choose(new TwoChoicePicker(new SplittableRandom(1)), Type.A, 2, 15);

        assertThat(totalPending(s)).isEqualTo(16); // 8 each
    }

    @Test
    void hostWithoutAnAddressLiteralIsNeverAnswered() {
        List<HostReport> reports = List.of(Farms.host("good", "10.0.0.1"), Farms.host("bad", "not-an-ip"));
        FarmAddresses farm = new FarmAddresses(Farms.snapshot(reports), ZONE, 5);

        assertThat(farm.host("bad")).isNull();
        assertThat(farm.knows("bad")).isTrue();
        assertThat(farm.eligible(Type.A)).isEqualTo(1);
    }

    @Test
    void failStaticRotatesThroughTheLastKnownHosts() {
        FarmAddresses farm = new FarmAddresses(Farms.snapshot(Farms.ipv4Hosts(3)), ZONE, 5);

        List<String> firsts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            firsts.add(farm.failStatic(Type.A, 1).get(0).rdataToString());
        }

        assertThat(firsts).containsExactlyInAnyOrder("10.0.0.1", "10.0.0.2", "10.0.0.3");
    }
}
