package io.farmgate.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.farmgate.localredis.RespClient;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisServerPasswordTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension("--requirepass", "s3cret");

    @Test
    void extraArgumentsReachTheServer() {
        assertThatThrownBy(() -> RespClient.call(redis.host(), redis.port(), null, 1_000, "PING"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("NOAUTH");
    }

    @Test
    void fixtureCommandsAuthenticateWithTheConfiguredPassword() {
        assertThat(redis.command("PING")).isEqualTo("PONG");
    }
}
