package io.farmgate.scoring.token;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signed assignment a gateway hands a client ({@code fg_token}) and a backend checks, so a
 * backend can refuse clients that skipped the front door or replay an old assignment.
 *
 * <p>Wire form: {@code v1.<hostId>.<base64url(clientKey)>.<expiresAtSeconds>.<base64url(HMAC-SHA256)>},
 * the MAC taken over everything before the last dot with a secret shared by gateways and agents.
 * URL-safe as it stands; no padding. Thread-safe: a {@link Mac} is made per call, as Mac is not.
 */
public final class AssignmentToken {

    private static final String VERSION = "v1";
    private static final String ALGORITHM = "HmacSHA256";
    /** Shortest secret accepted: 128 bits. */
    public static final int MIN_SECRET_BYTES = 16;

    private final SecretKeySpec key;

    public AssignmentToken(byte[] secret) {
        Objects.requireNonNull(secret, "secret");
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException(
                    "tokenSecret: " + secret.length + " bytes (expected: >= " + MIN_SECRET_BYTES + ")");
        }
        this.key = new SecretKeySpec(secret.clone(), ALGORITHM);
    }

    /** A token for a client sent to {@code hostId}; {@code clientKey} may be empty. */
    public String sign(String hostId, String clientKey, long expiresAtSeconds) {
        String body = VERSION + "." + hostId + "." + b64(clientKey.getBytes(StandardCharsets.UTF_8))
                + "." + expiresAtSeconds;
        return body + "." + b64(mac(body));
    }

    /**
     * Checks a token presented to host {@code hostId}.
     *
     * @param nowSeconds   the verifier's clock
     * @param skewSeconds  how far the signer's clock may be ahead of or behind the verifier's
     */
    public Verdict verify(String token, String hostId, long nowSeconds, long skewSeconds) {
        if (token == null || token.isEmpty() || token.length() > 1024) {
            return Verdict.MALFORMED;
        }
        int lastDot = token.lastIndexOf('.');
        if (lastDot <= 0) {
            return Verdict.MALFORMED;
        }
        String body = token.substring(0, lastDot);
        String[] parts = body.split("\\.", -1);
        if (parts.length != 4 || !VERSION.equals(parts[0])) {
            return Verdict.MALFORMED;
        }
        byte[] presented;
        long expiresAt;
        try {
            presented = Base64.getUrlDecoder().decode(token.substring(lastDot + 1));
            Base64.getUrlDecoder().decode(parts[2]);
            expiresAt = Long.parseLong(parts[3]);
        } catch (IllegalArgumentException e) {
            return Verdict.MALFORMED;
        }
        if (!MessageDigest.isEqual(presented, mac(body))) {
            return Verdict.BAD_SIGNATURE;
        }
        if (!parts[1].equals(hostId)) {
            return Verdict.WRONG_HOST;
        }
        if (nowSeconds > expiresAt + skewSeconds) {
            return Verdict.EXPIRED;
        }
        return Verdict.VALID;
    }

    /** The client key a valid token carries ("" when none); call only after {@link #verify}. */
    public static String clientKey(String token) {
        String[] parts = token.split("\\.", -1);
        return new String(Base64.getUrlDecoder().decode(parts[2]), StandardCharsets.UTF_8);
    }

    private byte[] mac(String body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(body.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is required of every Java runtime", e);
        }
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** What a check of a token found. */
    public enum Verdict {
        VALID,
        MALFORMED,
        BAD_SIGNATURE,
        WRONG_HOST,
        EXPIRED;

        public boolean valid() {
            return this == VALID;
        }
    }
}
