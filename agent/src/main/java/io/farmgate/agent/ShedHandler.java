package io.farmgate.agent;

/**
 * What the application does when the agent asks it to shed: close {@code count} of its
 * connections (any it likes) with WebSocket close code {@code closeCode}, normally 1012 (Service
 * Restart), so the clients reconnect through the front door and land elsewhere.
 *
 * <p>Called on the agent's thread; should start the closes and return quickly. It must close at
 * most {@code count}; closing fewer (because fewer are open) is fine. An exception is logged and
 * the agent goes on.
 */
@FunctionalInterface
public interface ShedHandler {

    /** WebSocket close code for "reconnect through the front door". */
    int SERVICE_RESTART = 1012;

    void shed(int count, int closeCode);
}
