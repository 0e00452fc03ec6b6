package io.farmgate.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisServerExtensionTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    @Test
    @Order(1)
    void serverAnswersPingOnLoopbackPort() {
        assertThat(redis.command("PING")).isEqualTo("PONG");
        assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port());
    }

    @Test
    @Order(2)
    void firstTestWritesAKey() {
        redis.command("SET", "left-over", "1");
        assertThat(redis.command("GET", "left-over")).isEqualTo("1");
    }

    @Test
    @Order(3)
    void nextTestStartsWithAnEmptyServer() {
        assertThat(redis.command("DBSIZE")).isEqualTo(0L);
    }

    @Test
    @Order(4)
    void killedServerStartsAgainOnTheSamePortAsANewProcess() {
        int port = redis.port();
        long pid = redis.pid();
        redis.command("SET", "before-crash", "1");

        redis.kill();

        assertThat(redis.isRunning()).isFalse();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThatThrownBy(() -> redis.command("PING")).isInstanceOf(UncheckedIOException.class);

        redis.start();

        assertThat(redis.port()).isEqualTo(port);
        assertThat(redis.pid()).isNotEqualTo(pid);
        assertThat(redis.command("PING")).isEqualTo("PONG");
        assertThat(redis.command("GET", "before-crash")).as("nothing is persisted").isNull();
    }

    @Test
    @Order(5)
    void stoppedServerClosesItsPortAndStartsAgain() {
        int port = redis.port();

        redis.stop();

        assertThat(redis.isRunning()).isFalse();
        assertThat(accepts(port)).isFalse();

        redis.start();

        assertThat(accepts(port)).isTrue();
        assertThat(redis.command("PING")).isEqualTo("PONG");
    }

    @Test
    @Order(6)
    void killAtTheEndOfATestLeavesTheServerDown() {
        redis.kill();
        assertThat(redis.isRunning()).isFalse();
    }

    @Test
    @Order(7)
    void serverLeftDownIsRestartedForTheNextTest() {
        assertThat(redis.isRunning()).isTrue();
        assertThat(redis.command("PING")).isEqualTo("PONG");
    }

    @Test
    @Order(8)
    void serverOutputIsCapturedUnderTarget() throws IOException {
        assertThat(redis.logFile().toString()).contains("target");
        assertThat(Files.readString(redis.logFile())).contains("Ready to accept connections");
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
