package io.farmgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.scoring.token.AssignmentToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The event-loop listener over real sockets: pipelining, HTTP/1.0, HEAD, bodies, half-close, deadlines. */
@Timeout(60)
class PublicListenerTest {

    private static final String SECRET = "a-secret-of-at-least-16-bytes";

    private final TestFarm farm = new TestFarm().host("h1", "ws://10.0.0.1:9001", 0, 100);
    private RunningGateway gw;

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    /** One response: its head, and its body as announced by Content-Length (none for HEAD). */
    record Response(RawHttp.Head head, String body) {
        int status() {
            return head.status();
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", gw.gateway.port()), 5_000);
        s.setSoTimeout(5_000);
        return s;
    }

    private static Response read(InputStream in, boolean head) throws IOException {
        RawHttp.Head h = RawHttp.readHead(in);
        String length = h.header("Content-Length");
        int n = head || length == null ? 0 : Integer.parseInt(length);
        byte[] body = in.readNBytes(n);
        return new Response(h, new String(body, StandardCharsets.UTF_8));
    }

    /** Milliseconds until the server closes the connection (reads and drops what it sends). */
    private static long millisUntilClosed(Socket s) throws IOException {
        return millisUntilClosed(s, System.nanoTime());
    }

    /** Milliseconds from {@code start} until the server closes the connection. */
    private static long millisUntilClosed(Socket s, long start) throws IOException {
        s.setSoTimeout(10_000);
        InputStream in = s.getInputStream();
        try {
            while (in.read() >= 0) {
                // drain
            }
        } catch (IOException e) {
            // a reset is a close too
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderInOneWrite() throws IOException {
        farm.refresh();
        gw = RunningGateway.start(farm);
        try (Socket s = connect()) {
            s.getOutputStream().write(("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /v1/assign?path=/b HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "HEAD /c?q=1 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();

            Response a = read(in, false);
            Response b = read(in, false);
            Response c = read(in, true);
            Response d = read(in, false);

            assertThat(a.head().header("Location")).isEqualTo("http://10.0.0.1:9001/a");
            assertThat(b.status()).isEqualTo(200);
            assertThat(b.body()).contains("\"url\":\"ws://10.0.0.1:9001/b\"");
            assertThat(c.head().header("Location")).isEqualTo("http://10.0.0.1:9001/c?q=1");
            assertThat(d.body()).isEqualTo("ok\n");
            assertThat(d.head().header("Connection")).isEqualTo("close");
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void http10KeepAliveIsHonouredAndSaidSo() throws IOException {
        farm.refresh();
        gw = RunningGateway.start(farm);
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            for (String path : new String[] {"/one", "/two"}) {
                out.write(("GET " + path + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").getBytes(StandardCharsets.US_ASCII));

                Response r = read(in, false);

                assertThat(r.head().header("Location")).isEqualTo("http://10.0.0.1:9001" + path);
                assertThat(r.head().header("Connection")).isEqualTo("keep-alive");
            }
        }
    }

    @Test
    void http10WithoutKeepAliveIsAnsweredThenClosed() throws IOException {
        farm.refresh();
        gw = RunningGateway.start(farm);
        try (Socket s = connect()) {
            s.getOutputStream().write("GET /old HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

            assertThat(read(s.getInputStream(), false).status()).isEqualTo(307);
            assertThat(millisUntilClosed(s)).isLessThan(2_000);
        }
    }

    @Test
    void headOf503AnnouncesTheBodyButSendsNone() throws IOException {
        gw = RunningGateway.start(farm);
        try (Socket s = connect()) {
            s.getOutputStream().write(("HEAD /x HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();

            Response head = read(in, true);
            Response next = read(in, false);

            assertThat(head.status()).isEqualTo(503);
            assertThat(Integer.parseInt(head.head().header("Content-Length"))).isPositive();
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.body()).isEqualTo("ok\n");
        }
    }

    @Test
    void aRequestWithABodyIsAnsweredAndTheConnectionClosed() throws IOException {
        farm.refresh();
        gw = RunningGateway.start(farm);
        try (Socket s = connect()) {
            s.getOutputStream().write(("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n"
                    + "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));

            Response r = read(s.getInputStream(), false);

            assertThat(r.status()).isEqualTo(405);
            assertThat(r.head().header("Connection")).isEqualTo("close");
            assertThat(RawHttp.readHead(s.getInputStream()).status()).isEqualTo(-1);
        }
    }

    @Test
    void chunkedGetIsAnsweredButTheBodyNeverParsedAsARequest() throws IOException {
        farm.refresh();
        gw = RunningGateway.start(farm);
        try (Socket s = connect()) {
            s.getOutputStream().write(("GET /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));

            Response r = read(s.getInputStream(), false);

            assertThat(r.head().header("Location")).isEqualTo("http://10.0.0.1:9001/x");
            assertThat(RawHttp.readHead(s.getInputStream()).status()).isEqualTo(-1);
        }
    }

    @Test
    void aClientThatHalfClosesAfterItsRequestStillGetsTheAnswer() throws IOException {
        farm.refresh();
        gw = RunningGateway.start(farm);
        try (Socket s = connect()) {
            s.getOutputStream().write("GET /bye HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();

            assertThat(read(s.getInputStream(), false).head().header("Location")).isEqualTo("http://10.0.0.1:9001/bye");
            assertThat(millisUntilClosed(s)).isLessThan(2_000);
        }
    }

    @Test
    void absoluteFormReachesTheApiToo() {
        farm.refresh();
        gw = RunningGateway.start(farm);

        RawHttp.Head head = RawHttp.exchange(gw.gateway.port(),
                "GET http://gw.example:8080/v1/assign?path=/z HTTP/1.1\r\nHost: gw.example:8080\r\n\r\n");

        assertThat(head.status()).isEqualTo(200);
    }

    @Test
    void headOverTheConfiguredLimitGets431() {
        farm.refresh();
        gw = RunningGateway.start(farm, b -> b.maxRequestHeaderBytes(1024));

        assertThat(RawHttp.exchange(gw.gateway.port(), "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(1100)
                + "\r\n\r\n").status()).isEqualTo(431);
        assertThat(RawHttp.exchange(gw.gateway.port(), "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(900)
                + "\r\n\r\n").status()).isEqualTo(307);
    }

    @Test
    void slowlorisTricklingAHeadIsCutOffWith408() throws Exception {
        farm.refresh();
        gw = RunningGateway.start(farm, b -> b.headerReadTimeoutMillis(300));
        // From before the connect: the server's header deadline runs from its later accept.
        long start = System.nanoTime();
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            // One header byte every 50 ms: never a complete head, always some progress.
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            s.setSoTimeout(50);
            InputStream in = s.getInputStream();
            boolean closed = false;
            while (!closed && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5)) {
                try {
                    out.write('a');
                } catch (IOException e) {
                    break;
                }
                try {
                    int b = in.read();
                    if (b < 0) {
                        closed = true;
                    } else {
                        seen.write(b);
                        seen.write(in.readNBytes(in.available()));
                    }
                } catch (SocketTimeoutException e) {
                    // nothing yet
                } catch (IOException e) {
                    closed = true;
                }
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(seen.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 408 ");
            assertThat(millis).isBetween(300L, 3_000L);
        }
        assertThat(gw.adminGet("/metrics", null).body()).contains("farmgate_gateway_header_timeouts_total 1.0");
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAfterTheHeaderTimeout() throws IOException {
        farm.refresh();
        gw = RunningGateway.start(farm, b -> b.headerReadTimeoutMillis(300));
        long start = System.nanoTime();
        try (Socket s = connect()) {
            // Measured from before the connect: the server's deadline runs from a later accept.
            assertThat(millisUntilClosed(s, start)).isBetween(300L, 3_000L);
        }
    }

    @Test
    void anIdleKeptAliveConnectionIsClosedAfterTheIdleTimeout() throws IOException {
        farm.refresh();
        gw = RunningGateway.start(farm, b -> b.idleTimeoutMillis(400));
        try (Socket s = connect()) {
            // Measured from before the request: the server's idle deadline runs from its later answer.
            long start = System.nanoTime();
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(read(s.getInputStream(), false).status()).isEqualTo(307);

            assertThat(millisUntilClosed(s, start)).isBetween(400L, 3_000L);
        }
    }

    @Test
    void tokenForANonAsciiKeyVerifiesAndCarriesTheKey() throws Exception {
        farm.refresh();
        gw = RunningGateway.start(farm, b -> b.tokenSecret(SECRET));

        String location = RawHttp.exchange(gw.gateway.port(), "GET /p?client=caf%C3%A9 HTTP/1.1\r\nHost: x\r\n\r\n")
                .header("Location");

        String token = location.substring(location.indexOf("fg_token=") + 9);
        AssignmentToken verifier = new AssignmentToken(SECRET.getBytes(StandardCharsets.UTF_8));
        assertThat(verifier.verify(token, "h1", System.currentTimeMillis() / 1000, 5).valid()).isTrue();
        assertThat(AssignmentToken.clientKey(token)).isEqualTo("café");
    }

    @Test
    void aClosingRequestAnsweredOnAcceptIsKeyedByTheClientsAddress() {
        farm.refresh();
        gw = RunningGateway.start(farm, b -> b.tokenSecret(SECRET).affinityByAddress(true));

        String location = RawHttp.exchange(gw.gateway.port(), "GET /p HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .header("Location");

        assertThat(AssignmentToken.clientKey(location.substring(location.indexOf("fg_token=") + 9))).isEqualTo("127.0.0.1");
    }

    @Test
    void anAnswerLargerThanTheAcceptBufferArrivesWholeBeforeTheClose() throws IOException {
        farm.refresh();
        gw = RunningGateway.start(farm);
        try (Socket s = connect()) {
            s.getOutputStream().write("GET /v1/client.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();

            Response r = read(in, false);

            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().length()).isEqualTo(Integer.parseInt(r.head().header("Content-Length"))).isGreaterThan(16_384);
            assertThat(r.body()).endsWith("\n");
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void everyConnectionOfABurstGetsAValidRedirect() throws Exception {
        farm.refresh();
        gw = RunningGateway.start(farm);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<RawHttp.Head>> heads = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String path = "/burst/" + i;
                heads.add(pool.submit(() -> RawHttp.exchange(gw.gateway.port(),
                        "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")));
            }
            for (int i = 0; i < heads.size(); i++) {
                assertThat(heads.get(i).get(10, TimeUnit.SECONDS).header("Location"))
                        .isEqualTo("http://10.0.0.1:9001/burst/" + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
