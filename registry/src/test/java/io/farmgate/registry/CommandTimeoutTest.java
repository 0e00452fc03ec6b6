package io.farmgate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.farmgate.testing.RedisServerExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A command Redis does not answer fails after the configured command timeout, and the link recovers. */
@Timeout(30)
class CommandTimeoutTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    @Test
    void commandRedisDoesNotAnswerFailsAfterTheCommandTimeout() {
        // Hosts.fastConfig: a 500 ms command timeout.
        try (RegistryConnection connection = RegistryConnection.open(Hosts.fastConfig(redis.uri()))) {
            String before = connection.call("ping", commands -> commands.ping());
            assertThat(before).isEqualTo("PONG");

            redis.command("CLIENT", "PAUSE", "4000", "ALL");
            long start = System.nanoTime();
            assertThatThrownBy(() -> connection.call("reading a key", commands -> commands.get("some-key")))
                    .isInstanceOf(RegistryException.class)
                    .hasMessageContaining("reading a key failed");
            long tookMillis = (System.nanoTime() - start) / 1_000_000;

            // Redis answers once the 4 s pause ends: the call failed because it waited its 500 ms.
            assertThat(tookMillis).isGreaterThanOrEqualTo(450);
            await().atMost(Duration.ofSeconds(15)).ignoreExceptions()
                    .until(() -> "PONG".equals(connection.call("ping", commands -> commands.ping())));
        }
    }
}
