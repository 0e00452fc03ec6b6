package io.farmgate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegistryConfigTest {

    @Test
    void defaultsMatchTheDocumentedValues() {
        RegistryConfig c = RegistryConfig.defaults("redis://127.0.0.1:6379", "web");

        assertThat(c.heartbeatIntervalMillis()).isEqualTo(1_000);
        assertThat(c.heartbeatTtlMillis()).isEqualTo(3_000);
        assertThat(c.refreshIntervalMillis()).isEqualTo(250);
        assertThat(c.commandTimeoutMillis()).isEqualTo(1_000);
        assertThat(c.eventStreamMaxLength()).isEqualTo(10_000);
        assertThat(c.threadPriority()).isEqualTo(Thread.NORM_PRIORITY);
    }

    @Test
    void threadPriorityOutsideJavasRangeIsRejectedWithIt() {
        RegistryConfig c = RegistryConfig.defaults("redis://127.0.0.1:6379", "web");

        assertThatThrownBy(() -> c.withThreadPriority(0)).hasMessage("threadPriority: 0 (expected: in [1, 10])");
        assertThatThrownBy(() -> c.withThreadPriority(11)).hasMessage("threadPriority: 11 (expected: in [1, 10])");
    }

    @Test
    void theRegistrysThreadsAreDaemonsAtTheConfiguredPriority() throws InterruptedException {
        RegistryConfig c = RegistryConfig.defaults("redis://127.0.0.1:6379", "web").withThreadPriority(Thread.MIN_PRIORITY);
        Thread t = c.threads("registry-thread-test").newThread(() -> { });

        assertThat(t.getName()).isEqualTo("registry-thread-test");
        assertThat(t.isDaemon()).isTrue();
        assertThat(t.getPriority()).isEqualTo(Thread.MIN_PRIORITY);
    }

    @Test
    void ttlNotAboveIntervalIsRejectedNamingBothFields() {
        RegistryConfig c = RegistryConfig.defaults("redis://127.0.0.1:6379", "web");

        assertThatThrownBy(() -> c.withHeartbeat(1_000, 1_000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("heartbeatTtlMillis: 1000 (expected: > heartbeatIntervalMillis = 1000)");
    }

    @Test
    void zeroIntervalIsRejectedWithItsRange() {
        RegistryConfig c = RegistryConfig.defaults("redis://127.0.0.1:6379", "web");

        assertThatThrownBy(() -> c.withRefreshIntervalMillis(0))
                .hasMessage("refreshIntervalMillis: 0 (expected: in [1, 86400000])");
    }

    @Test
    void farmNameMustBeLowerCaseLabel() {
        assertThatThrownBy(() -> RegistryConfig.defaults("redis://127.0.0.1:6379", "Web_1"))
                .hasMessage("farm: 'Web_1' (expected: 1-63 of a-z, 0-9 and '-')");
    }

    @Test
    void unknownSchemeIsRejectedListingTheKnownOnes() {
        assertThatThrownBy(() -> RegistryConfig.defaults("http://127.0.0.1:6379", "web"))
                .hasMessageStartingWith("redisUri: 'http://127.0.0.1:6379' (expected: redis://, rediss://");
    }

    @Test
    void passwordNeverAppearsInToStringOrErrors() {
        RegistryConfig c = RegistryConfig.defaults("redis://user:hunter2@127.0.0.1:6379", "web");

        assertThat(c.toString()).doesNotContain("hunter2").contains("redis://user:***@127.0.0.1:6379");
        assertThatThrownBy(() -> RegistryConfig.defaults("http://:hunter2@h:1", "web"))
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void caFileWithoutATlsSchemeIsRejectedNamingTheField() {
        assertThatThrownBy(() -> RegistryConfig.defaults("redis://:pw@127.0.0.1:6379", "f")
                .withRedisCaFile(java.nio.file.Path.of("/etc/ca.pem")))
                .hasMessageStartingWith("redisCaFile: /etc/ca.pem given for 'redis://:***@127.0.0.1:6379'")
                .hasMessageContaining("expected: only with rediss://");
    }

    @Test
    void caFileIsAcceptedForEveryTlsScheme() {
        for (String uri : new String[] {"rediss://h:1", "rediss-sentinel://h:1#m", "rediss-cluster://h:1"}) {
            assertThat(RegistryConfig.defaults(uri, "f").withRedisCaFile(java.nio.file.Path.of("/ca.pem"))
                    .redisCaFile()).isEqualTo(java.nio.file.Path.of("/ca.pem"));
        }
    }

    @Test
    void clusterSchemeSelectsClusterMode() {
        assertThat(RegistryConfig.defaults("redis-cluster://a:7000,b:7001", "web").clusterMode()).isTrue();
        assertThat(RegistryConfig.defaults("redis-sentinel://s:26379#mymaster", "web").clusterMode()).isFalse();
    }

    @Test
    void clusterUriListsEverySeedWithCredentialsAndTls() {
        List<RedisURI> seeds = RegistryConnection.clusterSeeds(
                "rediss-cluster://app:p%40ss@10.0.0.1:7000,[::1]:7001", Duration.ofSeconds(1));

        assertThat(seeds).hasSize(2);
        assertThat(seeds.get(0).getHost()).isEqualTo("10.0.0.1");
        assertThat(seeds.get(0).getPort()).isEqualTo(7000);
        assertThat(seeds.get(0).isSsl()).isTrue();
        RedisCredentials credentials = seeds.get(0).getCredentialsProvider().resolveCredentials().block();
        assertThat(credentials.getUsername()).isEqualTo("app");
        assertThat(new String(credentials.getPassword())).isEqualTo("p@ss");
        assertThat(seeds.get(1).getHost()).isEqualTo("::1");
        assertThat(seeds.get(1).getPort()).isEqualTo(7001);
    }

    @Test
    void clusterNodeWithoutPortIsRejected() {
        assertThatThrownBy(() -> RegistryConnection.clusterSeeds("redis-cluster://a:7000,b", Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cluster node 'b' (expected: host:port)");
    }
}
