package io.farmgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Requests no honest client sends: each gets a 4xx (or a safe redirect), never a 5xx or a broken header. */
class MalformedRequestTest {

    private static final TestFarm FARM = new TestFarm().host("h1", "ws://10.0.0.1:9001", 0, 100);
    private static RunningGateway gw;

    @BeforeAll
    static void start() {
        FARM.refresh();
        gw = RunningGateway.start(FARM);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    private static RawHttp.Head send(String request) {
        return RawHttp.exchange(gw.gateway.port(), request);
    }

    private static void assertNoControlCharacters(String header) {
        assertThat(header).isNotNull();
        assertThat(header.chars()).allMatch(c -> c > 0x20 && c < 0x7f);
    }

    @Test
    void hugeHeaderIsRefusedWith431() {
        RawHttp.Head head = send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");

        assertThat(head.status()).isEqualTo(431);
    }

    @Test
    void hugeUriIsRefusedWith414() {
        RawHttp.Head head = send("GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(head.status()).isEqualTo(414);
    }

    @Test
    void unknownMethodIsRefusedWith405() {
        RawHttp.Head head = send("BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(head.status()).isEqualTo(405);
    }

    @Test
    void garbageRequestLineIsRefusedWith400() {
        RawHttp.Head head = send("\u0001\u0002 nonsense\r\n\r\n");

        assertThat(head.status()).isEqualTo(400);
    }

    @Test
    void encodedCrLfInThePathStaysEscapedInTheLocation() {
        RawHttp.Head head = send("GET /a%0d%0aSet-Cookie:%20x=1 HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(head.status()).isEqualTo(307);
        assertNoControlCharacters(head.header("Location"));
        assertThat(head.header("Location")).isEqualTo("http://10.0.0.1:9001/a%0d%0aSet-Cookie:%20x=1");
        assertThat(head.headers()).doesNotContainKey("set-cookie");
    }

    @Test
    void encodedCrLfInTheQueryStaysEscapedInTheLocation() {
        RawHttp.Head head = send("GET /a?x=%0D%0ALocation:%20http://evil HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(head.status()).isEqualTo(307);
        assertNoControlCharacters(head.header("Location"));
        assertThat(head.header("Location")).startsWith("http://10.0.0.1:9001/a?x=%0D%0ALocation:");
    }

    @Test
    void rawCarriageReturnInTheRequestLineIsRefused() {
        RawHttp.Head head = send("GET /a\rSet-Cookie: x=1 HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(head.status()).isEqualTo(400);
        assertThat(head.headers()).doesNotContainKey("set-cookie");
    }

    @Test
    void nonAsciiBytesInThePathArePercentEncodedInTheLocation() {
        byte[] request = "GET /caf\u00e9<>\"{}| HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.UTF_8);

        RawHttp.Head head = RawHttp.exchange(gw.gateway.port(), request);

        assertThat(head.status()).isBetween(300, 499);
        if (head.status() == 307) {
            assertNoControlCharacters(head.header("Location"));
        }
    }

    @Test
    void brokenPercentEncodingInTheClientKeyIsRefusedWith400() {
        RawHttp.Head head = send("GET /a?client=%zz HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(head.status()).isEqualTo(400);
    }

    @Test
    void overlongClientKeyIsRefusedWith400() {
        RawHttp.Head head = send("GET /a HTTP/1.1\r\nHost: x\r\nX-Farmgate-Client: " + "k".repeat(300) + "\r\n\r\n");

        assertThat(head.status()).isEqualTo(400);
    }

    @Test
    void absoluteFormRequestTargetRedirectsToThePathOnly() {
        RawHttp.Head head = send("GET http://evil.example/steal?x=1 HTTP/1.1\r\nHost: evil.example\r\n\r\n");

        assertThat(head.status()).isEqualTo(307);
        assertThat(head.header("Location")).isEqualTo("http://10.0.0.1:9001/steal?x=1");
    }

    @Test
    void missingHostHeaderIsRefusedWith400() {
        RawHttp.Head head = send("GET / HTTP/1.1\r\n\r\n");

        assertThat(head.status()).isEqualTo(400);
    }

    @Test
    void http10RequestIsStillRedirected() {
        RawHttp.Head head = send("GET /old HTTP/1.0\r\n\r\n");

        assertThat(head.status()).isEqualTo(307);
        assertThat(head.header("Location")).isEqualTo("http://10.0.0.1:9001/old");
    }

    @Test
    void badPathOnAssignIsRefusedWith400() {
        RawHttp.Head head = send("GET /v1/assign?path=no-slash HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(head.status()).isEqualTo(400);
    }

    @Test
    void crLfInTheAssignPathStaysEscapedInTheUrl() {
        assertThat(gw.get("/v1/assign?path=/a%0d%0ab").body()).contains("\"url\":\"ws://10.0.0.1:9001/a%0D%0Ab\"");
    }

    @Test
    void badMethodOnAssignIsRefusedWith4xx() {
        RawHttp.Head head = send("DELETE /v1/assign HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(head.status()).isBetween(400, 499);
    }

    @Test
    void requestSmugglingWithTwoContentLengthsIsRefused() {
        RawHttp.Head head = send("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab");

        assertThat(head.status()).isEqualTo(400);
    }
}
