package io.farmgate.gateway;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IP address or CIDR range ({@code 10.0.0.0/8}, {@code ::1}), parsed from literals only: a name
 * is refused rather than looked up, so configuration and {@code X-Forwarded-For} never cause DNS.
 */
record AddressRange(byte[] network, int prefixBits) {

    /** Parses a literal with optional {@code /bits}; {@code field} is named in the error. */
    static AddressRange parse(String field, String text) {
        String s = text == null ? "" : text.trim();
        int slash = s.indexOf('/');
        byte[] address = literal(slash < 0 ? s : s.substring(0, slash));
        if (address == null) {
            throw new IllegalArgumentException(field + ": '" + text
                    + "' (expected: an IP address or CIDR range such as 10.0.0.0/8)");
        }
        int bits = address.length * 8;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                bits = -1;
            }
            if (bits < 0 || bits > address.length * 8) {
                throw new IllegalArgumentException(field + ": '" + text + "' (expected: prefix length in [0, "
                        + address.length * 8 + "])");
            }
        }
        return new AddressRange(address, bits);
    }

    boolean contains(byte[] address) {
        if (address == null || address.length != network.length) {
            return false;
        }
        int full = prefixBits / 8;
        for (int i = 0; i < full; i++) {
            if (address[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixBits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest) & 0xff;
        return (address[full] & mask) == (network[full] & mask);
    }

    /**
     * The bytes of an IPv4 or IPv6 literal (IPv4-mapped IPv6 comes back as IPv4), or null when
     * {@code s} is not one. Never resolves names.
     */
    static byte[] literal(String s) {
        if (s == null || s.isEmpty() || s.length() > 45) {
            return null;
        }
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        if (s.indexOf(':') < 0) {
            return ipv4(s);
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c == ':' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!ok) {
                return null;
            }
        }
        try {
            // Only hex digits, colons and dots: InetAddress parses this as a literal, no lookup.
            return InetAddress.getByName(s).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static byte[] ipv4(String s) {
        byte[] out = new byte[4];
        int part = 0;
        int value = -1;
        for (int i = 0; i <= s.length(); i++) {
            char c = i < s.length() ? s.charAt(i) : '.';
            if (c == '.') {
                if (value < 0 || part > 3) {
                    return null;
                }
                out[part++] = (byte) value;
                value = -1;
            } else if (c >= '0' && c <= '9') {
                value = value < 0 ? c - '0' : value * 10 + (c - '0');
                if (value > 255) {
                    return null;
                }
            } else {
                return null;
            }
        }
        return part == 4 ? out : null;
    }
}
