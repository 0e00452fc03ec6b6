package io.farmgate.dns;

import static io.farmgate.dns.Farms.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.dns.QueryResponder.Transport;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** EDNS0 payload sizes and truncation: what fits goes over UDP, the rest gets TC and comes whole over TCP. */
class EdnsAndTruncationTest {

    private static final String APEX = RunningServer.ZONE;

    // 40 A records need about 680 bytes: more than 512, less than 1232.
    private static final int MID_SIZE_ANSWER = 40;

    private static RunningServer fortyIpv4Hosts() {
        return RunningServer.start(RunningServer.config().answerCount(MID_SIZE_ANSWER).build(),
                snapshot(Farms.ipv4Hosts(MID_SIZE_ANSWER)));
    }

    private static Message query(int type, OPTRecord opt) {
        Message q = Message.newQuery(Record.newRecord(RunningServer.name(APEX), type, DClass.IN));
        if (opt != null) {
            q.addRecord(opt, Section.ADDITIONAL);
        }
        return q;
    }

    private static byte[] udp(RunningServer s, Message q) {
        try (RawDns raw = new RawDns(s.port())) {
            return raw.exchangeUdp(q.toWire());
        }
    }

    @Test
    void queryWithoutEdnsGetsNoOptAndAtMost512BytesWithTc() throws IOException {
        try (RunningServer s = fortyIpv4Hosts()) {
            byte[] wire = udp(s, query(Type.A, null));
            Message m = new Message(wire);

            assertThat(wire.length).isLessThanOrEqualTo(512);
            assertThat(m.getHeader().getFlag(Flags.TC)).isTrue();
            assertThat(m.getOPT()).isNull();
        }
    }

    @Test
    void advertisedPayloadSizeIsHonoured() throws IOException {
        try (RunningServer s = fortyIpv4Hosts()) {
            Message small = new Message(udp(s, query(Type.A, new OPTRecord(600, 0, 0))));
            Message large = new Message(udp(s, query(Type.A, new OPTRecord(1232, 0, 0))));

            assertThat(small.getHeader().getFlag(Flags.TC)).isTrue();
            assertThat(large.getHeader().getFlag(Flags.TC)).isFalse();
            assertThat(large.getSection(Section.ANSWER)).hasSize(MID_SIZE_ANSWER);
        }
    }

    @Test
    void replyEchoesOptWithTheServersPayloadSize() throws IOException {
        try (RunningServer s = RunningServer.start(RunningServer.config().ednsMaxPayload(1400).build(),
                snapshot(Farms.ipv4Hosts(2)))) {
            Message m = new Message(udp(s, query(Type.A, new OPTRecord(4096, 0, 0))));

            assertThat(m.getOPT()).isNotNull();
            assertThat(m.getOPT().getPayloadSize()).isEqualTo(1400);
        }
    }

    @Test
    void dnssecOkBitIsCopiedIntoTheReply() throws IOException {
        try (RunningServer s = RunningServer.start(snapshot(Farms.ipv4Hosts(2)))) {
            Message withDo = new Message(udp(s, query(Type.A, new OPTRecord(1232, 0, 0, ExtendedFlags.DO))));
            Message withoutDo = new Message(udp(s, query(Type.A, new OPTRecord(1232, 0, 0, 0))));

            assertThat(withDo.getOPT().getFlags() & ExtendedFlags.DO).isEqualTo(ExtendedFlags.DO);
            assertThat(withoutDo.getOPT().getFlags() & ExtendedFlags.DO).isZero();
        }
    }

    @Test
    void advertisedPayloadAboveTheConfiguredMaximumIsClamped() throws IOException {
        // 64 AAAA records need about 1850 bytes: over 1232 though the client offers 4096.
        try (RunningServer s = RunningServer.start(RunningServer.config().answerCount(64).build(),
                snapshot(Farms.ipv6Hosts(64)))) {
            byte[] wire = udp(s, query(Type.AAAA, new OPTRecord(4096, 0, 0)));

            assertThat(wire.length).isLessThanOrEqualTo(1232);
            assertThat(new Message(wire).getHeader().getFlag(Flags.TC)).isTrue();
        }
    }

    @Test
    void answerTruncatedOverUdpComesWholeOverTcp() {
        try (RunningServer s = RunningServer.start(RunningServer.config().answerCount(64).build(),
                snapshot(Farms.ipv6Hosts(64)))) {
            Message udp = s.send(query(Type.AAAA, new OPTRecord(4096, 0, 0)), Transport.UDP);
            Message tcp = s.send(query(Type.AAAA, new OPTRecord(4096, 0, 0)), Transport.TCP);

            assertThat(udp.getHeader().getFlag(Flags.TC)).isTrue();
            assertThat(udp.getSection(Section.ANSWER)).isEmpty();
            assertThat(tcp.getHeader().getFlag(Flags.TC)).isFalse();
            assertThat(tcp.getSection(Section.ANSWER)).hasSize(64);
        }
    }

    @Test
    void resolverRetriesATruncatedAnswerOverTcpAndGetsItWhole() throws IOException {
        try (RunningServer s = fortyIpv4Hosts()) {
            SimpleResolver r = s.resolver(Transport.UDP);
            r.setIgnoreTruncation(false);
            r.setEDNS((OPTRecord) null); // plain DNS: 512 bytes over UDP

            Message m = r.send(query(Type.A, null));

            assertThat(m.getHeader().getFlag(Flags.TC)).isFalse();
            assertThat(m.getSection(Section.ANSWER)).hasSize(MID_SIZE_ANSWER);
            assertThat(s.server.stats().truncated()).isEqualTo(1);
        }
    }
}
