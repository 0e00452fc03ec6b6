package io.farmgate.dns;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.xbill.DNS.Address;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * Everything the authoritative DNS responder is told: the zone, where it listens, how it answers,
 * and its limits. Validated once on construction; every message names the field and the expected
 * range. Build one with {@link #builder(String)}.
 *
 * @param zone                     the zone served, e.g. {@code farm.example.com} (stored lower case, absolute)
 * @param listenHost               address literal to bind UDP and TCP to
 * @param port                     port for both UDP and TCP; 0 picks one free port for both
 * @param ttlSeconds               TTL of host addresses (apex and {@code <host-id>}); negative answers use the SOA minimum
 * @param answerCount              hosts in one apex A/AAAA answer ({@code k})
 * @param answerCacheSeconds       how long an answer is reused downstream (resolvers clamping TTLs,
 *                                 Chromium's 60 s, the JVM's 30 s); see docs/dns.md
 * @param newClientsPerCacheSecond new clients per second behind one cache that use the farm name
 * @param nameServers              the zone's name servers; in-zone names need glue addresses
 * @param soa                      the SOA fields (the primary name server is the first of {@code nameServers})
 * @param staticTtlSeconds         TTL of SOA, NS and glue records
 * @param ednsMaxPayload           the largest UDP response with EDNS0, whatever the client advertises
 * @param tcpIdleTimeoutMillis     a TCP connection with no complete query for this long is closed
 * @param tcpMaxConnections        open TCP connections beyond this are closed at once
 * @param rateLimit                response rate limiting of UDP answers per client prefix
 * @param fallbackAddresses        answered at the apex when no host is eligible and the snapshot is
 *                                 fresh (empty: SERVFAIL instead)
 * @param udpThreads               UDP receive threads, one socket each where SO_REUSEPORT works
 *                                 (default one per CPU)
 * @param udpBatching              take in and send out many UDP packets per system call
 *                                 (recvmmsg/sendmmsg) where the native library loads (Linux with a
 *                                 build that had a C compiler); off: one per call through the JDK
 */
public record DnsConfig(
        String zone,
        String listenHost,
        int port,
        int ttlSeconds,
        int answerCount,
        int answerCacheSeconds,
        double newClientsPerCacheSecond,
        List<NameServer> nameServers,
        Soa soa,
        int staticTtlSeconds,
        int ednsMaxPayload,
        long tcpIdleTimeoutMillis,
        int tcpMaxConnections,
        RateLimit rateLimit,
        List<String> fallbackAddresses,
        int udpThreads,
        boolean udpBatching) {

    /** Most hosts in one answer: 64 AAAA records still fit a TCP message many times over. */
    public static final int MAX_ANSWER_COUNT = 64;

    /** The largest {@code ednsMaxPayload}: no UDP answer is larger. */
    public static final int MAX_EDNS_PAYLOAD = 4096;

    /** A name server of the zone and, for names inside the zone, the glue addresses served with it. */
    public record NameServer(String name, List<String> addresses) {
        public NameServer {
            Objects.requireNonNull(name, "nameServers.name");
            addresses = List.copyOf(Objects.requireNonNull(addresses, "nameServers.addresses"));
        }
    }

    /**
     * The SOA fields besides the primary name server.
     *
     * @param rname          the responsible mailbox as a name, e.g. {@code hostmaster.farm.example.com}
     * @param serial         fixed: answers are computed per query, there is nothing to transfer
     * @param minimumSeconds the negative-caching TTL (RFC 2308): how long resolvers remember NXDOMAIN
     *                       and empty answers; short, so a new host's name resolves soon
     */
    public record Soa(String rname, long serial, int refreshSeconds, int retrySeconds, int expireSeconds,
                      int minimumSeconds) {
        public Soa {
            Objects.requireNonNull(rname, "soa.rname");
            requireRange("soa.serial", serial, 0, 0xFFFF_FFFFL);
            requireRange("soa.refreshSeconds", refreshSeconds, 1, Integer.MAX_VALUE);
            requireRange("soa.retrySeconds", retrySeconds, 1, Integer.MAX_VALUE);
            requireRange("soa.expireSeconds", expireSeconds, 1, Integer.MAX_VALUE);
            requireRange("soa.minimumSeconds", minimumSeconds, 0, 86_400);
        }
    }

    /**
     * Response rate limiting (RRL) of UDP answers.
     *
     * @param responsesPerSecond identical responses per second to one client prefix; 0 turns RRL off
     * @param slip               every {@code slip}-th limited response goes out truncated (TC=1) so a
     *                           real client retries over TCP; 0 drops them all, 1 truncates them all
     * @param tableSize          most (prefix, response) entries remembered; bounds memory under attack
     */
    public record RateLimit(int responsesPerSecond, int slip, int tableSize) {

        public static final RateLimit OFF = new RateLimit(0, 2, 1024);
        public static final RateLimit DEFAULT = new RateLimit(20, 2, 65_536);

        public RateLimit {
            requireRange("rateLimit.responsesPerSecond", responsesPerSecond, 0, 1_000_000);
            requireRange("rateLimit.slip", slip, 0, 10);
            requireRange("rateLimit.tableSize", tableSize, 16, 1 << 24);
        }

        public boolean enabled() {
            return responsesPerSecond > 0;
        }
    }

    public DnsConfig {
        zone = canonicalZone(zone);
        Objects.requireNonNull(listenHost, "listenHost");
        if (Address.toByteArray(listenHost, Address.IPv4) == null
                && Address.toByteArray(listenHost, Address.IPv6) == null) {
            throw new IllegalArgumentException("listenHost: '" + listenHost + "' (expected: an IPv4 or IPv6 literal)");
        }
        requireRange("port", port, 0, 65_535);
        requireRange("ttlSeconds", ttlSeconds, 1, 86_400);
        requireRange("answerCount", answerCount, 1, MAX_ANSWER_COUNT);
        requireRange("answerCacheSeconds", answerCacheSeconds, 0, 86_400);
        if (!(newClientsPerCacheSecond >= 0.0 && newClientsPerCacheSecond <= 1_000_000.0)) {
            throw new IllegalArgumentException("newClientsPerCacheSecond: " + newClientsPerCacheSecond
                    + " (expected: in [0, 1000000])");
        }
        nameServers = List.copyOf(Objects.requireNonNull(nameServers, "nameServers"));
        if (nameServers.isEmpty()) {
            throw new IllegalArgumentException("nameServers: [] (expected: at least one name server)");
        }
        List<NameServer> canonical = new ArrayList<>();
        for (NameServer ns : nameServers) {
            canonical.add(canonicalNameServer(ns, zone));
        }
        nameServers = List.copyOf(canonical);
        Objects.requireNonNull(soa, "soa");
        parseName("soa.rname", soa.rname());
        requireRange("staticTtlSeconds", staticTtlSeconds, 1, 604_800);
        requireRange("ednsMaxPayload", ednsMaxPayload, 512, MAX_EDNS_PAYLOAD);
        requireRange("tcpIdleTimeoutMillis", tcpIdleTimeoutMillis, 1, 3_600_000);
        requireRange("tcpMaxConnections", tcpMaxConnections, 1, 100_000);
        Objects.requireNonNull(rateLimit, "rateLimit");
        fallbackAddresses = List.copyOf(Objects.requireNonNull(fallbackAddresses, "fallbackAddresses"));
        for (String a : fallbackAddresses) {
            requireAddress("fallbackAddresses", a);
        }
        requireRange("udpThreads", udpThreads, 1, 256);
    }

    /**
     * How many new clients one apex answer stands for: downstream caches hand the same answer to
     * every client behind them for {@code answerCacheSeconds}, so one answer is weighed as
     * {@code answerCacheSeconds * newClientsPerCacheSecond} assignments (at least 1).
     */
    public long clientsPerAnswer() {
        return Math.max(1L, Math.round(answerCacheSeconds * newClientsPerCacheSecond));
    }

    /** A builder with the documented defaults for {@code zone}. */
    public static Builder builder(String zone) {
        return new Builder(canonicalZone(zone));
    }

    /** A builder starting from this config. */
    public Builder toBuilder() {
        Builder b = new Builder(zone);
        b.listenHost = listenHost;
        b.port = port;
        b.ttlSeconds = ttlSeconds;
        b.answerCount = answerCount;
        b.answerCacheSeconds = answerCacheSeconds;
        b.newClientsPerCacheSecond = newClientsPerCacheSecond;
        b.nameServers = nameServers;
        b.soa = soa;
        b.staticTtlSeconds = staticTtlSeconds;
        b.ednsMaxPayload = ednsMaxPayload;
        b.tcpIdleTimeoutMillis = tcpIdleTimeoutMillis;
        b.tcpMaxConnections = tcpMaxConnections;
        b.rateLimit = rateLimit;
        b.fallbackAddresses = fallbackAddresses;
        b.udpThreads = udpThreads;
        b.udpBatching = udpBatching;
        return b;
    }

    /** Collects fields for a {@link DnsConfig}; {@link #build()} validates them. */
    public static final class Builder {
        private final String zone;
        private String listenHost = "127.0.0.1";
        private int port = 5353;
        private int ttlSeconds = 5;
        private int answerCount = 1;
        private int answerCacheSeconds = 60;
        private double newClientsPerCacheSecond = 0.25;
        private List<NameServer> nameServers;
        private Soa soa;
        private int staticTtlSeconds = 3600;
        private int ednsMaxPayload = 1232;
        private long tcpIdleTimeoutMillis = 10_000;
        private int tcpMaxConnections = 256;
        private RateLimit rateLimit = RateLimit.DEFAULT;
        private List<String> fallbackAddresses = List.of();
        // One per CPU: below saturation a second thread per CPU costs more CPU per query (each
        // thread sleeps and is woken for its share of the packets), while one thread per CPU
        // rarely sleeps under load. More threads only win peak q/s on a CPU shared with other
        // work (bench/dns.sh, docs/dns.md).
        private int udpThreads = Runtime.getRuntime().availableProcessors();
        private boolean udpBatching = true;

        private Builder(String zone) {
            this.zone = zone;
            this.nameServers = List.of(new NameServer("ns1." + zone, List.of("127.0.0.1")));
            this.soa = new Soa("hostmaster." + zone, 1, 3600, 600, 604_800, 5);
        }

        public Builder listenHost(String value) {
            listenHost = value;
            return this;
        }

        public Builder port(int value) {
            port = value;
            return this;
        }

        public Builder ttlSeconds(int value) {
            ttlSeconds = value;
            return this;
        }

        public Builder answerCount(int value) {
            answerCount = value;
            return this;
        }

        public Builder answerCacheSeconds(int value) {
            answerCacheSeconds = value;
            return this;
        }

        public Builder newClientsPerCacheSecond(double value) {
            newClientsPerCacheSecond = value;
            return this;
        }

        public Builder nameServers(List<NameServer> value) {
            nameServers = value;
            return this;
        }

        public Builder soa(Soa value) {
            soa = value;
            return this;
        }

        public Builder staticTtlSeconds(int value) {
            staticTtlSeconds = value;
            return this;
        }

        public Builder ednsMaxPayload(int value) {
            ednsMaxPayload = value;
            return this;
        }

        public Builder tcpIdleTimeoutMillis(long value) {
            tcpIdleTimeoutMillis = value;
            return this;
        }

        public Builder tcpMaxConnections(int value) {
            tcpMaxConnections = value;
            return this;
        }

        public Builder rateLimit(RateLimit value) {
            rateLimit = value;
            return this;
        }

        public Builder fallbackAddresses(List<String> value) {
            fallbackAddresses = value;
            return this;
        }

        public Builder udpThreads(int value) {
            udpThreads = value;
            return this;
        }

        public Builder udpBatching(boolean value) {
            udpBatching = value;
            return this;
        }

        public DnsConfig build() {
            return new DnsConfig(zone, listenHost, port, ttlSeconds, answerCount, answerCacheSeconds,
                    newClientsPerCacheSecond, nameServers, soa, staticTtlSeconds, ednsMaxPayload,
                    tcpIdleTimeoutMillis, tcpMaxConnections, rateLimit, fallbackAddresses, udpThreads,
                    udpBatching);
        }
    }

    // ---- validation ----

    private static String canonicalZone(String zone) {
        Objects.requireNonNull(zone, "zone");
        Name name = parseName("zone", zone);
        if (name.equals(Name.root)) {
            throw new IllegalArgumentException("zone: '" + zone + "' (expected: a domain name below the root)");
        }
        return name.toString().toLowerCase(Locale.ROOT);
    }

    private static NameServer canonicalNameServer(NameServer ns, String zone) {
        Name name = parseName("nameServers.name", ns.name());
        for (String a : ns.addresses()) {
            requireAddress("nameServers.addresses", a);
        }
        if (name.subdomain(parseName("zone", zone)) && ns.addresses().isEmpty()) {
            throw new IllegalArgumentException("nameServers.addresses: [] for " + name
                    + " (expected: at least one glue address for a name server inside the zone)");
        }
        return new NameServer(name.toString().toLowerCase(Locale.ROOT), ns.addresses());
    }

    static Name parseName(String field, String value) {
        try {
            return Name.fromString(value, Name.root);
        } catch (TextParseException e) {
            throw new IllegalArgumentException(field + ": '" + value + "' (expected: a domain name)", e);
        }
    }

    private static void requireAddress(String field, String value) {
        if (value == null || Address.toByteArray(value, Address.IPv4) == null
                && Address.toByteArray(value, Address.IPv6) == null) {
            throw new IllegalArgumentException(field + ": '" + value + "' (expected: an IPv4 or IPv6 literal)");
        }
    }

    private static void requireRange(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + ": " + value + " (expected: in [" + min + ", " + max + "])");
        }
    }
}
