package io.farmgate.dns;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.farmgate.dns.QueryResponder.Transport;
import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.pick.TwoChoicePicker;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;

/**
 * Coverage-guided fuzzing of the responder's packet entry point (Jazzer). In a plain
 * {@code mvn verify} it replays the seed corpus in
 * {@code src/test/resources/io/farmgate/dns/QueryResponderFuzzTestInputs/}; with
 * {@code JAZZER_FUZZ=1} it mutates inputs for as long as {@code maxDuration} allows (docs/dns.md).
 *
 * <p>The first input byte picks the transport (low bit: 0 UDP, 1 TCP); the rest is the packet.
 */
class QueryResponderFuzzTest {

    private static final FarmSnapshot FARM = Farms.mixedFarm();
    private static final DnsCounters COUNTERS = new DnsCounters();
    // Built once: in fuzzing mode this method runs millions of times in one JVM.
    private static final DnsConfig CONFIG =
            RunningServer.config().answerCount(3).fallbackAddresses(List.of("192.0.2.1")).build();
    private static final QueryResponder RESPONDER = new QueryResponder(CONFIG, () -> FARM, new TwoChoicePicker(new SplittableRandom(7)), null, COUNTERS);
    private static final InetAddress CLIENT = InetAddress.getLoopbackAddress();

    @FuzzTest(maxDuration = "2m")
    void anyPacketGetsAWellFormedReplyOrNone(byte[] input) {
        if (input.length == 0) {
            return;
        }
        Transport transport = (input[0] & 1) == 0 ? Transport.UDP : Transport.TCP;
        byte[] packet = Arrays.copyOfRange(input, 1, Math.min(input.length, 1 + QueryResponder.MAX_TCP_MESSAGE));
        long internalErrorsBefore = COUNTERS.internalErrors.sum();

        byte[] reply = RESPONDER.respond(packet, packet.length, CLIENT, transport);

        if (COUNTERS.internalErrors.sum() != internalErrorsBefore) {
            throw new AssertionError("the responder failed inside (answered SERVFAIL) for " + RawDns.hex(input));
        }
        boolean replyDue = packet.length >= 12 && (packet[2] & 0x80) == 0;
        if (!replyDue) {
            if (reply != null) {
                throw new AssertionError("a reply to a packet that must be dropped: " + RawDns.hex(input));
            }
            return;
        }
        if (reply == null) {
            throw new AssertionError("no reply to a query with a readable header: " + RawDns.hex(input));
        }
        int limit = transport == Transport.UDP ? CONFIG.ednsMaxPayload() : QueryResponder.MAX_TCP_MESSAGE;
        if (reply.length > limit) {
            throw new AssertionError("reply of " + reply.length + " bytes over " + transport + " for " + RawDns.hex(input));
        }
        Message m;
        try {
            m = new Message(reply);
        } catch (IOException e) {
            throw new AssertionError("reply does not parse with dnsjava: " + e + " for " + RawDns.hex(input), e);
        }
        if (!m.getHeader().getFlag(Flags.QR) || m.getHeader().getFlag(Flags.RA)) {
            throw new AssertionError("reply without QR or with RA for " + RawDns.hex(input));
        }
        if (m.getHeader().getID() != ((packet[0] & 0xFF) << 8 | (packet[1] & 0xFF))) {
            throw new AssertionError("reply id differs from the query's for " + RawDns.hex(input));
        }
    }
}
