package io.farmgate.gateway;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counts wrong admin tokens per client address and locks an address out once it has made too
 * many within a window, so the token cannot be guessed at line rate. Pure: time comes in as
 * {@code nowMillis}; thread-safe through one lock (only admin calls pass here, never the public
 * hot path).
 *
 * <p>Fixed windows: an address's first failure opens a window of {@code windowMillis}; the
 * {@code maxFailures}-th failure in it locks the address until the window ends. Memory is bounded
 * by {@code maxTrackedClients}: past it the oldest window is forgotten first (it ends soonest).
 */
final class FailedLoginLimiter {

    private final int maxFailures;
    private final long windowMillis;
    private final int maxTrackedClients;
    // Insertion order = window start order, so the eldest entry is the first to expire.
    private final LinkedHashMap<String, Window> windows = new LinkedHashMap<>();

    private static final class Window {
        final long startMillis;
        int failures;

        Window(long startMillis) {
            this.startMillis = startMillis;
        }
    }

    FailedLoginLimiter(int maxFailures, long windowMillis, int maxTrackedClients) {
        if (maxFailures < 1) {
            throw new IllegalArgumentException("maxFailures: " + maxFailures + " (expected: >= 1)");
        }
        if (windowMillis < 1) {
            throw new IllegalArgumentException("windowMillis: " + windowMillis + " (expected: >= 1)");
        }
        if (maxTrackedClients < 1) {
            throw new IllegalArgumentException("maxTrackedClients: " + maxTrackedClients + " (expected: >= 1)");
        }
        this.maxFailures = maxFailures;
        this.windowMillis = windowMillis;
        this.maxTrackedClients = maxTrackedClients;
    }

    /** How long {@code client} must wait before its token is looked at again; 0 when it may try now. */
    synchronized long lockedForMillis(String client, long nowMillis) {
        Window w = windows.get(client);
        if (w == null) {
            return 0;
        }
        long left = w.startMillis + windowMillis - nowMillis;
        if (left <= 0) {
            windows.remove(client);
            return 0;
        }
        return w.failures >= maxFailures ? left : 0;
    }

    /** Notes one wrong token from {@code client}; true when this failure locks it out. */
    synchronized boolean failed(String client, long nowMillis) {
        Window w = windows.get(client);
        if (w != null && nowMillis - w.startMillis >= windowMillis) {
            windows.remove(client);
            w = null;
        }
        if (w == null) {
            forgetExpired(nowMillis);
            while (windows.size() >= maxTrackedClients) {
                Iterator<String> eldest = windows.keySet().iterator();
                eldest.next();
                eldest.remove();
            }
            w = new Window(nowMillis);
            windows.put(client, w);
        }
        w.failures++;
        return w.failures == maxFailures;
    }

    /** Addresses currently remembered (for tests and metrics). */
    synchronized int trackedClients() {
        return windows.size();
    }

    private void forgetExpired(long nowMillis) {
        for (Iterator<Map.Entry<String, Window>> it = windows.entrySet().iterator(); it.hasNext(); ) {
            if (nowMillis - it.next().getValue().startMillis >= windowMillis) {
                it.remove();
            } else {
                return; // later entries started later
            }
        }
    }
}
