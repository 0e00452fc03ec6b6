package io.farmgate.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.farmgate.registry.RegistryConfig;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The lean link reads registry URIs as Lettuce's RedisURI does, and refuses malformed ones by name. */
@Timeout(10)
class RedisEndpointTest {

    private static RedisEndpoint endpoint(String uri) {
        return RedisEndpoint.of(RegistryConfig.defaults(uri, "farm"));
    }

    @Test
    void standaloneUrisGiveHostPortAndDatabase() {
        RedisEndpoint e = endpoint("redis://:p%40ss@10.0.0.2:6380/3");
        assertThat(e.nodes()).containsExactly(new RedisEndpoint.Node("10.0.0.2", 6380));
        assertThat(e.database()).isEqualTo(3);
        assertThat(e.masterName()).isNull();

        assertThat(endpoint("redis://10.0.0.2").nodes()).containsExactly(new RedisEndpoint.Node("10.0.0.2", 6379));
        assertThat(endpoint("rediss://user:pw@[::1]:7000?database=2").database()).isEqualTo(2);
        assertThat(endpoint("rediss://user:pw@[::1]:7000").nodes()).containsExactly(new RedisEndpoint.Node("::1", 7000));
    }

    @Test
    void sentinelUrisGiveEverySentinelAndTheMasterName() {
        RedisEndpoint e = endpoint("redis-sentinel://:pw@10.0.0.1:26380,10.0.0.2,10.0.0.3:26381/1#farm-master");
        assertThat(e.nodes()).containsExactly(new RedisEndpoint.Node("10.0.0.1", 26380),
                new RedisEndpoint.Node("10.0.0.2", 26379), new RedisEndpoint.Node("10.0.0.3", 26381));
        assertThat(e.masterName()).isEqualTo("farm-master");
        assertThat(e.database()).isEqualTo(1);
        assertThat(endpoint("redis-sentinel://10.0.0.1?sentinelMasterId=m1").masterName()).isEqualTo("m1");
    }

    @Test
    void malformedUrisAreRefusedNamingTheFieldWithoutThePassword() {
        for (String bad : List.of("redis://:secret@10.0.0.2:99999", "redis://:secret@10.0.0.2:x", "redis://:secret@a,b",
                "redis-sentinel://:secret@10.0.0.1:26379", "redis://:secret@10.0.0.2/-1", "redis://:secret@[::1")) {
            assertThatThrownBy(() -> endpoint(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("redisUri: '").hasMessageContaining("(expected: ")
                    .hasMessageNotContaining("secret");
        }
    }
}
