package io.farmgate.dns;

import static io.farmgate.dns.Farms.host;
import static io.farmgate.dns.Farms.ip;
import static io.farmgate.dns.Farms.ipv4Hosts;
import static io.farmgate.dns.Farms.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.dns.QueryResponder.Transport;
import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.HINFORecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The behaviour table of docs/dns.md, each row over real UDP and TCP packets via dnsjava's resolver. */
class AuthoritativeAnswersTest {

    private static final String APEX = RunningServer.ZONE;

    @ParameterizedTest
    @EnumSource(Transport.class)
    void apexAnswerIsAuthoritativeWithoutRecursionAvailable(Transport transport) {
        try (RunningServer s = RunningServer.start(snapshot(ipv4Hosts(3)))) {
            Message m = s.query(APEX, Type.A, transport);

            assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
            assertThat(m.getHeader().getFlag(Flags.RA)).isFalse();
            assertThat(m.getHeader().getFlag(Flags.RD)).isTrue(); // copied from the query
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void apexAAnswersOneEligibleHostByDefault(Transport transport) {
        try (RunningServer s = RunningServer.start(snapshot(ipv4Hosts(3)))) {
            List<Record> answer = s.query(APEX, Type.A, transport).getSection(Section.ANSWER);

            assertThat(answer).hasSize(1);
            assertThat(((ARecord) answer.get(0)).getAddress().getHostAddress())
                    .isIn("10.0.0.1", "10.0.0.2", "10.0.0.3");
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void apexAnswerCarriesTheConfiguredTtl(Transport transport) {
        try (RunningServer s = RunningServer.start(RunningServer.config().ttlSeconds(7).build(),
                snapshot(ipv4Hosts(3)))) {
            Record r = s.query(APEX, Type.A, transport).getSection(Section.ANSWER).get(0);

            assertThat(r.getTTL()).isEqualTo(7);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void apexAnswersKDistinctHostsWhenConfigured(Transport transport) {
        try (RunningServer s = RunningServer.start(RunningServer.config().answerCount(3).build(),
                snapshot(ipv4Hosts(5)))) {
            List<Record> answer = s.query(APEX, Type.A, transport).getSection(Section.ANSWER);

            assertThat(answer).hasSize(3);
            assertThat(answer.stream().map(r -> ((ARecord) r).getAddress()).distinct()).hasSize(3);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void apexAnswerIsRecordedAsClientsPerAnswerAssignments(Transport transport) {
        DnsConfig config = RunningServer.config().answerCacheSeconds(60).newClientsPerCacheSecond(0.5).build();
        FarmSnapshot farm = snapshot(ipv4Hosts(3));
        try (RunningServer s = RunningServer.start(config, farm)) {
            String address = ((ARecord) s.query(APEX, Type.A, transport).getSection(Section.ANSWER).get(0))
                    .getAddress().getHostAddress();

            int index = eligibleIndexOf(farm, address);
            assertThat(farm.pendingAssignments(index)).isEqualTo(30);
            assertThat(totalPending(farm)).isEqualTo(30);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void hostsOfOneAnswerShareItsClients(Transport transport) {
        DnsConfig config = RunningServer.config().answerCount(3).answerCacheSeconds(60)
                .newClientsPerCacheSecond(0.5).build();
        FarmSnapshot farm = snapshot(ipv4Hosts(5));
        try (RunningServer s = RunningServer.start(config, farm)) {
            for (Record r : s.query(APEX, Type.A, transport).getSection(Section.ANSWER)) {
                int index = eligibleIndexOf(farm, ((ARecord) r).getAddress().getHostAddress());
                assertThat(farm.pendingAssignments(index)).isEqualTo(10);
            }
            assertThat(totalPending(farm)).isEqualTo(30);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void apexAaaaAnswersAnIpv6Host(Transport transport) {
        try (RunningServer s = RunningServer.start(snapshot(Farms.ipv6Hosts(2)))) {
            List<Record> answer = s.query(APEX, Type.AAAA, transport).getSection(Section.ANSWER);

            assertThat(answer).singleElement().isInstanceOf(AAAARecord.class);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void apexAaaaInAnIpv4FarmIsEmptyWithSoa(Transport transport) {
        FarmSnapshot farm = snapshot(ipv4Hosts(2));
        try (RunningServer s = RunningServer.start(farm)) {
            Message m = s.query(APEX, Type.AAAA, transport);

            assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(m.getSection(Section.ANSWER)).isEmpty();
            assertThat(m.getSection(Section.AUTHORITY)).singleElement().isInstanceOf(SOARecord.class);
            assertThat(totalPending(farm)).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void apexAInAMixedFarmAnswersOnlyIpv4Hosts(Transport transport) {
        List<HostReport> mixed = new ArrayList<>(ipv4Hosts(2));
        mixed.addAll(Farms.ipv6Hosts(6));
        try (RunningServer s = RunningServer.start(RunningServer.config().answerCount(2).build(), snapshot(mixed))) {
            List<Record> answer = s.query(APEX, Type.A, transport).getSection(Section.ANSWER);

            assertThat(answer).hasSize(2).allMatch(r -> r instanceof ARecord);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void apexSoaAnswersTheConfiguredFields(Transport transport) {
        DnsConfig config = RunningServer.config()
                .soa(new DnsConfig.Soa("admin.example.com", 2024, 7200, 900, 1_209_600, 30)).build();
        try (RunningServer s = RunningServer.start(config, snapshot(ipv4Hosts(1)))) {
            SOARecord soa = (SOARecord) s.query(APEX, Type.SOA, transport).getSection(Section.ANSWER).get(0);

            assertThat(soa.getHost()).isEqualTo(RunningServer.name("ns1." + APEX));
            assertThat(soa.getAdmin()).isEqualTo(RunningServer.name("admin.example.com"));
            assertThat(List.of(soa.getSerial(), soa.getRefresh(), soa.getRetry(), soa.getExpire(), soa.getMinimum()))
                    .containsExactly(2024L, 7200L, 900L, 1_209_600L, 30L);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void apexNsAnswersNameServersWithGlueForInZoneNamesOnly(Transport transport) {
        DnsConfig config = RunningServer.config().nameServers(List.of(
                new DnsConfig.NameServer("ns1." + APEX, List.of("192.0.2.53", "2001:db8::53")),
                new DnsConfig.NameServer("ns.other.net", List.of("198.51.100.53")))).build();
        try (RunningServer s = RunningServer.start(config, snapshot(ipv4Hosts(1)))) {
            Message m = s.query(APEX, Type.NS, transport);

            assertThat(m.getSection(Section.ANSWER)).map(r -> ((NSRecord) r).getTarget())
                    .containsExactly(RunningServer.name("ns1." + APEX), RunningServer.name("ns.other.net"));
            assertThat(m.getSection(Section.ADDITIONAL)).filteredOn(r -> !(r instanceof OPTRecord))
                    .extracting(AuthoritativeAnswersTest::address)
                    .containsExactlyInAnyOrder(ip("192.0.2.53"), ip("2001:db8::53"));
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void inZoneNameServerNameAnswersItsGlue(Transport transport) {
        DnsConfig config = RunningServer.config().nameServers(List.of(
                new DnsConfig.NameServer("ns1." + APEX, List.of("192.0.2.53")))).build();
        try (RunningServer s = RunningServer.start(config, snapshot(ipv4Hosts(1)))) {
            Message m = s.query("ns1." + APEX, Type.A, transport);

            assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
            assertThat(m.getSection(Section.ANSWER)).singleElement()
                    .extracting(Record::rdataToString).isEqualTo("192.0.2.53");
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void nameBetweenTheZoneAndAnInZoneNameServerExistsWithoutData(Transport transport) {
        DnsConfig config = RunningServer.config().nameServers(List.of(
                new DnsConfig.NameServer("ns1.dns." + APEX, List.of("192.0.2.53")))).build();
        try (RunningServer s = RunningServer.start(config, snapshot(ipv4Hosts(1)))) {
            Message m = s.query("dns." + APEX, Type.A, transport);

            assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(m.getSection(Section.ANSWER)).isEmpty();
            assertThat(m.getSection(Section.AUTHORITY)).singleElement().isInstanceOf(SOARecord.class);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void hostNameAnswersThatHostsOwnAddress(Transport transport) {
        try (RunningServer s = RunningServer.start(snapshot(ipv4Hosts(3)))) {
            Message m = s.query("h2." + APEX, Type.A, transport);

            assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
            assertThat(m.getSection(Section.ANSWER)).singleElement()
                    .extracting(Record::rdataToString).isEqualTo("10.0.0.2");
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void hostNameOfIpv6HostAnswersAaaa(Transport transport) {
        try (RunningServer s = RunningServer.start(snapshot(Farms.ipv6Hosts(2)))) {
            Message m = s.query("v2." + APEX, Type.AAAA, transport);

            assertThat(m.getSection(Section.ANSWER)).singleElement()
                    .extracting(AuthoritativeAnswersTest::address).isEqualTo(ip("2001:db8::2"));
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void hostNameIsAnsweredWhileTheHostDrains(Transport transport) {
        FarmSnapshot farm = Farms.next(snapshot(ipv4Hosts(2)), ipv4Hosts(2), Map.of("h1", Farms.draining()));
        try (RunningServer s = RunningServer.start(farm)) {
            Message m = s.query("h1." + APEX, Type.A, transport);

            assertThat(m.getSection(Section.ANSWER)).singleElement()
                    .extracting(Record::rdataToString).isEqualTo("10.0.0.1");
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void namesMatchCaseInsensitivelyAndEchoTheQuestionsCase(Transport transport) {
        try (RunningServer s = RunningServer.start(snapshot(ipv4Hosts(2)))) {
            Message m = s.query("H2.FaRm.Example.COM", Type.A, transport);

            assertThat(m.getQuestion().getName().toString()).isEqualTo("H2.FaRm.Example.COM.");
            assertThat(m.getSection(Section.ANSWER)).singleElement()
                    .extracting(Record::rdataToString).isEqualTo("10.0.0.2");
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void unknownNameIsNxdomainWithSoaCarryingTheNegativeTtl(Transport transport) {
        DnsConfig config = RunningServer.config()
                .soa(new DnsConfig.Soa("hostmaster." + APEX, 1, 3600, 600, 604_800, 9)).build();
        try (RunningServer s = RunningServer.start(config, snapshot(ipv4Hosts(2)))) {
            Message m = s.query("nosuch." + APEX, Type.A, transport);

            assertThat(m.getRcode()).isEqualTo(Rcode.NXDOMAIN);
            assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
            assertThat(m.getSection(Section.ANSWER)).isEmpty();
            assertThat(m.getSection(Section.AUTHORITY)).singleElement()
                    .isInstanceOf(SOARecord.class).extracting(Record::getTTL).isEqualTo(9L);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void nameBelowAHostNameIsNxdomain(Transport transport) {
        try (RunningServer s = RunningServer.start(snapshot(ipv4Hosts(2)))) {
            Message m = s.query("x.h1." + APEX, Type.A, transport);

            assertThat(m.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void knownNameWithAnotherTypeIsEmptyWithSoa(Transport transport) {
        try (RunningServer s = RunningServer.start(snapshot(ipv4Hosts(2)))) {
            for (String name : List.of(APEX, "h1." + APEX)) {
                Message m = s.query(name, Type.MX, transport);

                assertThat(m.getRcode()).as(name).isEqualTo(Rcode.NOERROR);
                assertThat(m.getHeader().getFlag(Flags.AA)).as(name).isTrue();
                assertThat(m.getSection(Section.ANSWER)).as(name).isEmpty();
                assertThat(m.getSection(Section.AUTHORITY)).as(name).singleElement().isInstanceOf(SOARecord.class);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void hostNameAskedForTheOtherFamilyIsEmpty(Transport transport) {
        try (RunningServer s = RunningServer.start(snapshot(ipv4Hosts(2)))) {
            Message m = s.query("h1." + APEX, Type.AAAA, transport);

            assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(m.getSection(Section.ANSWER)).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void namesOutsideTheZoneAreRefusedWithoutAa(Transport transport) {
        try (RunningServer s = RunningServer.start(snapshot(ipv4Hosts(2)))) {
            for (String name : List.of("example.org", "example.com", "notfarm.example.com")) {
                Message m = s.query(name, Type.A, transport);

                assertThat(m.getRcode()).as(name).isEqualTo(Rcode.REFUSED);
                assertThat(m.getHeader().getFlag(Flags.AA)).as(name).isFalse();
                assertThat(m.getHeader().getFlag(Flags.RA)).as(name).isFalse();
                assertThat(m.getSection(Section.ANSWER)).as(name).isEmpty();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void zoneTransfersAreRefused(Transport transport) throws IOException {
        // dnsjava's resolver turns a transfer into its own protocol, so these go out raw.
        try (RunningServer s = RunningServer.start(snapshot(ipv4Hosts(2))); RawDns raw = new RawDns(s.port())) {
            for (int type : new int[] {Type.AXFR, Type.IXFR}) {
                byte[] q = Message.newQuery(Record.newRecord(RunningServer.name(APEX), type, DClass.IN)).toWire();
                byte[] reply = transport == Transport.UDP ? raw.exchangeUdp(q) : raw.exchangeTcp(q);

                assertThat(new Message(reply).getRcode()).as(Type.string(type)).isEqualTo(Rcode.REFUSED);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void otherClassesAreRefused(Transport transport) {
        try (RunningServer s = RunningServer.start(snapshot(ipv4Hosts(2)))) {
            Message q = Message.newQuery(Record.newRecord(RunningServer.name(APEX), Type.TXT, DClass.CH));

            assertThat(s.send(q, transport).getRcode()).isEqualTo(Rcode.REFUSED);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void anyAtTheApexIsOneSynthesizedHinfo(Transport transport) {
        FarmSnapshot farm = snapshot(ipv4Hosts(2));
        try (RunningServer s = RunningServer.start(farm)) {
            Message m = s.query(APEX, Type.ANY, transport);

            assertThat(m.getSection(Section.ANSWER)).singleElement().isInstanceOfSatisfying(HINFORecord.class,
                    h -> assertThat(h.getCPU()).isEqualTo("RFC8482"));
            assertThat(totalPending(farm)).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void anyAtAHostNameIsItsAddressOnly(Transport transport) {
        try (RunningServer s = RunningServer.start(snapshot(ipv4Hosts(2)))) {
            Message m = s.query("h1." + APEX, Type.ANY, transport);

            assertThat(m.getSection(Section.ANSWER)).singleElement().isInstanceOf(ARecord.class);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void opcodesOtherThanQueryAreNotImplemented(Transport transport) {
        try (RunningServer s = RunningServer.start(snapshot(ipv4Hosts(2)))) {
            Message q = Message.newQuery(Record.newRecord(RunningServer.name(APEX), Type.SOA, DClass.IN));
            q.getHeader().setOpcode(Opcode.NOTIFY);

            Message m = s.send(q, transport);

            assertThat(m.getRcode()).isEqualTo(Rcode.NOTIMP);
            assertThat(m.getHeader().getOpcode()).isEqualTo(Opcode.NOTIFY);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void ednsVersionAboveZeroIsBadvers(Transport transport) {
        try (RunningServer s = RunningServer.start(snapshot(ipv4Hosts(2)))) {
            Message q = Message.newQuery(Record.newRecord(RunningServer.name(APEX), Type.A, DClass.IN));
            q.addRecord(new OPTRecord(1232, 0, 1, 0), Section.ADDITIONAL);

            Message m = s.send(q, transport);

            assertThat(m.getRcode()).isEqualTo(Rcode.BADVERS);
            assertThat(m.getOPT().getVersion()).isZero();
            assertThat(m.getSection(Section.ANSWER)).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void noEligibleHostOnAFreshSnapshotIsServfail(Transport transport) {
        FarmSnapshot farm = Farms.next(snapshot(ipv4Hosts(1)), ipv4Hosts(1), Map.of("h1", Farms.draining()));
        try (RunningServer s = RunningServer.start(farm)) {
            Message m = s.query(APEX, Type.A, transport);

            assertThat(m.getRcode()).isEqualTo(Rcode.SERVFAIL);
            assertThat(m.getSection(Section.ANSWER)).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void noEligibleHostOnAFreshSnapshotAnswersTheFallbackAddresses(Transport transport) {
        DnsConfig config = RunningServer.config().answerCount(2)
                .fallbackAddresses(List.of("192.0.2.10", "192.0.2.11", "2001:db8::10")).build();
        FarmSnapshot farm = Farms.next(snapshot(ipv4Hosts(1)), ipv4Hosts(1), Map.of("h1", Farms.draining()));
        try (RunningServer s = RunningServer.start(config, farm)) {
            assertThat(s.query(APEX, Type.A, transport).getSection(Section.ANSWER))
                    .extracting(Record::rdataToString).containsExactlyInAnyOrder("192.0.2.10", "192.0.2.11");
            assertThat(s.query(APEX, Type.AAAA, transport).getSection(Section.ANSWER))
                    .extracting(AuthoritativeAnswersTest::address).containsExactly(ip("2001:db8::10"));
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void fallbackOfTheOtherFamilyOnlyMakesAnEmptyAnswerNotServfail(Transport transport) {
        DnsConfig config = RunningServer.config().fallbackAddresses(List.of("192.0.2.10")).build();
        FarmSnapshot farm = Farms.next(snapshot(ipv4Hosts(1)), ipv4Hosts(1), Map.of("h1", Farms.draining()));
        try (RunningServer s = RunningServer.start(config, farm)) {
            Message m = s.query(APEX, Type.AAAA, transport);

            assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(m.getSection(Section.ANSWER)).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void staleSnapshotWithoutKnownHostsOfTheFamilyAnswersTheFallback(Transport transport) {
        FarmSnapshot first = snapshot(ipv4Hosts(2));
        FarmSnapshot stale = first.next(ipv4Hosts(2), Map.of(), first.builtAtMillis() + 60_000).markedStale();
        DnsConfig config = RunningServer.config().fallbackAddresses(List.of("2001:db8::10")).build();
        try (RunningServer s = RunningServer.start(config, stale)) {
            assertThat(s.query(APEX, Type.AAAA, transport).getSection(Section.ANSWER))
                    .extracting(AuthoritativeAnswersTest::address).containsExactly(ip("2001:db8::10"));
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void staleSnapshotWithoutEligibleHostAnswersTheLastKnownHostsThatAreNotDraining(Transport transport) {
        FarmSnapshot first = snapshot(ipv4Hosts(3));
        // Heartbeats stopped moving (every host past the stale bound), then the registry went away.
        FarmSnapshot silent = first.next(ipv4Hosts(3), Map.of("h3", Farms.draining()), first.builtAtMillis() + 60_000);
        FarmSnapshot stale = silent.markedStale();
        assertThat(stale.eligibleCount()).isZero();
        try (RunningServer s = RunningServer.start(RunningServer.config()
                .fallbackAddresses(List.of("192.0.2.10")).build(), stale)) {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                seen.add(s.query(APEX, Type.A, transport).getSection(Section.ANSWER).get(0).rdataToString());
            }

            assertThat(seen).containsExactlyInAnyOrder("10.0.0.1", "10.0.0.2");
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void staleSnapshotWhoseHostsAllDrainFallsBackToServfail(Transport transport) {
        FarmSnapshot first = snapshot(List.of(host("h1", "10.0.0.1")));
        FarmSnapshot stale = Farms.next(first, List.of(host("h1", "10.0.0.1")), Map.of("h1", Farms.draining()))
                .markedStale();
        try (RunningServer s = RunningServer.start(stale)) {
            assertThat(s.query(APEX, Type.A, transport).getRcode()).isEqualTo(Rcode.SERVFAIL);
        }
    }

    // ---- helpers ----

    static InetAddress address(Record r) {
        return r instanceof ARecord a ? a.getAddress() : ((AAAARecord) r).getAddress();
    }


    private static int eligibleIndexOf(FarmSnapshot farm, String address) {
        for (int i = 0; i < farm.eligibleCount(); i++) {
            if (farm.eligible(i).report().address().equals(address)) {
                return i;
            }
        }
        throw new AssertionError("no eligible host at " + address);
    }

    private static long totalPending(FarmSnapshot farm) {
        long sum = 0;
        for (int i = 0; i < farm.eligibleCount(); i++) {
            sum += farm.pendingAssignments(i);
        }
        return sum;
    }
}
