package io.farmgate.client;

import java.util.Optional;

/** Why a cooperating client went back through the front door; the close codes of the external contract. */
public enum ReconnectCause {
    /** 1012: shed, drain or rebalance, spread over time by the agent; reconnect through the gateway. */
    SERVICE_RESTART,
    /** 1013: the backend is overloaded; try again later. */
    TRY_AGAIN_LATER,
    /** 1001: the backend is shutting down, typically closing all its clients at once; a lost host. */
    GOING_AWAY,
    /** 1006 (no close frame), 1011 or a transport error: the connection was lost, possibly with its host. */
    ABNORMAL;

    /** The cause for a close code, or empty when the server meant the session to end (1000, policy codes...). */
    public static Optional<ReconnectCause> forCloseCode(int code) {
        switch (code) {
            case 1012:
                return Optional.of(SERVICE_RESTART);
            case 1013:
                return Optional.of(TRY_AGAIN_LATER);
            case 1001:
                return Optional.of(GOING_AWAY);
            case 1006:
            case 1011:
                return Optional.of(ABNORMAL);
            default:
                return Optional.empty();
        }
    }

    /** The name used in reports: {@code service-restart}, {@code try-again-later}... */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
