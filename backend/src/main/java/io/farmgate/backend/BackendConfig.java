package io.farmgate.backend;

import io.farmgate.agent.AgentConfig;
import io.farmgate.scoring.token.AssignmentToken;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Everything the demo chat backend is told once, validated once.
 *
 * @param listenHost      address the WebSocket server binds, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
 * @param port            port it listens on
 * @param tokenSecret     secret shared with the gateways; when set, clients without a valid
 *                        {@code fg_token} are refused with 1008. Empty: no check.
 * @param tokenSkewSeconds clock difference with the gateways tolerated when checking tokens
 * @param agent           the embedded agent: identity, Redis, timing
 * @param roomPositions   true: every room's frames go through a Redis stream per room and carry its
 *                        position, and reconnecting clients resume (docs/client.md); false: the plain
 *                        pub/sub relay of one farm-wide room, without positions or resume
 * @param roomRetention   entries each room's stream keeps ({@code XADD MAXLEN ~}): how far back a
 *                        client can resume; all hosts of a farm should use the same
 */
public record BackendConfig(String listenHost, int port, String tokenSecret, long tokenSkewSeconds, AgentConfig agent,
                            boolean roomPositions, int roomRetention) {

    /** Entries a room keeps by default: at 20 broadcasts/s, over 8 minutes. */
    public static final int DEFAULT_ROOM_RETENTION = 10_000;
    public static final int MAX_ROOM_RETENTION = 10_000_000;

    /** Rooms with positions and the default retention. */
    public BackendConfig(String listenHost, int port, String tokenSecret, long tokenSkewSeconds, AgentConfig agent) {
        this(listenHost, port, tokenSecret, tokenSkewSeconds, agent, true, DEFAULT_ROOM_RETENTION);
    }

    /** This config with rooms as given. */
    public BackendConfig withRooms(boolean positions, int retention) {
        return new BackendConfig(listenHost, port, tokenSecret, tokenSkewSeconds, agent, positions, retention);
    }

    public BackendConfig {
        if (listenHost == null || listenHost.isBlank()) {
            throw new IllegalArgumentException("host: not set (expected: an address to listen on)");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: in [1, 65535])");
        }
        tokenSecret = tokenSecret == null ? "" : tokenSecret;
        if (!tokenSecret.isEmpty()
                && tokenSecret.getBytes(StandardCharsets.UTF_8).length < AssignmentToken.MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("tokenSecret: " + tokenSecret.getBytes(StandardCharsets.UTF_8).length
                    + " bytes (expected: >= " + AssignmentToken.MIN_SECRET_BYTES + ", or empty for no check)");
        }
        if (tokenSkewSeconds < 0 || tokenSkewSeconds > 3600) {
            throw new IllegalArgumentException("tokenSkewSeconds: " + tokenSkewSeconds + " (expected: in [0, 3600])");
        }
        Objects.requireNonNull(agent, "agent");
        if (roomRetention < 1 || roomRetention > MAX_ROOM_RETENTION) {
            throw new IllegalArgumentException("roomRetention: " + roomRetention + " (expected: in [1, " + MAX_ROOM_RETENTION + "])");
        }
    }

    public boolean checksTokens() {
        return !tokenSecret.isEmpty();
    }

    // Never print the secret.
    @Override
    public String toString() {
        return "BackendConfig[listenHost=" + listenHost + ", port=" + port + ", tokenSecret="
                + (checksTokens() ? "***" : "") + ", tokenSkewSeconds=" + tokenSkewSeconds + ", agent=" + agent
                + ", roomPositions=" + roomPositions + ", roomRetention=" + roomRetention + "]";
    }
}
