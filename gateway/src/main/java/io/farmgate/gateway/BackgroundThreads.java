package io.farmgate.gateway;

import java.util.concurrent.ThreadFactory;

/**
 * Threads for the gateway's work that no client waits on (rebalancer, drain watch, admin API): daemon,
 * at {@link Thread#MIN_PRIORITY}, so that where the JVM maps Java priorities to the OS
 * ({@code -XX:ThreadPriorityPolicy=1}, which the launcher gives a gateway run as root) they yield
 * the CPU to the public event loops, which keep the normal priority.
 */
final class BackgroundThreads {

    private BackgroundThreads() {
    }

    /** Makes each thread with {@code name}. */
    static ThreadFactory named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        };
    }
}
