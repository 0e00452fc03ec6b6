package io.farmgate.agent;

import io.farmgate.registry.RegistryConfig;
import io.farmgate.scoring.HostReport;

/**
 * Everything an agent is told once, validated once: who the host is, how it reports, and how
 * gently it sheds. Messages name the field and the expected range.
 *
 * @param redisUri               where the farm's registry is, e.g. {@code redis://10.0.0.2:6379}
 * @param farm                   farm name, part of every Redis key: 1-63 of a-z, 0-9 and '-'
 * @param hostId                 this host's id, one lower-case DNS label
 * @param url                    base URL clients are sent to, e.g. {@code ws://10.0.0.5:9001}
 * @param address                IP literal for DNS answers
 * @param zone                   placement label; may be empty
 * @param capacity               most connections the host accepts
 * @param weight                 the host's own share of new clients, 1 is normal
 * @param heartbeatIntervalMillis how often a heartbeat is published (and stored operator state read)
 * @param heartbeatTtlMillis     expiry of a heartbeat: the host vanishes this long after its last one
 * @param cpuHalfLifeMillis      half-life of the CPU moving average
 * @param drainPeriodMillis      drains and shutdowns spread their closes over this period
 * @param shedFractionPerSecond  at most this share of the connections is shed per second toward a target
 * @param minShedPerSecond       but at least this many per second
 * @param shedTickMillis         how often the shed policy is asked what to close
 * @param redisCaFile            PEM CA certificate(s) a {@code rediss} registry's certificate must chain
 *                               to instead of the JVM's trust store; null for the trust store
 */
public record AgentConfig(
        String redisUri,
        String farm,
        String hostId,
        String url,
        String address,
        String zone,
        int capacity,
        double weight,
        long heartbeatIntervalMillis,
        long heartbeatTtlMillis,
        long cpuHalfLifeMillis,
        long drainPeriodMillis,
        double shedFractionPerSecond,
        int minShedPerSecond,
        long shedTickMillis,
        java.nio.file.Path redisCaFile) {

    public static final long DEFAULT_HEARTBEAT_INTERVAL_MILLIS = 1_000;
    public static final long DEFAULT_HEARTBEAT_TTL_MILLIS = 3_000;
    public static final long DEFAULT_CPU_HALF_LIFE_MILLIS = 10_000;
    public static final long DEFAULT_DRAIN_PERIOD_MILLIS = 30_000;
    public static final double DEFAULT_SHED_FRACTION_PER_SECOND = 0.05;
    public static final int DEFAULT_MIN_SHED_PER_SECOND = 1;
    public static final long DEFAULT_SHED_TICK_MILLIS = 100;

    public AgentConfig {
        required("redisUri", redisUri);
        required("farm", farm);
        required("hostId", hostId);
        required("url", url);
        required("address", address);
        zone = zone == null ? "" : zone;
        if (!farm.matches("[a-z0-9-]{1,63}")) {
            throw new IllegalArgumentException("farm: '" + farm + "' (expected: 1-63 of a-z, 0-9 and '-')");
        }
        if (!HostReport.isValidHostId(hostId)) {
            throw new IllegalArgumentException("hostId: '" + hostId
                    + "' (expected: 1-63 of a-z, 0-9 and '-', not starting or ending with '-')");
        }
        if (!url.matches("(?i)(wss?|https?)://[^\\s/]+.*")) {
            throw new IllegalArgumentException("url: '" + url + "' (expected: ws://, wss://, http:// or https:// with a host)");
        }
        if (!isIpLiteral(address)) {
            throw new IllegalArgumentException("address: '" + address + "' (expected: an IPv4 or IPv6 literal)");
        }
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
        }
        if (!(weight > 0.0 && weight <= 1000.0)) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: in (0, 1000])");
        }
        if (heartbeatIntervalMillis <= 0) {
            throw new IllegalArgumentException(
                    "heartbeatIntervalMillis: " + heartbeatIntervalMillis + " (expected: > 0)");
        }
        if (heartbeatTtlMillis <= heartbeatIntervalMillis) {
            throw new IllegalArgumentException("heartbeatTtlMillis: " + heartbeatTtlMillis
                    + " (expected: > heartbeatIntervalMillis, " + heartbeatIntervalMillis + ")");
        }
        if (cpuHalfLifeMillis <= 0) {
            throw new IllegalArgumentException("cpuHalfLifeMillis: " + cpuHalfLifeMillis + " (expected: > 0)");
        }
        if (drainPeriodMillis <= 0) {
            throw new IllegalArgumentException("drainPeriodMillis: " + drainPeriodMillis + " (expected: > 0)");
        }
        if (!(shedFractionPerSecond > 0.0 && shedFractionPerSecond <= 1.0)) {
            throw new IllegalArgumentException(
                    "shedFractionPerSecond: " + shedFractionPerSecond + " (expected: in (0, 1])");
        }
        if (minShedPerSecond < 1) {
            throw new IllegalArgumentException("minShedPerSecond: " + minShedPerSecond + " (expected: >= 1)");
        }
        if (shedTickMillis <= 0 || shedTickMillis > 1_000) {
            throw new IllegalArgumentException("shedTickMillis: " + shedTickMillis + " (expected: in [1, 1000])");
        }
        // The registry's own rules for the URI (schemes, host), timings and CA file, with its messages.
        RegistryConfig.defaults(redisUri, farm).withHeartbeat(heartbeatIntervalMillis, heartbeatTtlMillis)
                .withRedisCaFile(redisCaFile);
    }

    /**
     * The registry settings these values make: where Redis is, the farm, heartbeat interval and
     * expiry; other settings at the registry's defaults.
     */
    public RegistryConfig registryConfig() {
        return RegistryConfig.defaults(redisUri, farm).withHeartbeat(heartbeatIntervalMillis, heartbeatTtlMillis)
                .withRedisCaFile(redisCaFile);
    }

    /** The Redis URI with any password replaced by {@code ***}, for logs. */
    public String maskedRedisUri() {
        return registryConfig().maskedRedisUri();
    }

    // Never print a password held in the URI.
    @Override
    public String toString() {
        return "AgentConfig[redisUri=" + maskedRedisUri() + ", farm=" + farm + ", hostId=" + hostId + ", url=" + url
                + ", address=" + address + ", zone=" + zone + ", capacity=" + capacity + ", weight=" + weight
                + ", heartbeatIntervalMillis=" + heartbeatIntervalMillis + ", heartbeatTtlMillis=" + heartbeatTtlMillis
                + ", cpuHalfLifeMillis=" + cpuHalfLifeMillis + ", drainPeriodMillis=" + drainPeriodMillis
                + ", shedFractionPerSecond=" + shedFractionPerSecond + ", minShedPerSecond=" + minShedPerSecond
                + ", shedTickMillis=" + shedTickMillis + ", redisCaFile=" + (redisCaFile == null ? "default" : redisCaFile)
                + "]";
    }

    private static void required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + ": not set (expected: a value)");
        }
    }

    /** Whether {@code s} is an IPv4 dotted quad or an IPv6 literal, without any name lookup. */
    static boolean isIpLiteral(String s) {
        if (s.matches("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}")) {
            return true;
        }
        if (!s.contains(":") || !s.matches("[0-9A-Fa-f:.]+")) {
            return false;
        }
        try {
            // A literal with only hex digits, colons and dots is parsed without DNS.
            return java.net.InetAddress.getByName(s) instanceof java.net.Inet6Address;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
