package io.farmgate.gateway;

import java.util.List;

/**
 * Finds the address of the client behind a request: the peer itself, or, when the peer is a
 * trusted proxy, the right-most {@code X-Forwarded-For} entry that is not one. Entries a client
 * could have forged (left of the first untrusted hop) are never believed.
 */
final class ClientAddress {

    /** Most {@code X-Forwarded-For} entries examined; a longer chain is cut, not parsed. */
    private static final int MAX_HOPS = 16;

    private final List<AddressRange> trusted;

    ClientAddress(List<String> trustedProxies) {
        this.trusted = trustedProxies.stream().map(r -> AddressRange.parse("trustedProxies", r)).toList();
    }

    /**
     * @param peer          the address of the TCP peer
     * @param forwardedFor  the {@code X-Forwarded-For} header, or null
     */
    String of(String peer, String forwardedFor) {
        if (forwardedFor == null || trusted.isEmpty() || !isTrusted(peer)) {
            return peer;
        }
        String client = peer;
        int end = forwardedFor.length();
        for (int hop = 0; hop < MAX_HOPS && end > 0; hop++) {
            int comma = forwardedFor.lastIndexOf(',', end - 1);
            String entry = forwardedFor.substring(comma + 1, end).trim();
            end = Math.max(comma, 0);
            if (AddressRange.literal(entry) == null) {
                // Garbage in the chain: stop at the last hop we could read.
                return client;
            }
            client = entry;
            if (!isTrusted(entry)) {
                return entry;
            }
        }
        return client;
    }

    private boolean isTrusted(String address) {
        byte[] bytes = AddressRange.literal(address);
        if (bytes == null) {
            return false;
        }
        for (AddressRange r : trusted) {
            if (r.contains(bytes)) {
                return true;
            }
        }
        return false;
    }
}
