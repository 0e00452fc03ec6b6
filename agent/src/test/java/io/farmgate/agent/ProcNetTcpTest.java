package io.farmgate.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcNetTcpTest {

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private ServerSocket listen(String address) throws IOException {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByName(address), 0), 100);
        open.add(server);
        return server;
    }

    private List<Socket> connect(ServerSocket server, int n) throws IOException {
        List<Socket> accepted = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
            open.add(client);
            Socket serverEnd = server.accept();
            open.add(serverEnd);
            accepted.add(serverEnd);
        }
        return accepted;
    }

    @Test
    void countsEstablishedConnectionsToAPlainPort() throws IOException {
        ServerSocket server = listen("127.0.0.1");
        connect(server, 7);

        PortSockets sockets = ProcNetTcp.system().count(server.getLocalPort());

        assertThat(sockets.established()).isEqualTo(7);
        assertThat(sockets.listening()).isEqualTo(1);
    }

    @Test
    void closedConnectionsLeaveTheCount() throws IOException {
        ServerSocket server = listen("127.0.0.1");
        List<Socket> accepted = connect(server, 5);
        accepted.get(0).close();
        accepted.get(1).close();

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(ProcNetTcp.system().count(server.getLocalPort()).established()).isEqualTo(3));
    }

    @Test
    void countsConnectionsOverIpv6TooFromTcp6() throws IOException {
        ServerSocket server = listen("::1");
        connect(server, 3);

        assertThat(ProcNetTcp.system().count(server.getLocalPort()).established()).isEqualTo(3);
    }

    @Test
    void portNobodyListensOnHasNoListener() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }

        assertThat(ProcNetTcp.system().count(port)).isEqualTo(new PortSockets(0, 0));
    }

    @Test
    void linesThatDoNotParseAreSkipped() {
        String table = """
                  sl  local_address rem_address   st tx_queue
                   0: 0100007F:1F90 0100007F:D2F0 01 00000000:00000000
                   1: garbage
                   2: 0100007F:ZZZZ 0100007F:D2F0 01 00000000:00000000
                   3: 0100007F:1F90 0100007F:D2F4 01 00000000:00000000
                   4: 00000000:1F90 00000000:0000 0A 00000000:00000000
                   5: 0100007F:1F90 0100007F:D2F8 06 00000000:00000000
                """;

        assertThat(ProcNetTcp.parse(table, 0x1F90)).isEqualTo(new PortSockets(2, 1));
    }

    private static String table(String... rows) {
        StringBuilder b = new StringBuilder("  sl  local_address rem_address   st tx_queue\n");
        for (int i = 0; i < rows.length; i++) {
            b.append("   ").append(i).append(": ").append(rows[i]).append(" 00000000:00000000\n");
        }
        return b.toString();
    }

    @Test
    void onceTheListenerIsFoundOnlyItsTableIsReadUntilTheNextFullScan(@TempDir Path dir) throws IOException {
        Path tcp = dir.resolve("tcp");
        Path tcp6 = dir.resolve("tcp6");
        String listener = "00000000:1F90 00000000:0000 0A";
        Files.writeString(tcp, table(listener, "0100007F:1F90 0100007F:D2F0 01"));
        Files.writeString(tcp6, table());
        ProcNetTcp tables = new ProcNetTcp(List.of(tcp, tcp6), new SocketCensus(List.of()));
        assertThat(tables.count(0x1F90)).isEqualTo(new PortSockets(1, 1));

        // tcp6 is not read while the listener stays in tcp: a socket appearing there is not seen...
        Files.writeString(tcp6, table("00000000000000000000000001000000:1F90 00000000000000000000000001000000:D2F0 01"));
        Files.writeString(tcp, table(listener, "0100007F:1F90 0100007F:D2F0 01", "0100007F:1F90 0100007F:D2F4 01"));
        for (int i = 1; i < ProcNetTcp.FULL_SCAN_EVERY; i++) {
            assertThat(tables.count(0x1F90)).isEqualTo(new PortSockets(2, 1));
        }
        // ... until the periodic full scan.
        assertThat(tables.count(0x1F90)).isEqualTo(new PortSockets(3, 1));

        // A listener that moved to tcp6 is found at once: a missing listener means a full scan.
        Files.writeString(tcp, table());
        Files.writeString(tcp6, table("00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A"));
        assertThat(tables.count(0x1F90)).isEqualTo(new PortSockets(0, 1));
    }

    private static final String SOCKSTAT = """
            sockets: used 14
            TCP: inuse %d orphan 0 tw %d alloc 9 mem %d
            UDP: inuse 0 mem 0
            """;

    @Test
    void whileTheCensusStandsStillTheTablesAreNotRead(@TempDir Path dir) throws IOException {
        Path tcp = dir.resolve("tcp");
        Path sockstat = dir.resolve("sockstat");
        Files.writeString(tcp, table("00000000:1F90 00000000:0000 0A", "0100007F:1F90 0100007F:D2F0 01"));
        Files.writeString(sockstat, SOCKSTAT.formatted(3, 0, 40));
        ProcNetTcp tables = new ProcNetTcp(List.of(tcp), new SocketCensus(List.of(sockstat)));
        assertThat(tables.count(0x1F90)).isEqualTo(new PortSockets(1, 1));

        // A table that changed while the census did not is not read: the count stands...
        Files.writeString(tcp, table("00000000:1F90 00000000:0000 0A"));
        Files.writeString(sockstat, SOCKSTAT.formatted(3, 0, 55)); // buffered bytes are not a change
        assertThat(tables.count(0x1F90)).isEqualTo(new PortSockets(1, 1));

        // ... and falls as soon as the census moves.
        Files.writeString(sockstat, SOCKSTAT.formatted(3, 1, 55));
        assertThat(tables.count(0x1F90)).isEqualTo(new PortSockets(0, 1));
    }

    @Test
    void aCountStandsForABoundedNumberOfCountsEvenWithAStillCensus(@TempDir Path dir) throws IOException {
        Path tcp = dir.resolve("tcp");
        Path sockstat = dir.resolve("sockstat");
        Files.writeString(tcp, table("00000000:1F90 00000000:0000 0A"));
        Files.writeString(sockstat, SOCKSTAT.formatted(2, 0, 40));
        ProcNetTcp tables = new ProcNetTcp(List.of(tcp), new SocketCensus(List.of(sockstat)));
        assertThat(tables.count(0x1F90)).isEqualTo(new PortSockets(0, 1));

        Files.writeString(tcp, table("00000000:1F90 00000000:0000 0A", "0100007F:1F90 0100007F:D2F0 01"));
        for (int i = 1; i < ProcNetTcp.TABLES_READ_AT_LEAST_EVERY; i++) {
            assertThat(tables.count(0x1F90)).isEqualTo(new PortSockets(0, 1));
        }
        assertThat(tables.count(0x1F90)).isEqualTo(new PortSockets(1, 1));
    }

    @Test
    void withoutACensusEveryCountReadsTheTables(@TempDir Path dir) throws IOException {
        Path tcp = dir.resolve("tcp");
        Files.writeString(tcp, table("00000000:1F90 00000000:0000 0A"));
        ProcNetTcp tables = new ProcNetTcp(List.of(tcp), new SocketCensus(List.of(dir.resolve("no-sockstat"))));
        assertThat(tables.count(0x1F90)).isEqualTo(new PortSockets(0, 1));

        Files.writeString(tcp, table("00000000:1F90 00000000:0000 0A", "0100007F:1F90 0100007F:D2F0 01"));
        assertThat(tables.count(0x1F90)).isEqualTo(new PortSockets(1, 1));
    }

    @Test
    void theSystemCensusSeesNewConnectionsAtOnce() throws IOException {
        ServerSocket server = listen("127.0.0.1");
        ProcNetTcp tables = ProcNetTcp.system();
        assertThat(tables.count(server.getLocalPort())).isEqualTo(new PortSockets(0, 1));

        connect(server, 4);

        assertThat(tables.count(server.getLocalPort())).isEqualTo(new PortSockets(4, 1));
    }

    @Test
    void theSystemCensusSeesTheBackendCloseAConnectionAtOnce() throws IOException {
        ServerSocket server = listen("127.0.0.1");
        List<Socket> accepted = connect(server, 3);
        ProcNetTcp tables = ProcNetTcp.system();
        assertThat(tables.count(server.getLocalPort())).isEqualTo(new PortSockets(3, 1));

        accepted.get(0).close(); // the client has not closed its end: FIN_WAIT, no longer ESTABLISHED

        assertThat(tables.count(server.getLocalPort())).isEqualTo(new PortSockets(2, 1));
    }

    @Test
    void censusKeepsOnlyTheTcpCountsOfThisNamespace() {
        StringBuilder census = new StringBuilder();
        SocketCensus.appendTcpLines(SOCKSTAT.formatted(7, 2, 99), census);
        SocketCensus.appendTcpLines("TCP6: inuse 5\nUDP6: inuse 1\n", census);

        assertThat(census).hasToString("TCP:inuse=7,orphan=0,tw=2,;TCP6:inuse=5,;");
    }
}
