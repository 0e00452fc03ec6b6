package io.farmgate.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Lets a long-running command wait for SIGTERM or Ctrl-C (or {@link #stop} in tests) and then clean
 * up on its own thread. The JVM halts as soon as its shutdown hooks return, so the hook here waits
 * until the command says it has closed everything, bounded by {@link #CLEANUP_WAIT_MILLIS}.
 */
final class StopSignal {

    static final long CLEANUP_WAIT_MILLIS = 60_000;

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch cleanedUp = new CountDownLatch(1);
    private final Thread hook;

    StopSignal(String threadName) {
        this.hook = new Thread(() -> {
            stopRequested.countDown();
            try {
                cleanedUp.await(CLEANUP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, threadName);
    }

    /** From now on SIGTERM and Ctrl-C end {@link #await}. */
    void install() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Blocks until a stop is asked for. */
    void await() throws InterruptedException {
        stopRequested.await();
    }

    /** Asks for a stop without a signal (tests running a command in-process). */
    void stop() {
        stopRequested.countDown();
    }

    /** The command has closed what it started: a waiting shutdown may go on. */
    void cleanedUp() {
        cleanedUp.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down and the hook is running: it returns now.
        }
    }
}
