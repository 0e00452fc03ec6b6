package io.farmgate.dns;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Clock;

/**
 * Response rate limiting (RRL) for UDP: each (client prefix, response) pair may receive
 * {@code responsesPerSecond} responses per second, with one second of burst. Clients are grouped
 * by /24 (IPv4) and /56 (IPv6) since a spoofed flood rarely comes from one address. Responses are
 * keyed as BIND does (the name and type for answers, the zone for NXDOMAIN, the rcode for errors),
 * so one busy resolver asking many different questions is never limited, while a reflected flood
 * of one question is.
 *
 * <p>A limited response is dropped, except every {@code slip}-th which goes out truncated: a real
 * client behind a limited prefix retries over TCP, which cannot be spoofed.
 *
 * <p>State is a fixed table of {@code tableSize} slots (rounded up to a power of two); a pair whose
 * slot holds another pair takes it over. Memory stays bounded under any attack; a collision at
 * worst lets one extra burst through.
 */
final class ResponseRateLimiter {

    enum Verdict { SEND, DROP, SLIP }

    private static final long WINDOW_NANOS = 1_000_000_000L;
    private static final int STRIPES = 64;

    private final Clock clock;
    private final long intervalNanos;
    private final int slip;
    private final int mask;
    private final long[] keys;
    // Generic cell rate algorithm: the theoretical arrival time of the next conforming response.
    private final long[] theoreticalArrivalNanos;
    private final int[] limitedCount;
    private final Object[] stripes = new Object[STRIPES];

    ResponseRateLimiter(DnsConfig.RateLimit config, Clock clock) {
        if (!config.enabled()) {
            throw new IllegalArgumentException("rateLimit.responsesPerSecond: 0 (expected: > 0 for a limiter)");
        }
        this.clock = clock;
        this.intervalNanos = WINDOW_NANOS / config.responsesPerSecond();
        this.slip = config.slip();
        int size = Integer.highestOneBit(config.tableSize() - 1) << 1;
        this.mask = size - 1;
        this.keys = new long[size];
        this.theoreticalArrivalNanos = new long[size];
        this.limitedCount = new int[size];
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
    }

    /** Whether a response identified by {@code responseKey} may go to {@code client} now. */
    Verdict check(InetAddress client, long responseKey) {
        long key = mix(prefix(client) * 0x9E37_79B9_7F4A_7C15L ^ responseKey);
        if (key == 0) {
            key = 1; // 0 marks an empty slot
        }
        int slot = (int) key & mask;
        long now = clock.millis() * 1_000_000L;
        synchronized (stripes[slot & (STRIPES - 1)]) {
            if (keys[slot] != key) {
                keys[slot] = key;
                theoreticalArrivalNanos[slot] = now;
                limitedCount[slot] = 0;
            }
            long tat = Math.max(theoreticalArrivalNanos[slot], now);
            if (tat + intervalNanos - now <= WINDOW_NANOS) {
                theoreticalArrivalNanos[slot] = tat + intervalNanos;
                return Verdict.SEND;
            }
            if (slip == 0) {
                return Verdict.DROP;
            }
            int n = limitedCount[slot] + 1;
            limitedCount[slot] = n == slip ? 0 : n;
            return n == slip ? Verdict.SLIP : Verdict.DROP;
        }
    }

    /** The client's /24 or /56 as a number, tagged by family. */
    static long prefix(InetAddress client) {
        if (client instanceof Inet4Address) {
            // An IPv4 address's hash code is the address itself; getAddress() would copy it per query.
            return 4L << 56 | (client.hashCode() >>> 8) & 0xFF_FFFFL;
        }
        byte[] b = client.getAddress();
        long p = 6L;
        for (int i = 0; i < 7; i++) {
            p = p << 8 | (b[i] & 0xFFL);
        }
        return p;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51_AFD7_ED55_8CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CE_B9FE_1A85_EC53L;
        return z ^ (z >>> 33);
    }
}
