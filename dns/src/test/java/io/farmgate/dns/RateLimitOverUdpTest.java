package io.farmgate.dns;

import static io.farmgate.dns.Farms.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.dns.QueryResponder.Transport;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Response rate limiting on the wire: drops, truncated slips, counters, and TCP left alone. */
class RateLimitOverUdpTest {

    private final TestClock clock = new TestClock(5_000_000);

    private RunningServer limitedServer() {
        DnsConfig config = RunningServer.config().udpThreads(1)
                .rateLimit(new DnsConfig.RateLimit(2, 2, 1024)).build();
        return RunningServer.start(config, snapshot(Farms.ipv4Hosts(2)), clock);
    }

    private static byte[] query(int id, String name) {
        Message q = Message.newQuery(Record.newRecord(RunningServer.name(name), Type.A, DClass.IN));
        q.getHeader().setID(id);
        return q.toWire();
    }

    @Test
    void limitedResponsesAreDroppedOrSlippedTruncatedAndCounted() throws IOException {
        try (RunningServer s = limitedServer(); RawDns raw = new RawDns(s.port())) {
            String name = "h1." + RunningServer.ZONE;
            assertThat(new Message(raw.exchangeUdp(query(1, name))).getSection(Section.ANSWER)).hasSize(1);
            assertThat(new Message(raw.exchangeUdp(query(2, name))).getSection(Section.ANSWER)).hasSize(1);
            raw.sendUdp(query(3, name)); // over the rate: dropped, so the next reply is query 4's

            Message slipped = new Message(raw.exchangeUdp(query(4, name)));

            assertThat(slipped.getHeader().getID()).isEqualTo(4);
            assertThat(slipped.getHeader().getFlag(Flags.TC)).isTrue();
            assertThat(slipped.getSection(Section.ANSWER)).isEmpty();
            assertThat(s.server.stats().rrlDropped()).isEqualTo(1);
            assertThat(s.server.stats().rrlSlipped()).isEqualTo(1);
        }
    }

    @Test
    void limitLiftsAsTimePasses() throws IOException {
        try (RunningServer s = limitedServer(); RawDns raw = new RawDns(s.port())) {
            String name = "h1." + RunningServer.ZONE;
            raw.exchangeUdp(query(1, name));
            raw.exchangeUdp(query(2, name));
            raw.sendUdp(query(3, name));
            // The drop must happen before the clock moves, or query 3 would be answered instead.
            await().atMost(Duration.ofSeconds(5)).until(() -> s.server.stats().rrlDropped() == 1);
            clock.advanceMillis(1_000);

            Message m = new Message(raw.exchangeUdp(query(4, name)));

            assertThat(m.getHeader().getID()).isEqualTo(4);
            assertThat(m.getHeader().getFlag(Flags.TC)).isFalse();
            assertThat(m.getSection(Section.ANSWER)).hasSize(1);
        }
    }

    @Test
    void nxdomainFloodOfRandomNamesIsLimitedAsOneResponse() throws IOException {
        try (RunningServer s = limitedServer(); RawDns raw = new RawDns(s.port())) {
            raw.exchangeUdp(query(1, "a1." + RunningServer.ZONE));
            raw.exchangeUdp(query(2, "b2." + RunningServer.ZONE));
            raw.sendUdp(query(3, "c3." + RunningServer.ZONE));

            Message slipped = new Message(raw.exchangeUdp(query(4, "d4." + RunningServer.ZONE)));

            assertThat(slipped.getHeader().getFlag(Flags.TC)).isTrue();
            assertThat(s.server.stats().rrlDropped()).isEqualTo(1);
        }
    }

    @Test
    void tcpAnswersAreNeverRateLimited() {
        try (RunningServer s = limitedServer()) {
            for (int i = 0; i < 6; i++) {
                Message m = s.query("h1." + RunningServer.ZONE, Type.A, Transport.TCP);
                assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
                assertThat(m.getSection(Section.ANSWER)).hasSize(1);
            }
            assertThat(s.server.stats().rrlDropped() + s.server.stats().rrlSlipped()).isZero();
        }
    }
}
