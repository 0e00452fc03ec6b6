package io.farmgate.cli;

import java.util.concurrent.CountDownLatch;

/**
 * Keeps a command running until the JVM is asked to stop (SIGTERM, Ctrl-C), then closes what it
 * started, which for an agent or backend means draining, before the process exits.
 */
final class UntilShutdown {

    private UntilShutdown() {
    }

    /** Blocks until shutdown; {@code running} is closed on the shutdown hook's thread. */
    static void await(AutoCloseable running, String threadName) throws InterruptedException {
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                running.close();
            } catch (Exception e) {
                System.err.println("farmgate: stopping failed: " + e);
            } finally {
                closed.countDown();
            }
        }, threadName));
        closed.await();
    }
}
