package io.farmgate.gateway;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;

/**
 * Coverage-guided fuzzing of the public listener over a real socket (Jazzer): any bytes a client
 * sends get only well-formed answers, never a 5xx (the farm has a host, so not even 503), never a
 * control character in a header, never a hang, and the listener never fails inside. In a plain
 * {@code mvn verify} it replays the seed corpus in
 * {@code src/test/resources/io/farmgate/gateway/PublicListenerFuzzTestInputs/}; with
 * {@code JAZZER_FUZZ=1} it mutates inputs for as long as {@code maxDuration} allows (docs/gateway.md).
 */
class PublicListenerFuzzTest {

    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");
    private static final Pattern HEADER = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+: [\\x20-\\x7e]*");
    private static final TestFarm FARM = new TestFarm().host("h1", "ws://10.0.0.1:9001", 0, 100)
            .host("h2", "wss://10.0.0.2:9443/base", 0, 100);
    // Started once: in fuzzing mode the test method runs many thousands of times in one JVM.
    private static final RunningGateway GATEWAY = start();

    private static RunningGateway start() {
        FARM.refresh();
        return RunningGateway.start(FARM, b -> b.tokenSecret("a-secret-of-at-least-16-bytes")
                .corsOrigins(List.of("https://app.example.com")).affinityByAddress(true)
                .trustedProxies(List.of("127.0.0.0/8")).maxRequestHeaderBytes(2048).headerReadTimeoutMillis(1_000)
                // Fresh for the whole run, so /readyz never has a reason to answer 503.
                .snapshotFreshMillis(3_600_000).snapshotMaxStaleMillis(7_200_000));
    }

    @AfterAll
    static void stop() {
        GATEWAY.close();
    }

    @FuzzTest(maxDuration = "2m")
    void anyBytesGetOnlyWellFormedAnswers(byte[] input) throws IOException {
        // The harness talks to the listener over loopback, on this thread: not the SSRF Jazzer looks for.
        BugDetectors.allowNetworkConnections((host, port) -> "127.0.0.1".equals(host) || "localhost".equals(host));
        String before = unexpectedErrors();
        byte[] answer = exchange(input);
        String text = new String(answer, StandardCharsets.ISO_8859_1);

        int at = 0;
        while (at < text.length()) {
            Matcher status = STATUS.matcher(text).region(at, text.length());
            if (!status.lookingAt()) {
                throw new AssertionError("bytes that are not an answer at " + at + " for " + hex(input) + ":\n" + text);
            }
            int code = Integer.parseInt(status.group(1));
            if (code >= 500) {
                throw new AssertionError("a " + code + " for " + hex(input) + ":\n" + text);
            }
            int headEnd = text.indexOf("\r\n\r\n", at);
            if (headEnd < 0) {
                throw new AssertionError("an answer without the end of its head for " + hex(input) + ":\n" + text);
            }
            String[] lines = text.substring(at, headEnd).split("\r\n", -1);
            int length = 0;
            for (int i = 1; i < lines.length; i++) {
                if (!HEADER.matcher(lines[i]).matches()) {
                    throw new AssertionError("a malformed header line '" + lines[i] + "' for " + hex(input));
                }
                if (lines[i].startsWith("Location: ") && lines[i].indexOf(' ', 10) >= 0) {
                    throw new AssertionError("a space in a Location for " + hex(input) + ": " + lines[i]);
                }
                if (lines[i].startsWith("Content-Length: ")) {
                    length = Integer.parseInt(lines[i].substring(16));
                }
            }
            int after = headEnd + 4;
            // A body of Content-Length bytes follows, or none (the answer to a HEAD).
            if (after + length <= text.length()
                    && (after + length == text.length() || text.startsWith("HTTP/1.1 ", after + length))) {
                at = after + length;
            } else if (after == text.length() || text.startsWith("HTTP/1.1 ", after)) {
                at = after;
            } else {
                throw new AssertionError("a body that does not match its Content-Length for " + hex(input) + ":\n" + text);
            }
        }
        if (!unexpectedErrors().equals(before)) {
            throw new AssertionError("the listener failed inside for " + hex(input));
        }
    }

    /** Sends the bytes, half-closes, and reads everything the listener answers until it closes. */
    private static byte[] exchange(byte[] input) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", GATEWAY.gateway.port()), 5_000);
            s.setSoTimeout(5_000);
            try {
                s.getOutputStream().write(input);
                s.shutdownOutput();
            } catch (IOException e) {
                // The listener may refuse and close before it has read everything; read what it said.
            }
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    answer.write(buf, 0, n);
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no close within 5 s (a hang) for " + hex(input), e);
            } catch (IOException e) {
                // A reset after a refusal: what arrived before it counts.
            }
            return answer.toByteArray();
        }
    }

    /** The unexpected-errors counter, read from the admin listener's /metrics over a plain socket on this thread. */
    private static String unexpectedErrors() throws IOException {
        String metrics;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", GATEWAY.gateway.adminPort()), 5_000);
            s.setSoTimeout(5_000);
            s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            metrics = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        Matcher m = Pattern.compile("farmgate_gateway_unexpected_errors_total (\\S+)").matcher(metrics);
        return m.find() ? m.group(1) : "?";
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 512); i++) {
            s.append(String.format("%02x", b[i]));
        }
        return s.toString();
    }
}
