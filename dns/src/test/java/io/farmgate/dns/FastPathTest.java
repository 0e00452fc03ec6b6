package io.farmgate.dns;

import static io.farmgate.dns.Farms.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.dns.QueryResponder.Transport;
import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.pick.TwoChoicePicker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The UDP fast path answers the common query exactly as the general (dnsjava) path would, byte for
 * byte, picks included; it declines everything else before any side effect.
 */
class FastPathTest {

    private static final long SEED = 20_261_123L;
    private static final String ZONE = RunningServer.ZONE;
    private static final InetAddress CLIENT = InetAddress.getLoopbackAddress();

    /** A responder with the fast path, and a twin that only ever takes the general path. */
    private static final class Twins {
        final FarmSnapshot fastFarm;
        final FarmSnapshot generalFarm;
        final DnsCounters fastCounters = new DnsCounters();
        final QueryResponder fast;
        final QueryResponder general;
        final ByteBuffer out = ByteBuffer.allocate(QueryResponder.MAX_TCP_MESSAGE);
        final int[] chosen = new int[DnsConfig.MAX_ANSWER_COUNT];

        Twins(DnsConfig config, List<HostReport> hosts) {
            // Equal snapshots and equally seeded pickers: both sides make the same picks in the same order.
            fastFarm = snapshot(hosts);
            generalFarm = snapshot(hosts);
            fast = new QueryResponder(config, () -> fastFarm, new TwoChoicePicker(new SplittableRandom(SEED)), null,
                    fastCounters);
            general = new QueryResponder(config, () -> generalFarm, new TwoChoicePicker(new SplittableRandom(SEED)),
                    null, new DnsCounters());
        }

        /** The fast path's outcome for this packet; on ANSWERED the reply is in {@link #reply()}. */
        int tryFast(byte[] packet) {
            out.clear();
            return fast.fastPath().respond(ByteBuffer.wrap(packet), out, CLIENT, chosen);
        }

        byte[] reply() {
            byte[] b = new byte[out.remaining()];
            out.duplicate().get(b);
            return b;
        }

        byte[] generalReply(byte[] packet) {
            return general.respond(packet, packet.length, CLIENT, Transport.UDP);
        }
    }

    private static DnsConfig.Builder config() {
        return RunningServer.config().answerCount(2);
    }

    private static List<HostReport> mixedHosts() {
        List<HostReport> hosts = new ArrayList<>(Farms.ipv4Hosts(5));
        hosts.addAll(Farms.ipv6Hosts(4));
        return hosts;
    }

    @Test
    void commonQueriesGetTheGeneralPathsReplyByteForByte() throws IOException {
        Twins t = new Twins(config().build(), mixedHosts());
        List<byte[]> common = List.of(
                query(ZONE, Type.A),
                query(ZONE, Type.AAAA),
                query("h3." + ZONE, Type.A),
                query("v2." + ZONE, Type.AAAA),
                query("FaRm.Example.COM", Type.A),
                query("H1.farm.EXAMPLE.com", Type.A),
                withEdns(query(ZONE, Type.A), 4096, 0),
                withEdns(query(ZONE, Type.AAAA), 512, 0x8000),
                withEdns(query("h2." + ZONE, Type.A), 1232, 0x8000),
                withEdns(query(ZONE, Type.A), 100, 0),
                withFlags(query(ZONE, Type.A), Flags.CD),
                withoutFlag(query(ZONE, Type.A), Flags.RD));

        for (byte[] packet : common) {
            assertThat(t.tryFast(packet)).as("fast path outcome for %s", new Message(packet).getQuestion())
                    .isEqualTo(FastPathResponder.ANSWERED);
            assertThat(t.reply()).as("reply to %s", new Message(packet).getQuestion())
                    .isEqualTo(t.generalReply(packet));
        }
    }

