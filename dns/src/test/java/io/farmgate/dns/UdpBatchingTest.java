package io.farmgate.dns;

import static io.farmgate.dns.Farms.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.farmgate.testing.ExternalTool;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Batched UDP (recvmmsg/sendmmsg through the native library) answers exactly as one packet per
 * system call does, and every answer of a batch goes to the sender of its query.
 */
class UdpBatchingTest {

    private static final String ZONE = RunningServer.ZONE;

    /**
     * On Linux the library must have loaded. The build leaves it out only where it found no C
     * compiler: then the test is skipped naming gcc (a failure under FARMGATE_REQUIRE_ALL_TOOLS=1).
     */
    private static void requireNativeUdp() {
        assumeThat(System.getProperty("os.name").toLowerCase(Locale.ROOT)).startsWith("linux");
        if (!NativeUdp.available()) {
            ExternalTool.GCC.require();
        }
        assertThat(NativeUdp.available())
                .as("batched UDP on Linux (built by dns/src/main/native/build.sh; needs gcc): %s",
                        NativeUdp.unavailableReason())
                .isTrue();
    }

    @Test
    void theNativeLibraryLoadsOnLinux() {
        requireNativeUdp();
    }

    @Test
    void serversBatchByDefaultAndTakeOnePacketPerCallWhenAsked() {
        requireNativeUdp();
        try (RunningServer byDefault = RunningServer.start(snapshot(Farms.ipv4Hosts(1)));
             RunningServer unbatched = RunningServer.start(RunningServer.config().udpBatching(false).build(),
                     snapshot(Farms.ipv4Hosts(1)))) {
            assertThat(byDefault.server.udpMode()).isEqualTo("16 queries per recvmmsg");
            assertThat(unbatched.server.udpMode()).isEqualTo("one query per receive call (batching off)");
        }
    }

    @Test
    void batchedAndOneByOneServersGiveIdenticalReplies() {
        DnsConfig config = RunningServer.config().udpThreads(1).answerCount(2).build();
        try (RunningServer batched = RunningServer.start(config, Farms.mixedFarm());
             RunningServer oneByOne = RunningServer.start(config.toBuilder().udpBatching(false).build(),
                     Farms.mixedFarm());
             RawDns toBatched = new RawDns(batched.port());
             RawDns toOneByOne = new RawDns(oneByOne.port())) {
            List<byte[]> queries = new ArrayList<>();
            for (String name : new String[] {ZONE, "h1." + ZONE, "v1." + ZONE, "nosuch." + ZONE, "example.org"}) {
                for (int type : new int[] {Type.A, Type.AAAA, Type.SOA, Type.NS, Type.TXT, Type.ANY}) {
                    queries.add(query(name, type, 0));
                }
            }
            SplittableRandom random = new SplittableRandom(7);
            for (int i = 0; i < 300; i++) { // damaged queries: FORMERR, or dropped, alike on both
                byte[] q = queries.get(random.nextInt(queries.size())).clone();
                q[random.nextInt(q.length)] = (byte) random.nextInt(256);
                queries.add(q);
            }

            int answered = 0;
            for (byte[] q : queries) {
                if ((q[2] & 0x80) != 0 || q.length < 12) {
                    continue; // a response, or not even a header: dropped by both, nothing to compare
                }
                byte[] fromBatched = toBatched.exchangeUdp(q);
                byte[] fromOneByOne = toOneByOne.exchangeUdp(q);

                assertThat(fromBatched).as("reply to query %d", answered).isEqualTo(fromOneByOne);
                answered++;
            }
            assertThat(answered).isGreaterThan(250);
            assertThat(batched.server.stats()).isEqualTo(oneByOne.server.stats());
        }
    }

    @Test
    void aBurstFromManyClientsIsAnsweredEachToItsOwnSender() throws IOException {
        DnsConfig config = RunningServer.config().udpThreads(1).build();
        int clients = 8;
        int perClient = 60; // 480 queries sent without waiting: many per receive call
        try (RunningServer s = RunningServer.start(config, snapshot(Farms.ipv4Hosts(3)))) {
            List<DatagramSocket> sockets = new ArrayList<>();
            try {
                Map<Integer, Set<Integer>> expected = new HashMap<>();
                for (int c = 0; c < clients; c++) {
                    DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                    socket.setReceiveBufferSize(1 << 20);
                    socket.setSoTimeout(RawDns.WAIT_MILLIS);
                    sockets.add(socket);
                    expected.put(c, new HashSet<>());
                }
                InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), s.port());
                for (int i = 0; i < perClient; i++) {
                    for (int c = 0; c < clients; c++) {
                        int id = c * 1_000 + i;
                        // Interleaved kinds: fast-path answers, general-path answers, and responses
                        // (QR set) that get no answer at all, so some slots of a batch stay empty.
                        byte[] packet = switch (i % 3) {
                            case 0 -> query(ZONE, Type.A, id);
                            case 1 -> query("h" + (1 + i % 3) + "." + ZONE, Type.SOA, id);
                            default -> asResponse(query(ZONE, Type.A, id));
                        };
                        if (i % 3 != 2) {
                            expected.get(c).add(id);
                        }
                        sockets.get(c).send(new DatagramPacket(packet, packet.length, server));
                    }
                }

                for (int c = 0; c < clients; c++) {
                    Set<Integer> received = new HashSet<>();
                    byte[] buf = new byte[4096];
                    while (received.size() < expected.get(c).size()) {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        sockets.get(c).receive(p);
                        Message reply = new Message(java.util.Arrays.copyOf(buf, p.getLength()));
                        assertThat(reply.getRcode()).isEqualTo(Rcode.NOERROR);
                        assertThat(reply.getHeader().getFlag(Flags.QR)).isTrue();
                        received.add(reply.getHeader().getID());
                    }
                    assertThat(received).as("IDs answered to client %d", c).isEqualTo(expected.get(c));
                    sockets.get(c).setSoTimeout(200);
                    assertThat(nothingMore(sockets.get(c))).as("client %d got nothing else", c).isTrue();
                }
                assertThat(s.server.stats().droppedResponses()).isEqualTo((long) clients * (perClient / 3));
            } finally {
                sockets.forEach(DatagramSocket::close);
            }
        }
    }

    @Test
    void anIpv6ClientIsAnsweredOverBatchedUdp() throws IOException {
        DnsConfig config = RunningServer.config().listenHost("::1").udpThreads(1).build();
        try (RunningServer s = RunningServer.start(config, snapshot(Farms.ipv4Hosts(2)));
             DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("::1"), 0))) {
            socket.setSoTimeout(RawDns.WAIT_MILLIS);
            byte[] q = query(ZONE, Type.A, 4242);
            socket.send(new DatagramPacket(q, q.length, new InetSocketAddress(InetAddress.getByName("::1"), s.port())));
            byte[] buf = new byte[4096];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            socket.receive(p);

            Message reply = new Message(java.util.Arrays.copyOf(buf, p.getLength()));
            assertThat(reply.getHeader().getID()).isEqualTo(4242);
            assertThat(reply.getSection(Section.ANSWER)).hasSize(1);
        }
    }

    private static boolean nothingMore(DatagramSocket socket) throws IOException {
        try {
            socket.receive(new DatagramPacket(new byte[512], 512));
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        }
    }

    private static byte[] query(String name, int type, int id) {
        Message m = Message.newQuery(Record.newRecord(RunningServer.name(name), type, DClass.IN));
        m.getHeader().setID(id);
        return m.toWire();
    }

    private static byte[] asResponse(byte[] packet) {
        packet[2] |= (byte) 0x80;
        return packet;
    }
}
