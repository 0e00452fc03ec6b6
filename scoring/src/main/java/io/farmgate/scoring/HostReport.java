package io.farmgate.scoring;

import java.util.Objects;

/**
 * One heartbeat of one host: who it is, where clients should go, and how loaded it is.
 *
 * <p>{@code reportedAtMillis} is the sender's wall clock and is informational only: freshness is
 * judged on the receiver's clock (see {@link FarmSnapshot}), so a skewed agent clock cannot make a
 * dead host look alive. {@code sequence} grows with every heartbeat of one agent run; a receiver
 * notices a new heartbeat by a new sequence number.
 *
 * @param hostId      stable identifier, also a DNS label: {@code [a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?}
 * @param url         base URL clients are sent to, e.g. {@code ws://10.0.0.5:9001}
 * @param address     IPv4 or IPv6 literal for DNS answers
 * @param zone        free-form placement label (rack, availability zone); may be empty
 * @param connections open client connections
 * @param capacity    most connections the host accepts; {@code > 0}
 * @param cpu         moving average of CPU use in [0, 1]
 * @param state       what the host says of itself
 * @param weight      relative share of new clients this host wants; {@code > 0}, 1 is normal
 */
public record HostReport(
        String hostId,
        String url,
        String address,
        String zone,
        int connections,
        int capacity,
        double cpu,
        HostState state,
        double weight,
        long reportedAtMillis,
        long sequence) {

    /** Longest host id: one DNS label. */
    public static final int MAX_HOST_ID_LENGTH = 63;

    public HostReport {
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(state, "state");
        zone = zone == null ? "" : zone;
        if (!isValidHostId(hostId)) {
            throw new IllegalArgumentException("hostId: '" + hostId
                    + "' (expected: 1-63 of a-z, 0-9 and '-', not starting or ending with '-')");
        }
        if (connections < 0) {
            throw new IllegalArgumentException("connections: " + connections + " (expected: >= 0)");
        }
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
        }
        if (!(cpu >= 0.0 && cpu <= 1.0)) {
            throw new IllegalArgumentException("cpu: " + cpu + " (expected: in [0, 1])");
        }
        if (!(weight > 0.0 && weight <= 1000.0)) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: in (0, 1000])");
        }
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence: " + sequence + " (expected: >= 0)");
        }
    }

    /** Whether {@code id} can name a host: one lower-case DNS label. */
    public static boolean isValidHostId(String id) {
        int n = id.length();
        if (n == 0 || n > MAX_HOST_ID_LENGTH || id.charAt(0) == '-' || id.charAt(n - 1) == '-') {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The same report with another connection count and sequence: what the next heartbeat says. */
    public HostReport next(int newConnections, double newCpu, long atMillis) {
        return new HostReport(hostId, url, address, zone, newConnections, capacity, newCpu, state, weight,
                atMillis, sequence + 1);
    }

    /** The same report in another state. */
    public HostReport withState(HostState newState) {
        return new HostReport(hostId, url, address, zone, connections, capacity, cpu, newState, weight,
                reportedAtMillis, sequence);
    }
}
