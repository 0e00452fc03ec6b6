package io.farmgate.client;

/** Where a {@link FarmgateClient} is in its life. */
public enum ClientState {
    /** Not started. */
    NEW,
    /** Asking the gateway or opening the WebSocket. */
    CONNECTING,
    /** Connected; messages go out at once. */
    OPEN,
    /** Waiting for the next attempt; messages are queued. */
    WAITING,
    /** Closed by the application or ended by the server (1000 and other final codes). */
    CLOSED,
    /** Gave up after too many failed attempts in a row. */
    FAILED
}
