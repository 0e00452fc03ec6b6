package io.farmgate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.testing.MutableClock;
import io.farmgate.testing.RedisServerExtension;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An unread snapshot is refreshed at the idle period; reading it brings the full rate back, and a
 * read after a quiet spell refreshes at once. The idle rule runs on the injected clock.
 */
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
    void unreadSourceWakesOncePerIdlePeriodNotEveryRefreshInterval() {
        source = SnapshotSource.start(connection, SnapshotPolicy.DEFAULT, Clock.systemUTC(), IDLE_MILLIS);
        await().atMost(Duration.ofSeconds(10)).until(source::ready);
        long ticks = source.ticks();
        long start = System.nanoTime();

        // At 50 ms a ticking thread would wake ~20 times in a second.
        await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> true);
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(source.ticks() - ticks).isLessThanOrEqualTo(1 + elapsedMillis / IDLE_MILLIS);
    }

    @Test
    void readWakesASleepingIdleSourceWithoutWaitingForItsIdlePeriod() {
        // Asleep for a minute after its first refresh, which nobody asked for.
        source = SnapshotSource.start(connection, SnapshotPolicy.DEFAULT, Clock.systemUTC(), 60_000);
        await().atMost(Duration.ofSeconds(10)).until(source::ready);
        long start = source.refreshes();

        source.current();
        await().atMost(Duration.ofSeconds(5)).until(() -> source.refreshes() > start);
        // Reads go on: so does the full rate (every 50 ms).
        long reading = source.refreshes();
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            source.current();
            return source.refreshes() - reading >= 10;
        });
    }

    @Test
    void peekingDoesNotKeepAnIdleSourceAtTheFullRate() {
        MutableClock clock = MutableClock.atEpochOf2025();
        source = SnapshotSource.start(connection, SnapshotPolicy.DEFAULT, clock, IDLE_MILLIS);
        await().atMost(Duration.ofSeconds(10)).until(source::ready);
        long start = source.refreshes();

        // The clock stands still, so the idle period never passes: no refresh, however often the
        // watchers peek.
        await().pollDelay(Duration.ofMillis(600)).pollInterval(Duration.ofMillis(20)).atMost(Duration.ofSeconds(5))
                .until(() -> source.peek() != null);
        assertThat(source.refreshes()).isEqualTo(start);

        clock.advanceMillis(IDLE_MILLIS);
        await().atMost(Duration.ofSeconds(5)).until(() -> source.refreshes() == start + 1);
        await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> true);
        assertThat(source.refreshes()).as("one refresh per idle period").isEqualTo(start + 1);

        // A read (of a snapshot younger than a refresh interval) brings the next tick back.
        source.current();
        await().atMost(Duration.ofSeconds(5)).until(() -> source.refreshes() == start + 2);
    }

    @Test
    void firstReadAfterAQuietSpellRefreshesAtOnceWithoutWaitingForTheNextTick() {
        MutableClock clock = MutableClock.atEpochOf2025();
        // One refresh at start, the next tick half a minute away: only the read can ask for the next.
        RegistryConfig slow = Hosts.fastConfig(redis.uri()).withRefreshIntervalMillis(30_000);
        try (RegistryConnection reader = RegistryConnection.open(slow);
             RegistryConnection hostSide = RegistryConnection.open(slow);
             SnapshotSource quiet = SnapshotSource.start(reader, SnapshotPolicy.DEFAULT, clock, 60_000)) {
            await().atMost(Duration.ofSeconds(10)).until(quiet::ready);
            long start = quiet.refreshes();
            new HeartbeatPublisher(hostSide).publish(Hosts.report("came-during-quiet", 3, 1));

            clock.advanceMillis(31_000);
            // This reader gets the snapshot it is given now (nobody waits for Redis) ...
            assertThat(quiet.current().host("came-during-quiet")).isNull();
            // ... and the refresh it started brings the new host in at once.
            await().atMost(Duration.ofSeconds(5)).until(() -> quiet.peek().host("came-during-quiet") != null);
            assertThat(quiet.refreshes()).isEqualTo(start + 1);
        }
    }

    @Test
    void readOfASnapshotYoungerThanTheRefreshIntervalStartsNoRefresh() {
        MutableClock clock = MutableClock.atEpochOf2025();
        RegistryConfig slow = Hosts.fastConfig(redis.uri()).withRefreshIntervalMillis(30_000);
        try (RegistryConnection reader = RegistryConnection.open(slow);
             SnapshotSource quiet = SnapshotSource.start(reader, SnapshotPolicy.DEFAULT, clock, 60_000)) {
            await().atMost(Duration.ofSeconds(10)).until(quiet::ready);
            long start = quiet.refreshes();

            clock.advanceMillis(1_000);
            quiet.current();
            quiet.current();
            await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> true);
            assertThat(quiet.refreshes()).isEqualTo(start);
        }
    }

    @Test
    void clockSteppingBackDoesNotStopTheIdleRefresh() {
        MutableClock clock = MutableClock.atEpochOf2025();
        source = SnapshotSource.start(connection, SnapshotPolicy.DEFAULT, clock, IDLE_MILLIS);
        await().atMost(Duration.ofSeconds(10)).until(source::ready);
        long start = source.refreshes();

        clock.advanceMillis(-3_600_000);
        await().atMost(Duration.ofSeconds(5)).until(() -> source.refreshes() > start);
    }

    @Test
    void idlePeriodShorterThanTheRefreshIntervalIsRefused() {
        assertThatThrownBy(() -> SnapshotSource.start(connection, SnapshotPolicy.DEFAULT, Clock.systemUTC(), 10))
                .hasMessageStartingWith("idleRefreshMillis: 10 (expected:");
    }
}
