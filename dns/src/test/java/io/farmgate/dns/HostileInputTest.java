package io.farmgate.dns;

import static io.farmgate.dns.Farms.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * What an attacker sends that a resolver library would not: oversized and truncated packets,
 * compression-pointer loops, other classes, and TCP connections that hold a slot by sending
 * nothing or a byte at a time.
 */
class HostileInputTest {

    private static RunningServer oneThreadServer() {
        return RunningServer.start(RunningServer.config().udpThreads(1).build(), snapshot(Farms.ipv4Hosts(3)));
    }

    private static byte[] apexQuery(int id, int type) {
        Message q = Message.newQuery(Record.newRecord(RunningServer.name(RunningServer.ZONE), type, DClass.IN));
        q.getHeader().setID(id);
        return q.toWire();
    }

    /** A header announcing one question, then {@code body}. */
    private static byte[] oneQuestion(int id, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(12 + body.length);
        b.putShort((short) id).putShort((short) 0x0100).putShort((short) 1).putShort((short) 0)
                .putShort((short) 0).putShort((short) 0).put(body);
        return b.array();
    }

    @Test
    void oversizedUdpQueryWithoutEdnsGetsAReplyOf512BytesAtMost() throws IOException {
        try (RunningServer s = oneThreadServer(); RawDns raw = new RawDns(s.port())) {
            Message q = Message.newQuery(Record.newRecord(RunningServer.name(RunningServer.ZONE), Type.NS, DClass.IN));
            q.getHeader().setID(0x51);
            // 3 KB of additional data, no OPT: the query is big, the answer must still fit 512.
            for (int i = 0; i < 12; i++) {
                q.addRecord(new TXTRecord(RunningServer.name("pad" + i + "." + RunningServer.ZONE), DClass.IN, 0,
                        "x".repeat(250)), Section.ADDITIONAL);
            }
            byte[] packet = q.toWire();
            assertThat(packet.length).isGreaterThan(3_000);

            byte[] reply = raw.exchangeUdp(packet);

            assertThat(reply.length).isLessThanOrEqualTo(512);
            assertThat(new Message(reply).getHeader().getID()).isEqualTo(0x51);
        }
    }

    @Test
    void queryCutInsideTheQuestionGetsFormerr() throws IOException {
        try (RunningServer s = oneThreadServer(); RawDns raw = new RawDns(s.port())) {
            byte[] whole = apexQuery(0x52, Type.A);
            byte[] cut = Arrays.copyOf(whole, whole.length - 3);

            Message m = new Message(raw.exchangeUdp(cut));

            assertThat(m.getHeader().getID()).isEqualTo(0x52);
            assertThat(m.getRcode()).isEqualTo(Rcode.FORMERR);
        }
    }

    @Test
    void nameThatPointsAtItselfGetsFormerrAndTheServerGoesOn() throws IOException {
        try (RunningServer s = oneThreadServer(); RawDns raw = new RawDns(s.port())) {
            // The question's name is a compression pointer to offset 12: itself.
            byte[] loop = oneQuestion(0x53, new byte[] {(byte) 0xC0, 0x0C, 0, 1, 0, 1});

            Message m = new Message(raw.exchangeUdp(loop));

            assertThat(m.getRcode()).isEqualTo(Rcode.FORMERR);
            assertThat(new Message(raw.exchangeUdp(apexQuery(0x54, Type.SOA))).getRcode()).isEqualTo(Rcode.NOERROR);
        }
    }

    @Test
    void twoStepPointerLoopGetsFormerr() throws IOException {
        try (RunningServer s = oneThreadServer(); RawDns raw = new RawDns(s.port())) {
            // Label "a" at 12, then a pointer back to 12: a, a, a, ... if followed blindly.
            byte[] loop = oneQuestion(0x55, new byte[] {1, 'a', (byte) 0xC0, 0x0C, 0, 1, 0, 1});

            Message m = new Message(raw.exchangeUdp(loop));

            assertThat(m.getHeader().getID()).isEqualTo(0x55);
            assertThat(m.getRcode()).isEqualTo(Rcode.FORMERR);
        }
    }

