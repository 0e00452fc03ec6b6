package io.farmgate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.testing.RedisServerExtension;
import io.netty.util.Timeout;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Redis client's timer fires at its deadlines, drops what is cancelled, and does not tick. */
@org.junit.jupiter.api.Timeout(30)
class DeadlineTimerTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static final ThreadFactory THREADS =
            RegistryConfig.defaults("redis://127.0.0.1:6379", "timer").threads("deadline-timer-test");

    @Test
    void firesOnceAtItsDeadlineAndNotWhenCancelled() throws InterruptedException {
        DeadlineTimer timer = new DeadlineTimer(THREADS);
        try {
            CountDownLatch fired = new CountDownLatch(1);
            AtomicInteger cancelledRuns = new AtomicInteger();
            long start = System.nanoTime();
            Timeout cancelled = timer.newTimeout(t -> cancelledRuns.incrementAndGet(), 50, TimeUnit.MILLISECONDS);
            Timeout kept = timer.newTimeout(t -> fired.countDown(), 100, TimeUnit.MILLISECONDS);

            assertThat(cancelled.cancel()).isTrue();
            assertThat(cancelled.isCancelled()).isTrue();
            assertThat(fired.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
            await().atMost(Duration.ofSeconds(2)).until(kept::isExpired);
            assertThat(kept.cancel()).as("an expired timeout cannot be cancelled").isFalse();
            assertThat(kept.timer()).isSameAs(timer);
            assertThat(cancelledRuns).hasValue(0);
        } finally {
            timer.stop();
        }
    }

    @Test
    void aFailingTaskDoesNotStopTheTimer() throws InterruptedException {
        DeadlineTimer timer = new DeadlineTimer(THREADS);
        try {
            timer.newTimeout(t -> {
                throw new IllegalStateException("test: a task that fails");
            }, 0, TimeUnit.MILLISECONDS);
            CountDownLatch after = new CountDownLatch(1);
            timer.newTimeout(t -> after.countDown(), 20, TimeUnit.MILLISECONDS);
            assertThat(after.await(5, TimeUnit.SECONDS)).isTrue();
        } finally {
            timer.stop();
        }
    }

    @Test
    void refusesNewTimeoutsOnceStopped() {
        DeadlineTimer timer = new DeadlineTimer(THREADS);
        timer.stop();
        assertThatThrownBy(() -> timer.newTimeout(t -> { }, 1, TimeUnit.SECONDS))
                .isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void registryCommandsPutNothingOnTheTimer() {
        try (RegistryConnection connection = RegistryConnection.open(Hosts.fastConfig(redis.uri()));
             SnapshotSource source = SnapshotSource.start(connection, SnapshotPolicy.DEFAULT, Clock.systemUTC())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> source.refreshes() >= 3);
            // Their synchronous calls time out by themselves: no timer entry, no timer wake-up per command.
            assertThat(connection.timer().scheduled()).isZero();
        }
    }

    @Test
    void registryConnectionReconnectsOnItInsteadOfTheTickingWheelTimer() {
        try (RegistryConnection connection = RegistryConnection.open(Hosts.fastConfig(redis.uri()));
             SnapshotSource source = SnapshotSource.start(connection, SnapshotPolicy.DEFAULT, Clock.systemUTC())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> source.refreshes() >= 3);
            redis.kill();
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> source.refreshFailures() >= 1);
            } finally {
                redis.start();
            }
            long before = source.refreshes();
            await().atMost(Duration.ofSeconds(10)).until(() -> source.refreshes() > before + 2);
            // The reconnect's delay was scheduled here, and Lettuce's own timer never started.
            assertThat(connection.timer().scheduled()).isPositive();
            assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                    .noneMatch(name -> name.startsWith("lettuce-timer"));
        }
    }
}
