package io.farmgate.dns;

import static io.farmgate.dns.Farms.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Bad input over real UDP: answered FORMERR when a header can be read, dropped otherwise, and
 * counted. One receive thread keeps replies in order, so "no reply" shows as the next reply
 * belonging to the next query rather than as a timeout.
 */
class MalformedPacketTest {

    private static RunningServer oneThreadServer() {
        return RunningServer.start(RunningServer.config().udpThreads(1).build(), snapshot(Farms.ipv4Hosts(2)));
    }

    private static byte[] soaQuery(int id) {
        Message q = Message.newQuery(Record.newRecord(RunningServer.name(RunningServer.ZONE), Type.SOA, DClass.IN));
        q.getHeader().setID(id);
        return q.toWire();
    }

    @Test
    void packetShorterThanAHeaderIsDroppedAndCounted() throws IOException {
        try (RunningServer s = oneThreadServer(); RawDns raw = new RawDns(s.port())) {
            raw.sendUdp(new byte[] {0x12, 0x34, 0x01, 0x00, 0x00});
            raw.sendUdp(soaQuery(77));

            assertThat(new Message(raw.receiveUdp()).getHeader().getID()).isEqualTo(77);
            assertThat(s.server.stats().malformed()).isEqualTo(1);
        }
    }

    @Test
    void packetWithQrSetIsDroppedAndCounted() throws IOException {
        try (RunningServer s = oneThreadServer(); RawDns raw = new RawDns(s.port())) {
            byte[] response = soaQuery(5);
            response[2] |= (byte) 0x80;
            raw.sendUdp(response);
            raw.sendUdp(soaQuery(78));

            assertThat(new Message(raw.receiveUdp()).getHeader().getID()).isEqualTo(78);
            assertThat(s.server.stats().droppedResponses()).isEqualTo(1);
        }
    }

    @Test
    void unparsableBodyGetsFormerrEchoingIdAndOpcode() throws IOException {
        try (RunningServer s = oneThreadServer(); RawDns raw = new RawDns(s.port())) {
            // One question whose name is a compression pointer past the end of the packet.
            byte[] garbage = {(byte) 0xBE, (byte) 0xEF, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xC0, 0x7F, 0, 1, 0, 1};

            Message m = new Message(raw.exchangeUdp(garbage));

            assertThat(m.getHeader().getID()).isEqualTo(0xBEEF);
            assertThat(m.getRcode()).isEqualTo(Rcode.FORMERR);
            assertThat(m.getHeader().getFlag(Flags.QR)).isTrue();
            assertThat(m.getHeader().getFlag(Flags.RD)).isTrue();
            assertThat(s.server.stats().malformed()).isEqualTo(1);
        }
    }

    @Test
    void countsThatCannotFitThePacketGetFormerr() throws IOException {
        try (RunningServer s = oneThreadServer(); RawDns raw = new RawDns(s.port())) {
            byte[] header = {0x00, 0x2A, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};

            Message m = new Message(raw.exchangeUdp(header));

            assertThat(m.getHeader().getID()).isEqualTo(0x2A);
            assertThat(m.getRcode()).isEqualTo(Rcode.FORMERR);
        }
    }

    @Test
    void moreThanOneQuestionGetsFormerr() throws IOException {
        try (RunningServer s = oneThreadServer(); RawDns raw = new RawDns(s.port())) {
            Message q = Message.newQuery(Record.newRecord(RunningServer.name(RunningServer.ZONE), Type.A, DClass.IN));
            q.addRecord(Record.newRecord(RunningServer.name("h1." + RunningServer.ZONE), Type.A, DClass.IN),
                    Section.QUESTION);

            Message m = new Message(raw.exchangeUdp(q.toWire()));

            assertThat(m.getRcode()).isEqualTo(Rcode.FORMERR);
            assertThat(m.getSection(Section.ANSWER)).isEmpty();
        }
    }

    @Test
    void noQuestionGetsFormerr() throws IOException {
        try (RunningServer s = oneThreadServer(); RawDns raw = new RawDns(s.port())) {
            byte[] empty = {0x00, 0x07, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0};

            Message m = new Message(raw.exchangeUdp(empty));

            assertThat(m.getHeader().getID()).isEqualTo(7);
            assertThat(m.getRcode()).isEqualTo(Rcode.FORMERR);
        }
    }

    @Test
    void twoOptRecordsGetFormerr() throws IOException {
        try (RunningServer s = oneThreadServer(); RawDns raw = new RawDns(s.port())) {
            Message q = Message.newQuery(Record.newRecord(RunningServer.name(RunningServer.ZONE), Type.A, DClass.IN));
            q.addRecord(new org.xbill.DNS.OPTRecord(1232, 0, 0), Section.ADDITIONAL);
            q.addRecord(new org.xbill.DNS.OPTRecord(1232, 0, 0), Section.ADDITIONAL);

            assertThat(new Message(raw.exchangeUdp(q.toWire())).getRcode()).isEqualTo(Rcode.FORMERR);
        }
    }
}
