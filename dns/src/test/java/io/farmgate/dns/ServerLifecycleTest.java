package io.farmgate.dns;

import static io.farmgate.dns.Farms.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.farmgate.dns.QueryResponder.Transport;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/** Binding, threads and shutdown of one server, and its counters. */
class ServerLifecycleTest {

    @Test
    void udpAndTcpAnswerOnTheSamePort() {
        try (RunningServer s = RunningServer.start(snapshot(Farms.ipv4Hosts(1)))) {
            assertThat(s.port()).isPositive();
            assertThat(s.query(RunningServer.ZONE, Type.SOA, Transport.UDP).getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(s.query(RunningServer.ZONE, Type.SOA, Transport.TCP).getRcode()).isEqualTo(Rcode.NOERROR);
        }
    }

    @Test
    void severalUdpThreadsEachGetTheirOwnReusePortSocket() {
        try (RunningServer s = RunningServer.start(RunningServer.config().udpThreads(3).build(),
                snapshot(Farms.ipv4Hosts(1)))) {
            // Linux (here and in CI) has SO_REUSEPORT; elsewhere the threads would share one socket.
            assertThat(s.server.udpSockets()).isEqualTo(3);
        }
    }

    @Test
    void queriesFromManyClientsAtOnceAreAllAnswered() throws Exception {
        try (RunningServer s = RunningServer.start(RunningServer.config().udpThreads(3).build(),
                snapshot(Farms.ipv4Hosts(3)))) {
            ExecutorService clients = Executors.newFixedThreadPool(6);
            try {
                List<Callable<Integer>> work = new ArrayList<>();
                for (int c = 0; c < 6; c++) {
                    work.add(() -> {
                        int ok = 0;
                        for (int i = 0; i < 50; i++) {
                            if (s.query(RunningServer.ZONE, Type.A, Transport.UDP).getRcode() == Rcode.NOERROR) {
                                ok++;
                            }
                        }
                        return ok;
                    });
                }
                int answered = 0;
                for (Future<Integer> f : clients.invokeAll(work)) {
                    answered += f.get();
                }
                assertThat(answered).isEqualTo(300);
            } finally {
                clients.shutdownNow();
            }
        }
    }

    @Test
    void closeStopsThisServersThreadsAndFreesItsPort() throws IOException {
        RunningServer s = RunningServer.start(RunningServer.config().udpThreads(2).build(), snapshot(Farms.ipv4Hosts(1)));
        int port = s.port();
        assertThat(dnsThreads()).isNotEmpty();

        s.close();

        assertThat(dnsThreads()).isEmpty();
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        try (DatagramSocket udp = new DatagramSocket(address); ServerSocket tcp = new ServerSocket()) {
            tcp.bind(address);
            assertThat(udp.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void closingOneServerLeavesAnotherServing() {
        try (RunningServer keep = RunningServer.start(snapshot(Farms.ipv4Hosts(1)))) {
            RunningServer other = RunningServer.start(snapshot(Farms.ipv4Hosts(1)));
            other.close();

            assertThat(keep.query(RunningServer.ZONE, Type.SOA, Transport.UDP).getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(keep.query(RunningServer.ZONE, Type.SOA, Transport.TCP).getRcode()).isEqualTo(Rcode.NOERROR);
        }
    }

    @Test
    void closeIsIdempotent() {
        RunningServer s = RunningServer.start(snapshot(Farms.ipv4Hosts(1)));
        s.close();
        s.close();

        assertThat(dnsThreads()).isEmpty();
    }

    @Test
    void startingTwiceIsRejected() {
        try (RunningServer s = RunningServer.start(snapshot(Farms.ipv4Hosts(1)))) {
            assertThatThrownBy(s.server::start).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void fixedPortAlreadyTakenFailsToStart() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            DnsConfig config = RunningServer.config().port(taken.getLocalPort()).build();
            DnsServer server = new DnsServer(config, () -> snapshot(Farms.ipv4Hosts(1)),
                    f -> 0, java.time.Clock.systemUTC());

            assertThatThrownBy(server::start).isInstanceOf(IOException.class);
            server.close();
        }
    }

    @Test
    void statsCountQueriesByTypeAndResponsesByRcode() {
        try (RunningServer s = RunningServer.start(snapshot(Farms.ipv4Hosts(2)))) {
            s.query(RunningServer.ZONE, Type.A, Transport.UDP);
            s.query(RunningServer.ZONE, Type.A, Transport.TCP);
            s.query(RunningServer.ZONE, Type.AAAA, Transport.UDP);
            s.query("nosuch." + RunningServer.ZONE, Type.A, Transport.UDP);
            s.query("example.org", Type.MX, Transport.UDP);

            DnsStats stats = s.server.stats();

            assertThat(stats.queries("A")).isEqualTo(3);
            assertThat(stats.queries("AAAA")).isEqualTo(1);
            assertThat(stats.queries("OTHER")).isEqualTo(1);
            assertThat(stats.responses("NOERROR")).isEqualTo(3);
            assertThat(stats.responses("NXDOMAIN")).isEqualTo(1);
            assertThat(stats.responses("REFUSED")).isEqualTo(1);
            assertThat(stats.internalErrors()).isZero();
        }
    }

    /** Threads of DNS servers that are alive; the suite runs one class at a time, so they are ours. */
    private static List<String> dnsThreads() {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith("farmgate-dns")) {
                names.add(t.getName());
            }
        }
        return names;
    }
}
