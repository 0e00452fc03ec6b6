package io.farmgate.gateway;

import java.util.Objects;

/**
 * Where a listener binds: an interface address (or host name) and a TCP port, 0 for any free one.
 *
 * @param host IP literal or name to bind; {@code 0.0.0.0} for every IPv4 interface
 * @param port in [0, 65535]
 */
public record ListenAddress(String host, int port) {

    public ListenAddress {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host: '' (expected: an address or name)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: in [0, 65535])");
        }
    }

    /**
     * Parses {@code HOST:PORT}, {@code [IPv6]:PORT} or {@code :PORT} (every interface).
     *
     * @param field the option being parsed, named in the error message
     */
    public static ListenAddress parse(String field, String text) {
        if (text == null) {
            throw new IllegalArgumentException(field + ": missing (expected: HOST:PORT)");
        }
        String s = text.trim();
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException(field + ": '" + text + "' (expected: HOST:PORT)");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException(field + ": '" + text + "' (expected: [IPv6]:PORT for an IPv6 address)");
        }
        if (host.isEmpty()) {
            host = "0.0.0.0";
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + ": '" + text + "' (expected: HOST:PORT with PORT in [0, 65535])");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(field + ": '" + text + "' (expected: HOST:PORT with PORT in [0, 65535])");
        }
        return new ListenAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
