package io.farmgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.testing.ExternalTool;
import io.farmgate.testing.RequiredTools;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The open-loop generator of the bench scripts (bench/src/c/openloop.c, built here with gcc) against
 * small real HTTP servers on 127.0.0.1: it counts what it should, counts errors as errors, and
 * measures latency from when each request was due (a slow server cannot hide behind it).
 */
@Timeout(60)
class OpenLoopGeneratorTest {

    @RegisterExtension
    static final RequiredTools gccInstalled = new RequiredTools(ExternalTool.GCC);

    @TempDir
    static Path dir;
    private static Path generator;
    private final List<TinyServer> servers = new ArrayList<>();

    @BeforeAll
    static void compile() throws Exception {
        generator = dir.resolve("openloop");
        Result gcc = exec(List.of(ExternalTool.GCC.require().toString(), "-O2", "-Wall", "-Wextra", "-Werror", "-o",
                generator.toString(), Path.of("src/c/openloop.c").toAbsolutePath().toString(), "-lm"));
        assertThat(gcc.exit).as("gcc: %s", gcc.err).isZero();
    }

    @AfterEach
    void stopServers() throws IOException {
        for (TinyServer server : servers) {
            server.close();
        }
    }

    @Test
    void selfTestOfTheParserAndTheHistogramPasses() throws Exception {
        Result r = exec(List.of(generator.toString(), "--self-test"));

        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.out).containsPattern("self-test: \\d+ checks passed");
    }

    @Test
    void keepAliveSendsTheScheduleOverItsConnectionsAndCountsEveryAnswer() throws Exception {
        TinyServer server = start(Answer.REDIRECT_WITH_BODY, 0);

        Map<String, String> line = run(server, "--mode", "keep-alive", "--connections", "4", "--rate", "2000",
                "--count", "400", "--warmup", "100");

        assertThat(line).containsEntry("requests", "400").containsEntry("errors", "0").containsEntry("scheduled", "400");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(server.connections.get()).isEqualTo(4));
        assertThat(server.requests.get()).isEqualTo(500);
        // Never above the schedule (400 answers take at least 399 intervals); well below it only on a stalled machine.
        assertThat(Double.parseDouble(line.get("rate"))).isBetween(1000.0, 2010.0);
    }

    @Test
    void closeModeOpensOneConnectionPerRequestAndReadsABodyThatRunsToTheClose() throws Exception {
        TinyServer server = start(Answer.REDIRECT_UNTIL_CLOSE, 0);

        Map<String, String> line = run(server, "--mode", "close", "--rate", "500", "--count", "100");

        assertThat(line).containsEntry("requests", "100").containsEntry("errors", "0");
        assertThat(server.connections.get()).isEqualTo(100);
        assertThat(server.lastRequest).contains("Connection: close\r\n");
    }

    @Test
    void aKeptAliveConnectionTheServerClosesIsOpenedAgainWithoutLosingARequest() throws Exception {
        TinyServer server = start(Answer.REDIRECT_THEN_CLOSE, 0);

        Map<String, String> line = run(server, "--mode", "keep-alive", "--connections", "2", "--rate", "500", "--count", "50");

        assertThat(line).containsEntry("requests", "50").containsEntry("errors", "0").containsEntry("reconnects", "50");
        // The connection opened after the last answer may still be in the server's accept queue.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(server.connections.get()).isEqualTo(52));
    }

    @Test
    void anotherStatusOrARedirectWithoutLocationIsAnError() throws Exception {
        TinyServer ok = start(Answer.OK, 0);
        TinyServer noLocation = start(Answer.REDIRECT_WITHOUT_LOCATION, 0);

        assertThat(run(ok, "--mode", "keep-alive", "--connections", "2", "--rate", "1000", "--count", "20"))
                .containsEntry("requests", "0").containsEntry("errors", "20");
        assertThat(run(ok, "--mode", "keep-alive", "--connections", "2", "--rate", "1000", "--count", "20", "--expect", "200"))
                .containsEntry("requests", "20").containsEntry("errors", "0");
        assertThat(run(noLocation, "--mode", "close", "--rate", "1000", "--count", "20"))
                .containsEntry("requests", "0").containsEntry("errors", "20");
    }

    @Test
    void aServerThatNeverAnswersGivesTimeoutsAndTheRunStillEnds() throws Exception {
        TinyServer server = start(Answer.NOTHING, 0);

        Map<String, String> line = run(server, "--mode", "keep-alive", "--connections", "2", "--rate", "100", "--count", "10",
                "--timeout-millis", "200");

        assertThat(line).containsEntry("requests", "0").containsEntry("errors", "10");
    }

    @Test
    void latencyCountsFromTheDueTimeSoASlowServerCannotHideBehindABusyConnection() throws Exception {
        // One connection, a request due every 10 ms, each answered after 50 ms: request i is answered
        // about 50 (i + 1) ms after the start but was due at 10 i ms, so latencies grow to ~50 + 40 i ms.
        // A closed-loop client would report 50 ms for every one of them.
        TinyServer server = start(Answer.REDIRECT_WITH_BODY, 50);

        Map<String, String> line = run(server, "--mode", "keep-alive", "--connections", "1", "--rate", "100", "--count", "20");

        assertThat(line).containsEntry("requests", "20").containsEntry("errors", "0");
        assertThat(Double.parseDouble(line.get("max_ms"))).isBetween(700.0, 2000.0);
        assertThat(Double.parseDouble(line.get("p50_ms"))).isGreaterThan(300.0);
        assertThat(Long.parseLong(line.get("queued_max"))).isGreaterThan(5);
    }

    @Test
    void badCommandLinesExitWithTwoAndNameTheOption() throws Exception {
        Result remote = exec(List.of(generator.toString(), "--target", "10.1.2.3:80", "--rate", "10", "--count", "1"));
        Result noRate = exec(List.of(generator.toString(), "--target", "127.0.0.1:80", "--count", "1"));
        Result badMode = exec(List.of(generator.toString(), "--target", "127.0.0.1:80", "--rate", "10", "--count", "1",
                "--mode", "pipelined"));

        assertThat(remote.exit).isEqualTo(2);
        assertThat(remote.err).contains("--target: 10.1.2.3:80 (expected: a loopback address");
        assertThat(noRate.exit).isEqualTo(2);
        assertThat(noRate.err).contains("--rate is needed");
        assertThat(badMode.exit).isEqualTo(2);
        assertThat(badMode.err).contains("--mode: pipelined (expected: keep-alive or close)");
    }

    private TinyServer start(Answer answer, long delayMillis) throws IOException {
        TinyServer server = new TinyServer(answer, delayMillis);
        servers.add(server);
        return server;
    }

    private static Map<String, String> run(TinyServer server, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(generator.toString(), "--target", "127.0.0.1:" + server.port()));
        command.addAll(List.of(args));
        Result r = exec(command);
        assertThat(r.exit).as("openloop: %s", r.err).isZero();
        Map<String, String> fields = new HashMap<>();
        for (String field : r.out.trim().split(" ")) {
            String[] kv = field.split("=", 2);
            fields.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        return fields;
    }

    private record Result(int exit, String out, String err) {
    }

    private static Result exec(List<String> command) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("did not end within 30 s: " + command);
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** What the tiny server answers to every request. */
    private enum Answer {
        REDIRECT_WITH_BODY("HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.11:9001/h0/chat\r\n"
                + "Content-Length: 10\r\n\r\n<a>307</a>", false),
        REDIRECT_UNTIL_CLOSE("HTTP/1.0 307 Temporary Redirect\r\nLocation: ws://127.0.0.11:9001/h0/chat\r\n\r\nmoved", true),
        REDIRECT_THEN_CLOSE("HTTP/1.1 307 Temporary Redirect\r\nLocation: /h0/chat\r\nConnection: close\r\n"
                + "Content-Length: 0\r\n\r\n", true),
        REDIRECT_WITHOUT_LOCATION("HTTP/1.1 307 Temporary Redirect\r\nContent-Length: 0\r\n\r\n", true),
        OK("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false),
        NOTHING(null, false);

        final String text;
        final boolean closeAfter;

        Answer(String text, boolean closeAfter) {
            this.text = text;
            this.closeAfter = closeAfter;
        }
    }

    /** An HTTP/1.1 server on 127.0.0.1, port 0, one thread per connection, counting what it sees. */
    private static final class TinyServer implements AutoCloseable {
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger requests = new AtomicInteger();
        volatile String lastRequest = "";
        private final ServerSocket listener;
        private final Answer answer;
        private final long delayMillis;
        private final List<Socket> open = new ArrayList<>();

        TinyServer(Answer answer, long delayMillis) throws IOException {
            this.answer = answer;
            this.delayMillis = delayMillis;
            this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(this::accept, "tiny-server-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        private void accept() {
            try {
                while (true) {
                    Socket s = listener.accept();
                    connections.incrementAndGet();
                    synchronized (open) {
                        open.add(s);
                    }
                    Thread t = new Thread(() -> serve(s), "tiny-server-conn");
                    t.setDaemon(true);
                    t.start();
                }
            } catch (IOException closed) {
                // the listener was closed: the test is over
            }
        }

        private void serve(Socket s) {
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                StringBuilder head = new StringBuilder();
                int b;
                while ((b = in.read()) >= 0) {
                    head.append((char) b);
                    if (head.length() >= 4 && head.lastIndexOf("\r\n\r\n") == head.length() - 4) {
                        requests.incrementAndGet();
                        lastRequest = head.toString();
                        head.setLength(0);
                        if (answer.text == null) {
                            continue;
                        }
                        if (delayMillis > 0) {
                            Thread.sleep(delayMillis); // the slow server the test is about, not a wait for a condition
                        }
                        out.write(answer.text.getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                        if (answer.closeAfter) {
                            return;
                        }
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the generator closed the connection, or the test is over
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            synchronized (open) {
                for (Socket s : open) {
                    s.close();
                }
            }
        }
    }
}
