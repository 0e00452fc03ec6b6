package io.farmgate.dns;

import static io.farmgate.dns.Farms.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.dns.QueryResponder.Transport;
import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Answers follow the farm: the snapshot read on every query, a drained or vanished host gone at once. */
class SnapshotChangeTest {

    private static final int QUERIES = 200;

    private static Set<String> apexAddresses(RunningServer s, Transport transport) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < QUERIES; i++) {
            for (Record r : s.query(RunningServer.ZONE, Type.A, transport).getSection(Section.ANSWER)) {
                seen.add(r.rdataToString());
            }
        }
        return seen;
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void drainedHostIsNeverAnsweredAfterTheNextSnapshot(Transport transport) {
        FarmSnapshot first = snapshot(Farms.ipv4Hosts(3));
        try (RunningServer s = RunningServer.start(RunningServer.config().answerCount(2).build(), first)) {
            assertThat(apexAddresses(s, transport)).contains("10.0.0.2");

            s.farm.set(Farms.next(first, Farms.ipv4Hosts(3), Map.of("h2", Farms.draining())));

            assertThat(apexAddresses(s, transport)).containsExactlyInAnyOrder("10.0.0.1", "10.0.0.3");
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void hostDrainingByItsOwnReportIsNeverAnswered(Transport transport) {
        FarmSnapshot first = snapshot(Farms.ipv4Hosts(3));
        List<HostReport> reports = List.of(Farms.ipv4Hosts(3).get(0),
                Farms.ipv4Hosts(3).get(1).withState(io.farmgate.scoring.HostState.DRAINING),
                Farms.ipv4Hosts(3).get(2));
        try (RunningServer s = RunningServer.start(first)) {
            s.farm.set(Farms.next(first, reports, Map.of()));

            assertThat(apexAddresses(s, transport)).doesNotContain("10.0.0.2").isNotEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void vanishedHostIsNeverAnsweredAndItsNameBecomesNxdomain(Transport transport) {
        FarmSnapshot first = snapshot(Farms.ipv4Hosts(3));
        try (RunningServer s = RunningServer.start(first)) {
            assertThat(s.query("h3." + RunningServer.ZONE, Type.A, transport).getRcode()).isEqualTo(Rcode.NOERROR);

            s.farm.set(Farms.next(first, Farms.ipv4Hosts(2), Map.of()));

            assertThat(apexAddresses(s, transport)).containsExactlyInAnyOrder("10.0.0.1", "10.0.0.2");
            Message m = s.query("h3." + RunningServer.ZONE, Type.A, transport);
            assertThat(m.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void newHostIsAnsweredByNameAsSoonAsItIsInTheSnapshot(Transport transport) {
        FarmSnapshot first = snapshot(Farms.ipv4Hosts(2));
        try (RunningServer s = RunningServer.start(first)) {
            assertThat(s.query("h3." + RunningServer.ZONE, Type.A, transport).getRcode()).isEqualTo(Rcode.NXDOMAIN);

            s.farm.set(Farms.next(first, Farms.ipv4Hosts(3), Map.of()));

            assertThat(s.query("h3." + RunningServer.ZONE, Type.A, transport).getSection(Section.ANSWER))
                    .singleElement().extracting(Record::rdataToString).isEqualTo("10.0.0.3");
        }
    }
}
