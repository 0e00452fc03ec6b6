package io.farmgate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.testing.RedisServerExtension;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An unread snapshot is refreshed at the idle period; reading it brings the full rate back. */
@Timeout(60)
class SnapshotIdleRefreshTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    /** Full rate every 50 ms; idle every 2 s. */
    private static final long IDLE_MILLIS = 2_000;

    private RegistryConnection connection;
    private SnapshotSource source;

    @BeforeEach
    void open() {
        connection = RegistryConnection.open(Hosts.fastConfig(redis.uri()));
    }

    @AfterEach
    void close() {
        if (source != null) {
            source.close();
        }
        connection.close();
    }

    @Test
    void unreadSourceRefreshesAtTheIdlePeriodAndReadingRestoresTheFullRate() {
        source = SnapshotSource.start(connection, SnapshotPolicy.DEFAULT, Clock.systemUTC(), IDLE_MILLIS);
        await().atMost(Duration.ofSeconds(10)).until(source::ready);
        long idleStart = source.refreshes();
        long start = System.nanoTime();

        // Nobody reads for a second: at 50 ms that would be ~20 refreshes; idle allows at most one.
        await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> true);
        long idleRefreshes = source.refreshes() - idleStart;
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(idleRefreshes).isLessThanOrEqualTo(1 + elapsedMillis / IDLE_MILLIS);
        long readStart = source.refreshes();
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            source.current();
            return source.refreshes() - readStart >= 10;
        });
    }

    @Test
    void idlePeriodShorterThanTheRefreshIntervalIsRefused() {
        assertThatThrownBy(() -> SnapshotSource.start(connection, SnapshotPolicy.DEFAULT, Clock.systemUTC(), 10))
                .hasMessageStartingWith("idleRefreshMillis: 10 (expected:");
    }
}
