package io.farmgate.agent;

import io.farmgate.scoring.token.AssignmentToken;
import io.farmgate.scoring.token.AssignmentToken.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Checks the gateway's signed assignment ({@code fg_token}) presented to this host in one call,
 * so a backend can refuse clients that skipped the front door or replay an expired assignment.
 * Thread-safe.
 */
public final class TokenCheck {

    /** Clock difference between gateway and backend tolerated by default. */
    public static final Duration DEFAULT_SKEW = Duration.ofSeconds(5);

    private final AssignmentToken token;
    private final String hostId;
    private final Clock clock;
    private final long skewSeconds;

    /**
     * @param secret the secret shared with the gateways (at least 16 bytes)
     * @param hostId this host's id; tokens for other hosts are refused
     * @param skew   how far the gateway's clock may differ from this one's
     */
    public TokenCheck(byte[] secret, String hostId, Clock clock, Duration skew) {
        this.token = new AssignmentToken(secret);
        this.hostId = Objects.requireNonNull(hostId, "hostId");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (skew.isNegative()) {
            throw new IllegalArgumentException("tokenSkew: " + skew + " (expected: >= 0)");
        }
        this.skewSeconds = skew.toSeconds();
    }

    /** A check with the system clock and {@link #DEFAULT_SKEW}. */
    public TokenCheck(byte[] secret, String hostId) {
        this(secret, hostId, Clock.systemUTC(), DEFAULT_SKEW);
    }

    /** What {@code presented} (may be null: no token) is worth on this host now. */
    public Verdict check(String presented) {
        return token.verify(presented, hostId, clock.millis() / 1000L, skewSeconds);
    }
}
