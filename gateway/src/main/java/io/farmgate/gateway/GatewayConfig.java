package io.farmgate.gateway;

import io.farmgate.scoring.pick.BoundedLoadRendezvousPicker;
import io.farmgate.scoring.pick.PickerKind;
import io.farmgate.scoring.pick.ZonePolicy;
import io.farmgate.scoring.token.AssignmentToken;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Everything a gateway is told at start, validated once; error messages name the field.
 *
 * @param listen                 the public listener (redirect and assign)
 * @param adminListen            the admin listener (operator API and metrics); a different port
 * @param tls                    an extra public listener speaking TLS, or null
 * @param adminToken             bearer token required on every admin {@code /v1/} call
 * @param tokenSecret            HMAC secret for {@code fg_token}; null sends no tokens
 * @param tokenTtlSeconds        how long an assignment token stays valid
 * @param trustedProxies         addresses or CIDR ranges whose {@code X-Forwarded-For} is believed
 * @param corsOrigins            origins allowed to call {@code /v1/assign} from a browser; {@code *} for any
 * @param picker                 how clients without a key are placed
 * @param affinityEpsilon        bounded-load slack for keyed clients: a host above {@code (1 + e)} times
 *                               the mean score gives its keys to their next host
 * @param affinityByAddress      use the client address as affinity key when the client sends none
 * @param snapshotFreshMillis    a snapshot older than this is reported stale
 * @param snapshotMaxStaleMillis past this age {@code /readyz} answers 503 (redirects still go on)
 * @param retryAfterSeconds      {@code Retry-After} of a 503 when no host is eligible
 * @param maxRequestHeaderBytes  larger request heads are refused with 431
 * @param targetUtilisation      the share of capacity a host should run at; {@code GET /v1/farm} and
 *                               {@code farmgate_desired_hosts} size the farm from it; in (0, 1]
 * @param adminMaxFailedLogins   wrong admin tokens one client address may present within
 *                               {@code adminFailedLoginWindowMillis} before it gets 429 until the window ends
 * @param adminFailedLoginWindowMillis the window those failures are counted in
 * @param headerReadTimeoutMillis a public connection whose request head is not complete this long after
 *                               it was accepted (or after the head's first byte) gets 408 and is closed
 * @param idleTimeoutMillis      a kept-alive public connection with no request for this long is closed
 * @param zonePolicy             prefer hosts of this zone, spilling by its rule; null for the whole farm
 */
public record GatewayConfig(
        ListenAddress listen,
        ListenAddress adminListen,
        TlsListener tls,
        String adminToken,
        String tokenSecret,
        long tokenTtlSeconds,
        List<String> trustedProxies,
        List<String> corsOrigins,
        PickerKind picker,
        double affinityEpsilon,
        boolean affinityByAddress,
        long snapshotFreshMillis,
        long snapshotMaxStaleMillis,
        int retryAfterSeconds,
        int maxRequestHeaderBytes,
        double targetUtilisation,
        int adminMaxFailedLogins,
        long adminFailedLoginWindowMillis,
        long headerReadTimeoutMillis,
        long idleTimeoutMillis,
        ZonePolicy zonePolicy) {

    /** Shortest admin token accepted. */
    public static final int MIN_ADMIN_TOKEN_LENGTH = 16;

    public GatewayConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(adminListen, "adminListen");
        if (adminListen.port() != 0 && adminListen.equals(listen)) {
            throw new IllegalArgumentException("adminListen: " + adminListen + " (expected: not the same as listen)");
        }
        if (tls != null && tls.listen().port() != 0
                && (tls.listen().equals(listen) || tls.listen().equals(adminListen))) {
            throw new IllegalArgumentException("tlsListen: " + tls.listen() + " (expected: not the same as listen or adminListen)");
        }
        if (adminToken == null || adminToken.length() < MIN_ADMIN_TOKEN_LENGTH) {
            throw new IllegalArgumentException("adminToken: " + (adminToken == null ? "missing" : adminToken.length() + " characters")
                    + " (expected: at least " + MIN_ADMIN_TOKEN_LENGTH + " characters)");
        }
        if (!isVisibleAscii(adminToken)) {
            throw new IllegalArgumentException("adminToken: contains spaces or non-ASCII characters (expected: visible ASCII only)");
        }
        if (tokenSecret != null && tokenSecret.getBytes(StandardCharsets.UTF_8).length < AssignmentToken.MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("tokenSecret: " + tokenSecret.getBytes(StandardCharsets.UTF_8).length
                    + " bytes (expected: at least " + AssignmentToken.MIN_SECRET_BYTES + " bytes)");
        }
        if (tokenTtlSeconds < 1 || tokenTtlSeconds > 86_400) {
            throw new IllegalArgumentException("tokenTtlSeconds: " + tokenTtlSeconds + " (expected: in [1, 86400])");
        }
        trustedProxies = List.copyOf(Objects.requireNonNull(trustedProxies, "trustedProxies"));
        for (String range : trustedProxies) {
            AddressRange.parse("trustedProxies", range);
        }
        corsOrigins = List.copyOf(Objects.requireNonNull(corsOrigins, "corsOrigins"));
        for (String origin : corsOrigins) {
            if (!origin.equals("*") && !(isVisibleAscii(origin) && origin.matches("https?://[^/?#]+"))) {
                throw new IllegalArgumentException("corsOrigins: '" + origin
                        + "' (expected: * or an origin such as https://app.example.com)");
            }
        }
        Objects.requireNonNull(picker, "picker");
        if (!(affinityEpsilon >= 0.0 && affinityEpsilon <= 100.0)) {
            throw new IllegalArgumentException("affinityEpsilon: " + affinityEpsilon + " (expected: in [0, 100])");
        }
        if (snapshotFreshMillis <= 0) {
            throw new IllegalArgumentException("snapshotFreshMillis: " + snapshotFreshMillis + " (expected: > 0)");
        }
        if (snapshotMaxStaleMillis <= snapshotFreshMillis) {
            throw new IllegalArgumentException("snapshotMaxStaleMillis: " + snapshotMaxStaleMillis
                    + " (expected: > snapshotFreshMillis, " + snapshotFreshMillis + ")");
        }
        if (retryAfterSeconds < 1 || retryAfterSeconds > 3600) {
            throw new IllegalArgumentException("retryAfterSeconds: " + retryAfterSeconds + " (expected: in [1, 3600])");
        }
        if (maxRequestHeaderBytes < 1024 || maxRequestHeaderBytes > 65_536) {
            throw new IllegalArgumentException("maxRequestHeaderBytes: " + maxRequestHeaderBytes + " (expected: in [1024, 65536])");
        }
        if (!(targetUtilisation > 0.0 && targetUtilisation <= 1.0)) {
            throw new IllegalArgumentException("targetUtilisation: " + targetUtilisation + " (expected: in (0, 1])");
        }
        if (adminMaxFailedLogins < 1 || adminMaxFailedLogins > 1_000_000) {
            throw new IllegalArgumentException("adminMaxFailedLogins: " + adminMaxFailedLogins + " (expected: in [1, 1000000])");
        }
        if (adminFailedLoginWindowMillis < 1_000 || adminFailedLoginWindowMillis > 86_400_000) {
            throw new IllegalArgumentException("adminFailedLoginWindowMillis: " + adminFailedLoginWindowMillis
                    + " (expected: in [1000, 86400000])");
        }
        if (headerReadTimeoutMillis < 100 || headerReadTimeoutMillis > 600_000) {
            throw new IllegalArgumentException("headerReadTimeoutMillis: " + headerReadTimeoutMillis
                    + " (expected: in [100, 600000])");
        }
        if (idleTimeoutMillis < 100 || idleTimeoutMillis > 3_600_000) {
            throw new IllegalArgumentException("idleTimeoutMillis: " + idleTimeoutMillis + " (expected: in [100, 3600000])");
        }
    }

    /** A builder with the documented defaults; listen addresses and admin token must be set. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.listen = listen;
        b.adminListen = adminListen;
        b.tls = tls;
        b.adminToken = adminToken;
        b.tokenSecret = tokenSecret;
        b.tokenTtlSeconds = tokenTtlSeconds;
        b.trustedProxies = trustedProxies;
        b.corsOrigins = corsOrigins;
        b.picker = picker;
        b.affinityEpsilon = affinityEpsilon;
        b.affinityByAddress = affinityByAddress;
        b.snapshotFreshMillis = snapshotFreshMillis;
        b.snapshotMaxStaleMillis = snapshotMaxStaleMillis;
        b.retryAfterSeconds = retryAfterSeconds;
        b.maxRequestHeaderBytes = maxRequestHeaderBytes;
        b.targetUtilisation = targetUtilisation;
        b.adminMaxFailedLogins = adminMaxFailedLogins;
        b.adminFailedLoginWindowMillis = adminFailedLoginWindowMillis;
        b.headerReadTimeoutMillis = headerReadTimeoutMillis;
        b.idleTimeoutMillis = idleTimeoutMillis;
        b.zonePolicy = zonePolicy;
        return b;
    }

    @Override
    public String toString() {
        // Secrets stay out of logs.
        return "GatewayConfig[listen=" + listen + ", adminListen=" + adminListen + ", tls=" + tls
                + ", tokenSecret=" + (tokenSecret == null ? "none" : "set") + ", tokenTtlSeconds=" + tokenTtlSeconds
                + ", trustedProxies=" + trustedProxies + ", corsOrigins=" + corsOrigins + ", picker=" + picker.label()
                + ", zone=" + (zonePolicy == null ? "none" : zonePolicy)
                + ", affinityEpsilon=" + affinityEpsilon + ", affinityByAddress=" + affinityByAddress
                + ", snapshotFreshMillis=" + snapshotFreshMillis + ", snapshotMaxStaleMillis=" + snapshotMaxStaleMillis
                + ", retryAfterSeconds=" + retryAfterSeconds + ", maxRequestHeaderBytes=" + maxRequestHeaderBytes + ", targetUtilisation=" + targetUtilisation
                + ", adminMaxFailedLogins=" + adminMaxFailedLogins + ", adminFailedLoginWindowMillis=" + adminFailedLoginWindowMillis
                + ", headerReadTimeoutMillis=" + headerReadTimeoutMillis + ", idleTimeoutMillis=" + idleTimeoutMillis + "]";
    }

    static boolean isVisibleAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    /**
     * The optional TLS listener.
     *
     * @param listen         where it binds
     * @param certificatePem PEM file with the certificate chain, leaf first
     * @param privateKeyPem  PEM file with the unencrypted PKCS#8 private key ({@code BEGIN PRIVATE KEY})
     */
    public record TlsListener(ListenAddress listen, Path certificatePem, Path privateKeyPem) {
        public TlsListener {
            Objects.requireNonNull(listen, "tlsListen");
            Objects.requireNonNull(certificatePem, "tlsCert");
            Objects.requireNonNull(privateKeyPem, "tlsKey");
        }
    }

    /** Collects fields; {@link #build} validates them all at once. */
    public static final class Builder {
        private ListenAddress listen;
        private ListenAddress adminListen;
        private TlsListener tls;
        private String adminToken;
        private String tokenSecret;
        private long tokenTtlSeconds = 60;
        private List<String> trustedProxies = List.of();
        private List<String> corsOrigins = List.of();
        private PickerKind picker = PickerKind.TWO_CHOICE;
        private ZonePolicy zonePolicy;
        private double affinityEpsilon = BoundedLoadRendezvousPicker.DEFAULT_EPSILON;
        private boolean affinityByAddress;
        private long snapshotFreshMillis = 5_000;
        private long snapshotMaxStaleMillis = 60_000;
        private int retryAfterSeconds = 2;
        private int maxRequestHeaderBytes = 8_192;
        private double targetUtilisation = 0.7;
        private int adminMaxFailedLogins = 10;
        private long adminFailedLoginWindowMillis = 60_000;
        private long headerReadTimeoutMillis = 10_000;
        private long idleTimeoutMillis = 30_000;

        private Builder() {
        }

        public Builder listen(ListenAddress value) {
            this.listen = value;
            return this;
        }

        public Builder adminListen(ListenAddress value) {
            this.adminListen = value;
            return this;
        }

        public Builder tls(TlsListener value) {
            this.tls = value;
            return this;
        }

        public Builder adminToken(String value) {
            this.adminToken = value;
            return this;
        }

        public Builder tokenSecret(String value) {
            this.tokenSecret = value;
            return this;
        }

        public Builder tokenTtlSeconds(long value) {
            this.tokenTtlSeconds = value;
            return this;
        }

        public Builder trustedProxies(List<String> value) {
            this.trustedProxies = value;
            return this;
        }

        public Builder corsOrigins(List<String> value) {
            this.corsOrigins = value;
            return this;
        }

        public Builder picker(PickerKind value) {
            this.picker = value;
            return this;
        }

        public Builder affinityEpsilon(double value) {
            this.affinityEpsilon = value;
            return this;
        }

        public Builder affinityByAddress(boolean value) {
            this.affinityByAddress = value;
            return this;
        }

        public Builder snapshotFreshMillis(long value) {
            this.snapshotFreshMillis = value;
            return this;
        }

        public Builder snapshotMaxStaleMillis(long value) {
            this.snapshotMaxStaleMillis = value;
            return this;
        }

        public Builder retryAfterSeconds(int value) {
            this.retryAfterSeconds = value;
            return this;
        }

        public Builder maxRequestHeaderBytes(int value) {
            this.maxRequestHeaderBytes = value;
            return this;
        }

        public Builder targetUtilisation(double value) {
            this.targetUtilisation = value;
            return this;
        }

        public Builder adminMaxFailedLogins(int value) {
            this.adminMaxFailedLogins = value;
            return this;
        }

        public Builder adminFailedLoginWindowMillis(long value) {
            this.adminFailedLoginWindowMillis = value;
            return this;
        }

        public Builder headerReadTimeoutMillis(long value) {
            this.headerReadTimeoutMillis = value;
            return this;
        }

        public Builder idleTimeoutMillis(long value) {
            this.idleTimeoutMillis = value;
            return this;
        }

        /** Prefer hosts of this gateway's zone ({@code --zone}); null (the default) picks over the whole farm. */
        public Builder zonePolicy(ZonePolicy value) {
            this.zonePolicy = value;
            return this;
        }

        public GatewayConfig build() {
            return new GatewayConfig(listen, adminListen, tls, adminToken, tokenSecret, tokenTtlSeconds,
                    trustedProxies, corsOrigins, picker, affinityEpsilon, affinityByAddress, snapshotFreshMillis,
                    snapshotMaxStaleMillis, retryAfterSeconds, maxRequestHeaderBytes, targetUtilisation,
                    adminMaxFailedLogins, adminFailedLoginWindowMillis, headerReadTimeoutMillis, idleTimeoutMillis,
                    zonePolicy);
        }
    }
}
