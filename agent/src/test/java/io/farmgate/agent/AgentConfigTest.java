package io.farmgate.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AgentConfigTest {

    private static FarmAgentBuilder valid() {
        return FarmAgent.builder().redis("redis://127.0.0.1:6379").farm("demo").hostId("web-1")
                .url("ws://10.0.0.5:9001").address("10.0.0.5").capacity(100);
    }

    @Test
    void defaultsAreASecondOfHeartbeatAndThreeOfExpiry() {
        AgentConfig c = valid().buildConfig();

        assertThat(c.heartbeatIntervalMillis()).isEqualTo(1_000);
        assertThat(c.heartbeatTtlMillis()).isEqualTo(3_000);
    }

    @Test
    void redisCaFileReachesTheRegistrySettings() {
        java.nio.file.Path ca = java.nio.file.Path.of("/etc/farmgate/redis-ca.pem");

        AgentConfig c = valid().redis("rediss://10.0.0.2:6380").redisCaFile(ca).buildConfig();

        assertThat(c.registryConfig().redisCaFile()).isEqualTo(ca);
    }

    @Test
    void redisCaFileWithoutTlsIsNamed() {
        assertThatThrownBy(() -> valid().redisCaFile(java.nio.file.Path.of("ca.pem")).buildConfig())
                .hasMessageStartingWith("redisCaFile: ca.pem given for");
    }

    @Test
    void missingRedisIsNamed() {
        assertThatThrownBy(() -> valid().redis(null).buildConfig())
                .hasMessage("redisUri: not set (expected: a value)");
    }

    @Test
    void hostIdThatIsNotADnsLabelIsNamed() {
        assertThatThrownBy(() -> valid().hostId("Web_1").buildConfig())
                .hasMessageStartingWith("hostId: 'Web_1' (expected:");
    }

    @Test
    void addressThatIsAHostNameIsNamed() {
        assertThatThrownBy(() -> valid().address("example.com").buildConfig())
                .hasMessage("address: 'example.com' (expected: an IPv4 or IPv6 literal)");
    }

    @Test
    void ipv6AddressIsAccepted() {
        assertThat(valid().address("::1").buildConfig().address()).isEqualTo("::1");
    }

    @Test
    void expiryNotLongerThanTheIntervalIsNamed() {
        assertThatThrownBy(() -> valid().heartbeatInterval(Duration.ofSeconds(2)).heartbeatTtl(Duration.ofSeconds(2))
                .buildConfig())
                .hasMessage("heartbeatTtlMillis: 2000 (expected: > heartbeatIntervalMillis, 2000)");
    }

    @Test
    void zeroCapacityIsNamed() {
        assertThatThrownBy(() -> valid().capacity(0).buildConfig())
                .hasMessage("capacity: 0 (expected: > 0)");
    }

    @Test
    void redisUriWithAnotherSchemeIsNamed() {
        assertThatThrownBy(() -> valid().redis("http://10.0.0.2:6379").buildConfig())
                .hasMessageStartingWith("redisUri: 'http://10.0.0.2:6379' (expected:");
    }

    @Test
    void passwordInTheRedisUriIsNeverPrinted() {
        AgentConfig c = valid().redis("redis://user:s3cret@10.0.0.2:6379").buildConfig();

        assertThat(c.toString()).doesNotContain("s3cret").contains("redis://user:***@10.0.0.2:6379");
    }
}
