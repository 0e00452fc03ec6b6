package io.farmgate.client;

import java.net.URI;
import java.util.Optional;

/**
 * What a {@link FarmgateClient} tells its application. Called outside the client's lock, from the
 * HTTP client's and the scheduler's threads; implementations must be quick and thread-safe.
 */
public interface ClientListener {

    /**
     * Gateway {@code from} could not be reached ({@code why}), so {@code to} is asked instead, at once;
     * not an error: the attempt goes on, and the client keeps asking {@code to} while it answers.
     */
    default void onGatewayFailover(URI from, URI to, String why) {
    }

    /** The gateway answered with a host, {@code latencyNanos} after the request went out. */
    default void onAssigned(Assignment assignment, long latencyNanos) {
    }

    /** The WebSocket to the assigned host is open; queued and unconfirmed messages are on their way. */
    default void onConnected(Assignment assignment) {
    }

    /** A message from the backend; chat messages arrive once per id. */
    default void onMessage(InboundMessage message) {
    }

    /**
     * The backend could not replay everything after the position this client resumed from (older
     * than the room's retention), or its host fell further behind than the retention: frames after
     * {@code requested} and before {@code oldest} may be missing. Deliveries continue from
     * {@code oldest}; what to do (reload state, show a notice) is the application's call. {@code oldest} is
     * null when the backend refused the position (1008 {@code bad resume position}): the client then
     * reconnects once without it and delivers from the room's position at that time.
     */
    default void onGap(String requested, String oldest) {
    }

    /**
     * An open connection closed; {@code cause} is empty when the client will not reconnect, except after a
     * refused resume ({@link #onGap} with {@code oldest} null follows, then {@link #onRetryScheduled}).
     */
    default void onDisconnected(int code, String reason, Optional<ReconnectCause> cause) {
    }

    /** The next attempt is due in {@code delayMillis}; {@code why} says what ended the last one. */
    default void onRetryScheduled(long delayMillis, String why) {
    }

    /** The client gave up ({@link ClientState#FAILED}). */
    default void onFailed(String reason) {
    }
}
