package io.farmgate.gateway;

import io.farmgate.scoring.token.AssignmentToken;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/** Signs the {@code fg_token} of an assignment when a secret is configured; otherwise hands out none. */
final class AssignmentTokens {

    /** Query parameter that carries the token to the backend. */
    static final String PARAM = "fg_token";
    private static final String ALGORITHM = "HmacSHA256";
    private static final byte[] BASE64URL = Answer.ascii(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    private final AssignmentToken signer;
    private final byte[] secret;
    private final long ttlSeconds;
    private final Clock clock;

    AssignmentTokens(String secret, long ttlSeconds, Clock clock) {
        this.secret = secret == null ? null : secret.getBytes(StandardCharsets.UTF_8);
        this.signer = secret == null ? null : new AssignmentToken(this.secret);
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

    /** A signer for one thread (an event loop): it keeps its own {@link Mac}, as a Mac is not thread-safe. */
    Signer newSigner() {
        if (secret == null) {
            return null;
        }
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret, ALGORITHM));
            return new Signer(mac);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every Java runtime", e);
        }
    }

    /** The bytes that start every token for one host: {@code v1.<hostId>.} */
    static byte[] prefix(String hostId) {
        return ("v1." + hostId + ".").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Writes tokens straight into an answer, in {@link AssignmentToken}'s wire form, with one HMAC
     * and no allocation of its own.
     */
    static final class Signer {
        private final Mac mac;
        private final byte[] digest = new byte[32];

        private Signer(Mac mac) {
            this.mac = mac;
        }

        /**
         * Appends the token for the host whose {@link #prefix} is given and the UTF-8 client key
         * {@code key[0, keyLength)} (empty for none).
         */
        void append(Answer out, byte[] hostPrefix, byte[] key, int keyLength, long expiresAtSeconds) {
            int start = out.length();
            out.append(hostPrefix);
            base64(out, key, keyLength);
            out.append('.').decimal(expiresAtSeconds);
            mac.update(out.array(), start, out.length() - start);
            try {
                mac.doFinal(digest, 0);
            } catch (ShortBufferException e) {
                throw new IllegalStateException(e);
            }
            out.append('.');
            base64(out, digest, digest.length);
        }

        private static void base64(Answer out, byte[] b, int n) {
            int at = out.reserve((n * 4 + 2) / 3);
            byte[] o = out.array();
            int i = 0;
            for (; i + 2 < n; i += 3) {
                int v = (b[i] & 0xff) << 16 | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff);
                o[at++] = BASE64URL[v >>> 18];
                o[at++] = BASE64URL[(v >>> 12) & 63];
                o[at++] = BASE64URL[(v >>> 6) & 63];
                o[at++] = BASE64URL[v & 63];
            }
            if (n - i == 1) {
                int v = (b[i] & 0xff) << 16;
                o[at++] = BASE64URL[v >>> 18];
                o[at] = BASE64URL[(v >>> 12) & 63];
            } else if (n - i == 2) {
                int v = (b[i] & 0xff) << 16 | (b[i + 1] & 0xff) << 8;
                o[at++] = BASE64URL[v >>> 18];
                o[at++] = BASE64URL[(v >>> 12) & 63];
                o[at] = BASE64URL[(v >>> 6) & 63];
            }
        }
    }
}
