package io.farmgate.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.dns.QueryResponder.Transport;
import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.pick.TwoChoicePicker;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Random and mutated packets: never a crash or a hang, a reply exactly when one is due (a header
 * was readable and QR was clear), and every reply parses, is a response and carries the query's id.
 */
class FuzzTest {

    private static final long SEED = 20_240_601L;
    private static final int IN_PROCESS_PACKETS = 120_000;
    private static final int UDP_PACKETS = 2_000;

    private final SplittableRandom random = new SplittableRandom(SEED);
    private final List<byte[]> corpus = corpus();

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS) // a hang guard, not a speed target
    void hundredThousandRandomAndMutatedPacketsGetOnlyWellFormedReplies() {
        DnsCounters counters = new DnsCounters();
        DnsConfig config = RunningServer.config().answerCount(3).fallbackAddresses(List.of("192.0.2.1")).build();
        QueryResponder responder = new QueryResponder(config, FuzzTest::farm,
                new TwoChoicePicker(new SplittableRandom(SEED)), null, counters);
        InetAddress client = InetAddress.getLoopbackAddress();
        int replies = 0;

        for (int i = 0; i < IN_PROCESS_PACKETS; i++) {
            byte[] packet = nextPacket();
            Transport transport = (i & 1) == 0 ? Transport.UDP : Transport.TCP;
            byte[] reply = responder.respond(packet, packet.length, client, transport);
            if (checkReply(packet, reply, transport, i)) {
                replies++;
            }
        }

        assertThat(counters.internalErrors.sum()).as("queries that failed inside the responder").isZero();
        assertThat(replies).as("replies (most packets have a readable header)").isGreaterThan(IN_PROCESS_PACKETS / 2);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void randomAndMutatedPacketsOverUdpGetOnlyWellFormedRepliesAndTheServerKeepsServing() throws IOException {
        try (RunningServer s = RunningServer.start(RunningServer.config().udpThreads(1).build(), farm());
             RawDns raw = new RawDns(s.port())) {
            for (int i = 0; i < UDP_PACKETS; i++) {
                byte[] packet = nextPacket();
                raw.sendUdp(packet);
                if (replyDue(packet)) {
                    checkReply(packet, raw.receiveUdp(), Transport.UDP, i);
                }
            }
            byte[] sentinel = Message.newQuery(Record.newRecord(RunningServer.name(RunningServer.ZONE), Type.SOA,
                    DClass.IN)).toWire();

            // One thread, in order: the next reply is the sentinel's, so no reply came when none was due.
            assertThat(Arrays.copyOf(raw.exchangeUdp(sentinel), 2)).isEqualTo(Arrays.copyOf(sentinel, 2));
            assertThat(s.server.stats().internalErrors()).isZero();
        }
    }

    /** Checks one reply against its packet; true when there was a reply. */
    private static boolean checkReply(byte[] packet, byte[] reply, Transport transport, int i) {
        // Plain checks: a described AssertJ chain per packet would cost more than the responder.
        if (!replyDue(packet)) {
            require(reply == null, "a reply to a packet that must be dropped", packet, i);
            return false;
        }
        require(reply != null, "no reply", packet, i);
        require(reply.length <= (transport == Transport.UDP ? 1232 : 65_535), "reply too long", packet, i);
        Message m;
        try {
            m = new Message(reply);
        } catch (IOException e) {
            throw new AssertionError(describe("reply does not parse: " + e, packet, i), e);
        }
        require(m.getHeader().getFlag(Flags.QR), "reply without QR", packet, i);
        require(!m.getHeader().getFlag(Flags.RA), "reply with RA", packet, i);
        require(m.getHeader().getID() == ((packet[0] & 0xFF) << 8 | (packet[1] & 0xFF)), "reply id differs", packet, i);
        return true;
    }

    private static void require(boolean ok, String problem, byte[] packet, int i) {
        if (!ok) {
            throw new AssertionError(describe(problem, packet, i));
        }
    }

    private static String describe(String problem, byte[] packet, int i) {
        return problem + " for packet " + i + " (seed " + SEED + "): " + RawDns.hex(packet);
    }

    private static boolean replyDue(byte[] packet) {
        return packet.length >= 12 && (packet[2] & 0x80) == 0;
    }

    private byte[] nextPacket() {
        int kind = random.nextInt(10);
        if (kind == 0) {
            byte[] b = new byte[random.nextInt(600)];
            random.nextBytes(b);
            return b;
        }
        byte[] base = corpus.get(random.nextInt(corpus.size()));
        return kind <= 2 ? truncate(base) : mutate(base);
    }

    private byte[] truncate(byte[] base) {
        byte[] b = Arrays.copyOf(base, random.nextInt(base.length + 1));
        if (b.length > 2 && random.nextBoolean()) {
            b[2] |= 0x02; // TC: dnsjava then keeps a partial message instead of failing
        }
        return b;
    }

    private byte[] mutate(byte[] base) {
        byte[] b = base.clone();
        int edits = 1 + random.nextInt(6);
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(b.length);
            switch (random.nextInt(6)) {
                case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> b[at] = (byte) random.nextInt(256);
                case 2 -> b[at] = (byte) 0xC0; // a compression pointer, often a loop or out of range
                case 3 -> b[4 + random.nextInt(8)] = (byte) random.nextInt(256); // section counts
                case 4 -> b[at] = (byte) (random.nextBoolean() ? 0 : 0xFF);
                default -> {
                    byte[] longer = Arrays.copyOf(b, b.length + 1 + random.nextInt(40));
                    for (int j = b.length; j < longer.length; j++) {
                        longer[j] = (byte) random.nextInt(256);
                    }
                    b = longer;
                }
            }
        }
        if (random.nextInt(4) != 0) {
            b[2] &= 0x7F; // mostly queries: a set QR bit is merely dropped
        }
        return b;
    }

    private static List<byte[]> corpus() {
        List<byte[]> out = new ArrayList<>();
        String zone = RunningServer.ZONE;
        String[] names = {zone, "h1." + zone, "v1." + zone, "ns1." + zone, "nosuch." + zone, "a.b." + zone,
            "example.org", "H2.FARM.example.COM"};
        int[] types = {Type.A, Type.AAAA, Type.ANY, Type.NS, Type.SOA, Type.MX, Type.TXT, Type.AXFR, Type.IXFR};
        for (String name : names) {
            for (int type : types) {
                Message q = Message.newQuery(Record.newRecord(RunningServer.name(name), type, DClass.IN));
                out.add(q.toWire());
                Message edns = Message.newQuery(Record.newRecord(RunningServer.name(name), type, DClass.IN));
                edns.addRecord(new OPTRecord(4096, 0, 0, 0x8000), Section.ADDITIONAL);
                out.add(edns.toWire());
            }
        }
        Message notify = Message.newQuery(Record.newRecord(RunningServer.name(zone), Type.SOA, DClass.IN));
        notify.getHeader().setOpcode(Opcode.NOTIFY);
        out.add(notify.toWire());
        return out;
    }

    private static final FarmSnapshot FARM = Farms.mixedFarm();

    private static FarmSnapshot farm() {
        return FARM;
    }
}
