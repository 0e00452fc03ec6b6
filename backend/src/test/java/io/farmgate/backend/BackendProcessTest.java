package io.farmgate.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.testing.FreePort;
import io.farmgate.testing.RedisServerExtension;
import java.io.File;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The backend as a real process: what a deploy does to it (SIGTERM) and what a crash does (SIGKILL). */
class BackendProcessTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final long TTL_MILLIS = 1_000;

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<ChatClient> clients = new ArrayList<>();
    private Process backend;

    @AfterEach
    void stop() throws InterruptedException {
        clients.forEach(ChatClient::abort);
        if (backend != null && backend.isAlive()) {
            backend.destroyForcibly();
            backend.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Starts BackendMain in a child JVM on this test's class path; returns once its heartbeat is in Redis. */
    private int startBackend(String hostId, long drainMillis) throws IOException {
        int port = FreePort.pick();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), BackendMain.class.getName(),
                "--redis", redis.uri(), "--farm", ChatFarm.FARM, "--port", Integer.toString(port),
                "--host-id", hostId, "--heartbeat-interval-millis", "200", "--heartbeat-ttl-millis", Long.toString(TTL_MILLIS),
                "--drain-period-millis", Long.toString(drainMillis), "--shed-tick-millis", "20");
        File log = dir.resolve(hostId + ".log").toFile();
        pb.redirectErrorStream(true).redirectOutput(log);
        backend = pb.start();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(backend.isAlive()).as("backend alive; log:%n%s", Files.readString(log.toPath())).isTrue();
            assertThat(ChatFarm.heartbeat(redis, hostId)).isNotNull();
        });
        return port;
    }

    private List<ChatClient> connect(int port, int n) {
        List<CompletableFuture<ChatClient>> pending = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pending.add(ChatClient.connectAsync(http, "ws://127.0.0.1:" + port + "/"));
        }
        List<ChatClient> made = pending.stream().map(CompletableFuture::join).toList();
        clients.addAll(made);
        return made;
    }

    @Test
    void killedBackendDisappearsFromTheRegistryWithinTheExpiry() throws Exception {
        startBackend("chat-k", 1_000);

        backend.destroyForcibly(); // SIGKILL: no shutdown hook runs, the heartbeat just stops
        long killedAt = System.nanoTime();
        backend.waitFor(10, TimeUnit.SECONDS);

        await().atMost(Duration.ofMillis(TTL_MILLIS + 2_000)).until(() -> ChatFarm.heartbeat(redis, "chat-k") == null);
        assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(Duration.ofMillis(TTL_MILLIS + 2_000));
    }

    @Test
    void sigtermDrainsEveryClientWith1012ThenRemovesTheHeartbeat() throws Exception {
        int port = startBackend("chat-d", 1_500);
        List<ChatClient> twenty = connect(port, 20);
        await().atMost(WAIT).until(() -> ChatFarm.heartbeat(redis, "chat-d").connections() == 20);

        backend.destroy(); // SIGTERM, as a deploy or Ctrl-C would send
        assertThat(backend.waitFor(20, TimeUnit.SECONDS)).isTrue();

        await().atMost(WAIT).until(() -> twenty.stream().allMatch(ChatClient::closed));
        assertThat(twenty).allSatisfy(c -> assertThat(c.closeCode.join()).as(c.closeReason).isEqualTo(1012));
        assertThat(ChatFarm.heartbeat(redis, "chat-d")).isNull();
        assertThat(ChatFarm.member(redis, "chat-d")).isFalse();
    }
}
