package io.farmgate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.testing.RedisServerExtension;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every thread a registry connection and its snapshot source start (Lettuce's Netty threads, the
 * command timer, the refresh) runs at the configured priority, which the gateway sets low.
 */
@Timeout(60)
class RegistryThreadPriorityTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    @Test
    void theConnectionsAndTheSourcesThreadsRunAtTheConfiguredPriority() {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        RegistryConfig config = RegistryConfig.defaults(redis.uri(), "low-priority").withThreadPriority(Thread.MIN_PRIORITY);
        try (RegistryConnection connection = RegistryConnection.open(config);
             SnapshotSource source = SnapshotSource.start(connection, SnapshotPolicy.DEFAULT, Clock.systemUTC())) {
            await().atMost(Duration.ofSeconds(10)).until(source::ready);

            List<Thread> started = Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t))
                    .filter(t -> t.getName().startsWith("lettuce-") || t.getName().startsWith("farmgate-")).toList();
            assertThat(started).extracting(Thread::getName)
                    .anyMatch(n -> n.startsWith("lettuce-"))
                    .contains("farmgate-snapshot-low-priority", "farmgate-redis-timer");
            assertThat(started).allSatisfy(t -> assertThat(t.getPriority()).as(t.getName()).isEqualTo(Thread.MIN_PRIORITY));
        }
    }
}
