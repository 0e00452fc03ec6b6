package io.farmgate.dns;

import static io.farmgate.dns.Farms.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Response rate limiting measured against a reflection flood: queries "from" many forged
 * sources (Linux lets a socket bind any 127.x.y.z address), spread over several /24 networks, all
 * asking the question with the biggest answer. The bytes the server sends out are counted at the
 * receiving sockets and compared with the bytes sent in.
 *
 * <p>The server's clock is frozen, so the limiter's budgets do not refill during the flood and
 * the outcome does not depend on how fast this machine sends: the flood is 300 queries per /24
 * within one second, above the ~135 per second at which the shipped defaults (20 per second,
 * slip 2) stop amplifying (see docs/dns.md).
 */
class SpoofedFloodTest {

    private static final int NETWORKS = 10;
    private static final int SOURCES_PER_NETWORK = 20;
    private static final int QUERIES_PER_SOURCE = 15;

    /** Bytes in both directions and the replies received, for one flood. */
    private record Traffic(long bytesIn, long bytesOut, int replies) { }

    private static DnsConfig config(DnsConfig.RateLimit rateLimit) {
        // Eight addresses per answer: a big answer to a small question, what a reflector wants.
        return RunningServer.config().udpThreads(1).answerCount(8).rateLimit(rateLimit).build();
    }

    private static byte[] query(int id) {
        Message q = Message.newQuery(Record.newRecord(RunningServer.name(RunningServer.ZONE), Type.A, DClass.IN));
        q.getHeader().setID(id);
        q.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
        return q.toWire();
    }

    private static Traffic flood(RunningServer s) throws IOException {
        List<DatagramChannel> sources = new ArrayList<>();
        try {
            for (int net = 0; net < NETWORKS; net++) {
                for (int host = 1; host <= SOURCES_PER_NETWORK; host++) {
                    DatagramChannel c = DatagramChannel.open();
                    c.bind(new InetSocketAddress(InetAddress.getByName("127.0." + (100 + net) + "." + host), 0));
                    c.configureBlocking(false);
                    sources.add(c);
                }
            }
            InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), s.port());
            long bytesIn = 0;
            int sent = 0;
            for (int round = 0; round < QUERIES_PER_SOURCE; round++) {
                for (DatagramChannel c : sources) {
                    byte[] q = query(sent & 0xFFFF);
                    bytesIn += c.send(ByteBuffer.wrap(q), server);
                    sent++;
                }
                // One round at a time, so the server's socket buffer never overflows and every
                // query sent is a query the server saw.
                int expected = sent;
                await().atMost(Duration.ofSeconds(30)).until(() -> s.server.stats().queries("A") == expected);
            }
            long replies = sent - s.server.stats().rrlDropped();
            long[] bytesOut = {0};
            int[] received = {0};
            ByteBuffer buffer = ByteBuffer.allocate(65_535);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (DatagramChannel c : sources) {
                    buffer.clear();
                    while (c.receive(buffer) != null) {
                        bytesOut[0] += buffer.position();
                        received[0]++;
                        buffer.clear();
                    }
                }
                return received[0] >= replies;
            });
            return new Traffic(bytesIn, bytesOut[0], received[0]);
        } finally {
            for (DatagramChannel c : sources) {
                c.close();
            }
        }
    }

    @Test
    void withoutRateLimitingTheFloodQuestionIsAmplified() throws IOException {
        try (RunningServer s = RunningServer.start(config(DnsConfig.RateLimit.OFF), snapshot(Farms.ipv4Hosts(10)),
                new TestClock(5_000_000))) {
            Traffic t = flood(s);

            // The control: this question is worth reflecting, so the next test measures something.
            assertThat(t.bytesOut()).isGreaterThan(2 * t.bytesIn());
        }
    }

    @Test
    void underTheDefaultRateLimitBytesSentOutStayBelowBytesReceived() throws IOException {
        try (RunningServer s = RunningServer.start(config(DnsConfig.RateLimit.DEFAULT), snapshot(Farms.ipv4Hosts(10)),
                new TestClock(5_000_000))) {
            Traffic t = flood(s);

            assertThat(t.bytesOut()).isLessThan(t.bytesIn());
            assertThat(s.server.stats().rrlDropped()).isPositive();
            assertThat(s.server.stats().rrlSlipped()).isPositive();
        }
    }

    @Test
    void underTheRateLimitEveryForgedNetworkStillGetsItsBudgetOfFullAnswers() throws IOException {
        try (RunningServer s = RunningServer.start(config(DnsConfig.RateLimit.DEFAULT), snapshot(Farms.ipv4Hosts(10)),
                new TestClock(5_000_000))) {
            flood(s);

            // Limiting is per /24 and per answer: each network got its burst, nobody got more.
            long full = s.server.stats().responses("NOERROR");
            assertThat(full).isEqualTo((long) NETWORKS * DnsConfig.RateLimit.DEFAULT.responsesPerSecond());
        }
    }
}