    @Test
    void forwardPointerGetsFormerr() throws IOException {
        try (RunningServer s = oneThreadServer(); RawDns raw = new RawDns(s.port())) {
            // A pointer to a later offset: legal compression only ever points backwards.
            byte[] forward = oneQuestion(0x56, new byte[] {(byte) 0xC0, 0x12, 0, 1, 0, 1, 1, 'a', 0});

            assertThat(new Message(raw.exchangeUdp(forward)).getRcode()).isEqualTo(Rcode.FORMERR);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {DClass.HS, DClass.NONE, DClass.ANY, 0x7F00})
    void otherClassesAreRefused(int dclass) throws IOException {
        try (RunningServer s = oneThreadServer(); RawDns raw = new RawDns(s.port())) {
            Message q = Message.newQuery(Record.newRecord(RunningServer.name(RunningServer.ZONE), Type.A, dclass));

            Message m = new Message(raw.exchangeUdp(q.toWire()));

            assertThat(m.getRcode()).isEqualTo(Rcode.REFUSED);
            assertThat(m.getSection(Section.ANSWER)).isEmpty();
            assertThat(m.getHeader().getFlag(Flags.QR)).isTrue();
        }
    }

    @Test
    void largestPossibleTcpFrameIsReadWholeAndTheConnectionGoesOn() throws IOException {
        try (RunningServer s = RunningServer.start(snapshot(Farms.ipv4Hosts(1)));
             RawDns raw = new RawDns(s.port());
             Socket socket = raw.connectTcp()) {
            // A query followed by junk up to the 65535 bytes a length prefix can announce.
            byte[] frame = Arrays.copyOf(apexQuery(0x57, Type.SOA), 65_535);
            Arrays.fill(frame, 40, frame.length, (byte) 0xC0);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            RawDns.writeFrame(socket.getOutputStream(), frame);
            Message first = new Message(RawDns.readFrame(in));
            RawDns.writeFrame(socket.getOutputStream(), apexQuery(0x58, Type.SOA));

            assertThat(first.getHeader().getID()).isEqualTo(0x57);
            assertThat(new Message(RawDns.readFrame(in)).getHeader().getID()).isEqualTo(0x58);
        }
    }

    @Test
    void frameThatAnnouncesMoreThanItSendsIsClosedAtTheIdleTimeout() throws IOException {
        try (RunningServer s = RunningServer.start(RunningServer.config().tcpIdleTimeoutMillis(500).build(),
                snapshot(Farms.ipv4Hosts(1)));
             RawDns raw = new RawDns(s.port());
             Socket socket = raw.connectTcp()) {
            OutputStream out = socket.getOutputStream();
            out.write(new byte[] {(byte) 0xFF, (byte) 0xFF});
            out.write(apexQuery(0x59, Type.SOA));
            out.flush();

            // read() returns -1 once the server closes; RawDns's 5 s guard fails the test otherwise.
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
            await().atMost(Duration.ofSeconds(10)).until(() -> s.server.stats().tcpOpen() == 0);
        }
    }

    @Test
    void connectionDrippingOneByteAtATimeIsClosedAtTheIdleTimeoutAndFreesItsSlot() throws Exception {
        try (RunningServer s = RunningServer.start(RunningServer.config().tcpIdleTimeoutMillis(1_000)
                        .tcpMaxConnections(1).build(), snapshot(Farms.ipv4Hosts(1)));
             RawDns raw = new RawDns(s.port())) {
            byte[] framed = RawDns.frame(apexQuery(0x5A, Type.SOA));
            int dripped = 0;
            boolean closedByServer = false;
            try (Socket slow = raw.connectTcp()) {
                slow.setSoTimeout(200); // each read doubles as the pause between two drips
                // Every byte keeps the connection busy, none completes the message: a slow-loris.
                // At 200 ms a byte the whole frame would take over 6 s; the deadline is 1 s.
                for (; dripped < framed.length && !closedByServer; dripped++) {
                    slow.getOutputStream().write(framed[dripped]);
                    slow.getOutputStream().flush();
                    try {
                        closedByServer = slow.getInputStream().read() == -1;
                    } catch (java.net.SocketTimeoutException e) {
                        // still open: drip on
                    } catch (SocketException e) {
                        closedByServer = true; // reset: closed as well
                    }
                }
            }

            assertThat(closedByServer).as("closed before the %d-byte frame was complete", framed.length).isTrue();
            assertThat(dripped).isLessThan(framed.length);
            await().atMost(Duration.ofSeconds(10)).until(() -> s.server.stats().tcpOpen() == 0);
            byte[] next = raw.exchangeTcp(apexQuery(0x5B, Type.SOA));
            assertThat(new Message(next).getHeader().getID()).isEqualTo(0x5B);
        }
    }

    @Test
    void silentConnectionsDoNotHoldTheOnlySlotPastTheIdleTimeout() throws IOException {
        try (RunningServer s = RunningServer.start(RunningServer.config().tcpIdleTimeoutMillis(300)
                        .tcpMaxConnections(1).build(), snapshot(Farms.ipv4Hosts(1)));
             RawDns raw = new RawDns(s.port());
             Socket silent = raw.connectTcp()) {
            assertThat(silent.getInputStream().read()).isEqualTo(-1);
            await().atMost(Duration.ofSeconds(10)).until(() -> s.server.stats().tcpOpen() == 0);

            byte[] reply = raw.exchangeTcp(apexQuery(0x5C, Type.SOA));

            assertThat(new Message(reply).getHeader().getID()).isEqualTo(0x5C);
        }
    }
}
