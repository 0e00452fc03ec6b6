package io.farmgate.registry;

import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.netty.util.TimerTask;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lettuce's timer (reconnect delays, cluster topology refreshes; command timeouts are the
 * synchronous calls' own) as one thread that sleeps until its next deadline. Lettuce's default,
 * Netty's {@code HashedWheelTimer}, wakes 10 times a second for as long as the process lives, once
 * anything was ever scheduled: in an idle gateway or agent that is most of the CPU they spend.
 * Here a timeout costs a queue entry, and a cancelled one is removed at once; deadlines are exact
 * instead of rounded up to the next 100 ms tick.
 */
final class DeadlineTimer implements Timer {

    private static final Logger LOG = LoggerFactory.getLogger(DeadlineTimer.class);

    private final ScheduledThreadPoolExecutor executor;

    /** A timer whose one thread {@code threads} makes (a registry's, at its priority). */
    DeadlineTimer(ThreadFactory threads) {
        this.executor = new ScheduledThreadPoolExecutor(1, Objects.requireNonNull(threads, "threads"));
        // A command that completes cancels its timeout: drop it now rather than hold it until its deadline.
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public Timeout newTimeout(TimerTask task, long delay, TimeUnit unit) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(unit, "unit");
        Entry entry = new Entry(task);
        // Throws RejectedExecutionException once stopped, as HashedWheelTimer throws IllegalStateException.
        entry.future = executor.schedule(entry::run, Math.max(0, delay), unit);
        return entry;
    }

    /** Timeouts ever scheduled on this timer; for tests. */
    long scheduled() {
        return executor.getTaskCount();
    }

    @Override
    public Set<Timeout> stop() {
        // Lettuce ignores the unfired timeouts stop() returns; the pending ones are dropped unrun.
        executor.shutdownNow();
        return Set.of();
    }

    /** One scheduled task. */
    private final class Entry implements Timeout {
        private final TimerTask task;
        private volatile ScheduledFuture<?> future;
        private volatile boolean expired;

        Entry(TimerTask task) {
            this.task = task;
        }

        void run() {
            expired = true;
            try {
                task.run(this);
            } catch (Throwable t) {
                LOG.warn("a Redis client timer task failed", t);
            }
        }

        @Override
        public Timer timer() {
            return DeadlineTimer.this;
        }

        @Override
        public TimerTask task() {
            return task;
        }

        @Override
        public boolean isExpired() {
            return expired;
        }

        @Override
        public boolean isCancelled() {
            ScheduledFuture<?> f = future;
            return f != null && f.isCancelled();
        }

        @Override
        public boolean cancel() {
            ScheduledFuture<?> f = future;
            return f != null && !expired && f.cancel(false);
        }
    }
}
