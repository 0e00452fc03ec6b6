package io.farmgate.gateway;

import io.farmgate.scoring.token.AssignmentToken;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

/** Signs the {@code fg_token} of an assignment when a secret is configured; otherwise hands out none. */
final class AssignmentTokens {

    /** Query parameter that carries the token to the backend. */
    static final String PARAM = "fg_token";

    private final AssignmentToken signer;
    private final long ttlSeconds;
    private final Clock clock;

    AssignmentTokens(String secret, long ttlSeconds, Clock clock) {
        this.signer = secret == null ? null : new AssignmentToken(secret.getBytes(StandardCharsets.UTF_8));
        this.ttlSeconds = ttlSeconds;
        this.clock = clock;
    }

    boolean enabled() {
        return signer != null;
    }

    /** When a token signed now expires, in epoch seconds. */
    long expiresAtSeconds() {
        return clock.millis() / 1000 + ttlSeconds;
    }

    /** A token for this host and client key, or null when tokens are off. */
    String sign(String hostId, String clientKey, long expiresAtSeconds) {
        return signer == null ? null : signer.sign(hostId, clientKey == null ? "" : clientKey, expiresAtSeconds);
    }
}
