package io.farmgate.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.farmgate.registry.FarmKeys;
import io.farmgate.registry.RegistryConfig;
import io.farmgate.registry.RegistryException;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.testing.FreePort;
import io.farmgate.testing.RedisServerExtension;
import io.farmgate.testing.TestCa;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lean link through a redis-server that wants a password and also speaks TLS (a throwaway CA
 * made by keytool): AUTH and SELECT from the URI, certificates verified, wrong credentials refused.
 */
@Timeout(60)
class LeanRegistryLinkSecurityTest {

    private static final String PASSWORD = "lean-pass-0123";
    private static final Path DIR = Path.of("target", "redis-tls").toAbsolutePath();
    private static final TestCa CA = TestCa.create(DIR, "lean-ca");
    private static final int TLS_PORT = FreePort.pick();
    private static final FarmKeys KEYS = new FarmKeys("secure");

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension(CA.redisArgs(TLS_PORT, PASSWORD));


    private static HostReport report(String hostId) {
        return new HostReport(hostId, "ws://10.0.0.5:9001", "10.0.0.5", "", 1, 10, 0.0, HostState.ACTIVE, 1.0, 1L, 1L);
    }

    private static boolean publishes(RegistryConfig config, String hostId) {
        try (LeanRegistryLink link = LeanRegistryLink.of(config)) {
            return link.publish(report(hostId)).joined();
        }
    }


    @Test
    void passwordAndDatabaseFromTheUriAreUsed() {
        String uri = "redis://:" + PASSWORD + "@127.0.0.1:" + redis.port() + "/2";
        assertThat(publishes(RegistryConfig.defaults(uri, "secure"), "web-pw")).isTrue();

        assertThat(redis.command("EVAL", "redis.call('SELECT', 2) return redis.call('EXISTS', KEYS[1])", "1",
                KEYS.host("web-pw"))).isEqualTo(1L);
        assertThat(redis.command("EXISTS", KEYS.host("web-pw"))).as("not in database 0").isEqualTo(0L);
    }

    @Test
    void wrongPasswordIsRefusedWithTheServersAnswerAndWritesNothing() {
        String uri = "redis://:wrong@127.0.0.1:" + redis.port();
        assertThatThrownBy(() -> publishes(RegistryConfig.defaults(uri, "secure"), "intruder"))
                .isInstanceOf(RegistryException.class).hasMessageContaining("WRONGPASS")
                .hasMessageNotContaining(":wrong@");
        assertThat(redis.command("EXISTS", KEYS.host("intruder"))).isEqualTo(0L);
    }

    @Test
    void tlsTrustingTheServersCaWorks() {
        String uri = "rediss://:" + PASSWORD + "@127.0.0.1:" + TLS_PORT;
        assertThat(publishes(RegistryConfig.defaults(uri, "secure").withRedisCaFile(CA.caCertificate()), "web-tls"))
                .isTrue();
        assertThat(redis.command("EXISTS", KEYS.host("web-tls"))).isEqualTo(1L);
    }

    @Test
    void tlsWithAnotherCaOrTheJvmTrustStoreIsRefused() {
        String uri = "rediss://:" + PASSWORD + "@127.0.0.1:" + TLS_PORT;
        TestCa other = TestCa.create(DIR, "lean-other-ca");
        assertThatThrownBy(() -> publishes(RegistryConfig.defaults(uri, "secure").withRedisCaFile(other.caCertificate()),
                "intruder")).isInstanceOf(RegistryException.class).hasMessageContaining("SSL");
        assertThatThrownBy(() -> publishes(RegistryConfig.defaults(uri, "secure"), "intruder"))
                .isInstanceOf(RegistryException.class);
        assertThat(redis.command("EXISTS", KEYS.host("intruder"))).isEqualTo(0L);
    }

    @Test
    void unreadableCaFileIsRefusedNamingTheField() {
        String uri = "rediss://:" + PASSWORD + "@127.0.0.1:" + TLS_PORT;
        assertThatThrownBy(() -> LeanRegistryLink.of(RegistryConfig.defaults(uri, "secure")
                .withRedisCaFile(DIR.resolve("missing.pem")))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("redisCaFile: '");
    }
}
