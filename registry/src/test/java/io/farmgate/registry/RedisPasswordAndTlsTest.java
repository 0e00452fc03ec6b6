package io.farmgate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.testing.FreePort;
import io.farmgate.testing.RedisServerExtension;
import io.farmgate.testing.TestCa;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The registry end to end through a redis-server that wants a password and also speaks TLS
 * (Debian's redis-server is built with TLS): heartbeats written and read back over
 * {@code redis://:password@} and over {@code rediss://} trusting a throwaway CA, and refused
 * with the wrong password or a CA that did not sign the server's certificate.
 */
class RedisPasswordAndTlsTest {

    private static final String PASSWORD = "registry-pass-0123";
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final Path DIR = Path.of("target", "redis-tls").toAbsolutePath();
    private static final TestCa CA = TestCa.create(DIR, "farm-ca");
    private static final int TLS_PORT = FreePort.pick();

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension(CA.redisArgs(TLS_PORT, PASSWORD));


    private static RegistryConfig plain(String password) {
        return Hosts.fastConfig("redis://:" + password + "@127.0.0.1:" + redis.port());
    }

    private static RegistryConfig tls(Path caFile) {
        return Hosts.fastConfig("rediss://:" + PASSWORD + "@127.0.0.1:" + TLS_PORT).withRedisCaFile(caFile);
    }

    /** Publishes a heartbeat and waits until a snapshot source on the same connection sees it. */
    private static void assertRoundTrip(RegistryConfig config, String hostId) {
        try (RegistryConnection connection = RegistryConnection.open(config);
             SnapshotSource source = SnapshotSource.start(connection, SnapshotPolicy.DEFAULT, Clock.systemUTC())) {
            HeartbeatPublisher publisher = new HeartbeatPublisher(connection);
            await().atMost(PATIENCE).untilAsserted(() -> {
                publisher.publish(Hosts.report(hostId, 3, 1)); // throws while the registry refuses us
                assertThat(source.current().host(hostId)).isNotNull();
            });
        }
        assertThat(redis.command("EXISTS", config.keys().host(hostId))).isEqualTo(1L);
    }

    /** Whether any write gets through within a few attempts (each bounded by the command timeout). */
    private static boolean anyPublishSucceeds(RegistryConfig config) {
        try (RegistryConnection connection = RegistryConnection.open(config)) {
            HeartbeatPublisher publisher = new HeartbeatPublisher(connection);
            for (int attempt = 0; attempt < 3; attempt++) {
                try {
                    publisher.publish(Hosts.report("intruder", 1, attempt + 1));
                    return true;
                } catch (RuntimeException e) {
                    // refused: what the callers expect
                }
            }
            return false;
        }
    }

    @Test
    void passwordInTheUriLetsTheRegistryReadAndWrite() {
        assertRoundTrip(plain(PASSWORD), "web-pw");
    }

    @Test
    void wrongPasswordIsRefusedAndWritesNothing() {
        assertThat(anyPublishSucceeds(plain("wrong-password"))).isFalse();
        assertThat(redis.command("EXISTS", plain(PASSWORD).keys().host("intruder"))).isEqualTo(0L);
    }

    @Test
    void tlsTrustingTheServersCaLetsTheRegistryReadAndWrite() {
        assertRoundTrip(tls(CA.caCertificate()), "web-tls");
    }

    @Test
    void tlsServerCertificateFromAnotherCaIsRefused() {
        TestCa other = TestCa.create(DIR, "other-ca");

        assertThat(anyPublishSucceeds(tls(other.caCertificate()))).isFalse();
        assertThat(redis.command("EXISTS", plain(PASSWORD).keys().host("intruder"))).isEqualTo(0L);
    }

    @Test
    void tlsWithoutACaFileTrustsOnlyTheJvmDefaultsAndRefusesAPrivateCa() {
        assertThat(anyPublishSucceeds(tls(null))).isFalse();
    }

    @Test
    void unreadableCaFileIsRefusedAtOpenNamingTheField() {
        RegistryConfig config = tls(DIR.resolve("no-such-ca.pem"));

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RegistryConnection.open(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("redisCaFile: '").hasMessageContaining("expected: a readable PEM file");
    }
}