    @Test
    void fastReplyParsesWithTheQueryIdQuestionAnswersTtlAndEchoedOpt() throws IOException {
        Twins t = new Twins(config().ttlSeconds(7).build(), mixedHosts());
        byte[] packet = withEdns(query(ZONE, Type.A), 4096, 0x8000);

        assertThat(t.tryFast(packet)).isEqualTo(FastPathResponder.ANSWERED);
        Message reply = new Message(t.reply());

        Message query = new Message(packet);
        assertThat(reply.getHeader().getID()).isEqualTo(query.getHeader().getID());
        assertThat(reply.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(reply.getHeader().getFlag(Flags.QR)).isTrue();
        assertThat(reply.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(reply.getHeader().getFlag(Flags.RD)).isTrue();
        assertThat(reply.getHeader().getFlag(Flags.RA)).isFalse();
        assertThat(reply.getQuestion()).isEqualTo(query.getQuestion());
        List<Record> answers = reply.getSection(Section.ANSWER);
        assertThat(answers).hasSize(2);
        assertThat(answers).allSatisfy(r -> {
            assertThat(r.getName()).isEqualTo(RunningServer.name(ZONE));
            assertThat(r.getType()).isEqualTo(Type.A);
            assertThat(r.getTTL()).isEqualTo(7);
        });
        assertThat(answers.get(0).rdataToString()).isNotEqualTo(answers.get(1).rdataToString());
        assertThat(reply.getOPT().getPayloadSize()).isEqualTo(1232);
        assertThat(reply.getOPT().getFlags() & 0x8000).isEqualTo(0x8000);
        assertThat(t.fastCounters.snapshot().responsesByRcode()).containsEntry("NOERROR", 1L);
        assertThat(t.fastCounters.snapshot().queriesByType()).containsEntry("A", 1L);
    }

    @Test
    void apexAnswersRecordTheirPicksInTheSnapshotLedger() {
        Twins t = new Twins(config().answerCount(1).build(), Farms.ipv4Hosts(3));
        double before = totalScore(t.fastFarm);

        for (int i = 0; i < 30; i++) {
            assertThat(t.tryFast(query(ZONE, Type.A))).isEqualTo(FastPathResponder.ANSWERED);
        }

        assertThat(totalScore(t.fastFarm)).isGreaterThan(before);
    }

    @Test
    void uncommonQueriesAreDeclinedWithoutSideEffects() throws IOException {
        List<HostReport> hosts = mixedHosts();
        hosts.add(Farms.host("ns1", "10.9.9.9")); // the name server's glue wins over a host of that name
        hosts.add(Farms.host("noaddress", "not-an-address"));
        Twins t = new Twins(config().build(), hosts);
        byte[] twoQuestions = query(ZONE, Type.A);
        twoQuestions[5] = 2;
        byte[] compressed = compressedQuestion();
        List<byte[]> uncommon = List.of(
                query(ZONE, Type.SOA), query(ZONE, Type.NS), query(ZONE, Type.ANY), query(ZONE, Type.MX),
                query("nosuch." + ZONE, Type.A), query("a.h1." + ZONE, Type.A), query("example.org", Type.A),
                query("ns1." + ZONE, Type.A), query("noaddress." + ZONE, Type.A),
                query("h1." + ZONE, Type.AAAA), query("v1." + ZONE, Type.A),
                withEdns(query(ZONE, Type.A), 4096, 0, new GenericEDNSOption(10, new byte[8])),
                withEdnsVersion(query(ZONE, Type.A), 1),
                withOpcode(query(ZONE, Type.A), Opcode.NOTIFY),
                withFlags(query(ZONE, Type.A), Flags.QR), withFlags(query(ZONE, Type.A), Flags.TC),
                withFlags(query(ZONE, Type.A), Flags.AA),
                classed(ZONE, Type.A, DClass.CH),
                Arrays.copyOf(query(ZONE, Type.A), query(ZONE, Type.A).length + 1),
                Arrays.copyOf(query(ZONE, Type.A), query(ZONE, Type.A).length - 1),
                Arrays.copyOf(query(ZONE, Type.A), 11),
                twoQuestions, compressed);
        double scoreBefore = totalScore(t.fastFarm);
        DnsStats statsBefore = t.fastCounters.snapshot();

        for (byte[] packet : uncommon) {
            assertThat(t.tryFast(packet)).as("fast path outcome for packet %s", hex(packet))
                    .isEqualTo(FastPathResponder.DECLINED);
        }

        assertThat(t.fastCounters.snapshot()).isEqualTo(statsBefore);
        assertThat(totalScore(t.fastFarm)).isEqualTo(scoreBefore);
    }

    @Test
    void apexWithNoEligibleHostOfTheFamilyIsDeclined() {
        Twins t = new Twins(config().build(), Farms.ipv4Hosts(3));

        assertThat(t.tryFast(query(ZONE, Type.AAAA))).isEqualTo(FastPathResponder.DECLINED);
    }

    @Test
    void answerThatWouldNotFitTheClientsSizeIsDeclinedForTruncation() {
        // 30 AAAA answers: 967 bytes, over 512 without EDNS, within 1232 with it.
        Twins t = new Twins(config().answerCount(30).build(), Farms.ipv6Hosts(30));

        assertThat(t.tryFast(query(ZONE, Type.AAAA))).isEqualTo(FastPathResponder.DECLINED);
        assertThat(t.tryFast(withEdns(query(ZONE, Type.AAAA), 4096, 0))).isEqualTo(FastPathResponder.ANSWERED);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS) // a hang guard, not a speed target
    void mutatedQueriesGetTheSameReplyWhicheverPathAnswers() {
        Twins t = new Twins(config().fallbackAddresses(List.of("192.0.2.1")).build(), mixedHosts());
        SplittableRandom random = new SplittableRandom(SEED);
        List<byte[]> corpus = commonCorpus();
        int answeredFast = 0;
        int declined = 0;

        for (int i = 0; i < 60_000; i++) {
            byte[] base = corpus.get(random.nextInt(corpus.size()));
            byte[] packet = random.nextInt(5) == 0 ? base.clone() : mutate(base, random);
            byte[] expected = t.generalReply(packet);
            int outcome = t.tryFast(packet);
            byte[] actual;
            if (outcome == FastPathResponder.ANSWERED) {
                answeredFast++;
                actual = t.reply();
                try {
                    new Message(actual);
                } catch (IOException e) {
                    throw new AssertionError("fast reply does not parse for " + hex(packet), e);
                }
            } else {
                if (outcome != FastPathResponder.DECLINED) {
                    throw new AssertionError("outcome " + outcome + " with rate limiting off for " + hex(packet));
                }
                declined++;
                actual = t.fast.respond(packet, packet.length, CLIENT, Transport.UDP);
            }
            if (!Arrays.equals(actual, expected)) {
                throw new AssertionError("packet " + i + " (" + hex(packet) + "): fast side replied "
                        + hex(actual) + ", general path " + hex(expected));
            }
        }

        assertThat(answeredFast).as("packets the fast path answered").isGreaterThan(5_000);
        assertThat(declined).as("packets the fast path declined").isGreaterThan(10_000);
    }

    @Test
    void fastAndGeneralServersGiveIdenticalRepliesOverUdp() throws IOException {
        DnsConfig config = config().udpThreads(1).build();
        List<HostReport> hosts = mixedHosts();
        try (RunningServer fast = RunningServer.start(config, snapshot(hosts), Clock.systemUTC(), true);
             RunningServer general = RunningServer.start(config, snapshot(hosts), Clock.systemUTC(), false);
             RawDns toFast = new RawDns(fast.port());
             RawDns toGeneral = new RawDns(general.port())) {
            List<byte[]> queries = new ArrayList<>(commonCorpus());
            queries.add(query(ZONE, Type.SOA));
            queries.add(query("nosuch." + ZONE, Type.A));
            queries.add(withEdns(query(ZONE, Type.A), 4096, 0, new GenericEDNSOption(10, new byte[8])));

            for (int round = 0; round < 5; round++) {
                for (byte[] q : queries) {
                    byte[] fromFast = toFast.exchangeUdp(q);
                    byte[] fromGeneral = toGeneral.exchangeUdp(q);

                    assertThat(fromFast).as("reply to %s", hex(q)).isEqualTo(fromGeneral);
                    assertThat(new Message(fromFast).getRcode()).isEqualTo(new Message(fromGeneral).getRcode());
                }
            }
        }
    }

    // ---- packets ----

    private static List<byte[]> commonCorpus() {
        List<byte[]> out = new ArrayList<>();
        for (String name : new String[] {ZONE, "h1." + ZONE, "v1." + ZONE, "H2.FARM.example.COM"}) {
            for (int type : new int[] {Type.A, Type.AAAA}) {
                out.add(query(name, type));
                out.add(withEdns(query(name, type), 4096, 0));
                out.add(withEdns(query(name, type), 1232, 0x8000));
            }
        }
        return out;
    }

    private static byte[] mutate(byte[] base, SplittableRandom random) {
        byte[] b = base.clone();
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(b.length);
            switch (random.nextInt(6)) {
                case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> b[at] = (byte) random.nextInt(256);
                case 2 -> b[at] = (byte) 0xC0;
                case 3 -> b[2 + random.nextInt(Math.min(10, b.length - 2))] ^= (byte) (1 << random.nextInt(8)); // flags, counts
                case 4 -> b = Arrays.copyOf(b, random.nextInt(b.length + 1));
                default -> b = Arrays.copyOf(b, b.length + 1 + random.nextInt(12));
            }
            if (b.length < 3) {
                return b;
            }
        }
        return b;
    }

    private static byte[] query(String name, int type) {
        return classed(name, type, DClass.IN);
    }

    private static byte[] classed(String name, int type, int dclass) {
        return Message.newQuery(Record.newRecord(RunningServer.name(name), type, dclass)).toWire();
    }

    private static byte[] withEdns(byte[] packet, int payload, int flags, EDNSOption... options) {
        Message m = parse(packet);
        m.addRecord(new OPTRecord(payload, 0, 0, flags, options), Section.ADDITIONAL);
        return m.toWire();
    }

    private static byte[] withEdnsVersion(byte[] packet, int version) {
        Message m = parse(packet);
        m.addRecord(new OPTRecord(1232, 0, version, 0), Section.ADDITIONAL);
        return m.toWire();
    }

    private static byte[] withFlags(byte[] packet, int flag) {
        Message m = parse(packet);
        m.getHeader().setFlag(flag);
        return m.toWire();
    }

    private static byte[] withoutFlag(byte[] packet, int flag) {
        Message m = parse(packet);
        m.getHeader().unsetFlag(flag);
        return m.toWire();
    }

    private static byte[] withOpcode(byte[] packet, int opcode) {
        Message m = parse(packet);
        m.getHeader().setOpcode(opcode);
        return m.toWire();
    }

    /** A query whose name is a compression pointer (here to itself): the fast path reads plain labels only. */
    private static byte[] compressedQuestion() {
        byte[] b = Arrays.copyOf(query(ZONE, Type.A), 12 + 2 + 4);
        b[12] = (byte) 0xC0;
        b[13] = 12;
        b[15] = 1; // type A
        b[17] = 1; // class IN
        return b;
    }

    private static Message parse(byte[] packet) {
        try {
            return new Message(packet);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double totalScore(FarmSnapshot farm) {
        double sum = 0;
        for (int i = 0; i < farm.eligibleCount(); i++) {
            sum += farm.effectiveScore(i);
        }
        return sum;
    }

    private static String hex(byte[] b) {
        if (b == null) {
            return "(none)";
        }
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x & 0xFF));
        }
        return sb.toString();
    }
}
