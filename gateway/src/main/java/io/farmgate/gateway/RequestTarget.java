package io.farmgate.gateway;

import java.nio.charset.StandardCharsets;

/**
 * Copies a request's path and query into a redirect target without letting anything through that
 * could break a header: bytes outside RFC 3986's set are percent-encoded (bytes above 0x7f one by
 * one, as the UTF-8 they are), stray {@code %} become {@code %25}, and existing escapes (even
 * {@code %0d%0a}) stay escapes, so the backend sees the path the client sent and the
 * {@code Location} header holds only visible ASCII. Works on the request's bytes, so the hot path
 * builds no strings.
 */
final class RequestTarget {

    private static final byte[] HEX = Answer.ascii("0123456789ABCDEF");
    private static final boolean[] PATH_OK = new boolean[256];
    private static final boolean[] QUERY_OK = new boolean[256];

    static {
        String unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
        String subDelims = "!$&'()*+,;=";
        for (char c : (unreserved + subDelims + ":@/").toCharArray()) {
            PATH_OK[c] = true;
            QUERY_OK[c] = true;
        }
        QUERY_OK['?'] = true;
    }

    private RequestTarget() {
    }

    /** Appends the raw path {@code b[from, to)}; an empty or relative path becomes {@code /...}. */
    static void appendPath(Answer out, byte[] b, int from, int to) {
        if (to <= from || b[from] != '/') {
            out.append('/');
        }
        appendEncoded(out, b, from, to, PATH_OK);
    }

    /** Appends the raw query {@code b[from, to)} (without its {@code ?}), escaped. */
    static void appendQueryPart(Answer out, byte[] b, int from, int to) {
        appendEncoded(out, b, from, to, QUERY_OK);
    }

    private static void appendEncoded(Answer out, byte[] b, int from, int to, boolean[] ok) {
        for (int i = from; i < to; i++) {
            int c = b[i] & 0xff;
            if (ok[c]) {
                out.append((char) c);
            } else if (c == '%' && i + 2 < to && isHex(b[i + 1]) && isHex(b[i + 2])) {
                out.append('%');
            } else {
                out.append('%').append((char) HEX[c >> 4]).append((char) HEX[c & 0xf]);
            }
        }
    }

    /**
     * Where the value of the first parameter whose decoded name is {@code name} starts in the raw
     * query {@code b[from, to)}, or -1; it ends at {@link #valueEnd}. A name without {@code =} has
     * an empty value.
     */
    static int param(byte[] b, int from, int to, String name) {
        int start = from;
        while (start <= to) {
            int amp = RequestHead.indexOf(b, start, to, (byte) '&');
            int end = amp < 0 ? to : amp;
            int eq = RequestHead.indexOf(b, start, end, (byte) '=');
            int nameEnd = eq < 0 ? end : eq;
            if (nameEquals(b, start, nameEnd, name)) {
                return nameEnd == end ? end : nameEnd + 1;
            }
            if (amp < 0) {
                break;
            }
            start = amp + 1;
        }
        return -1;
    }

    /** The end of a parameter value starting at {@code valueStart}. */
    static int valueEnd(byte[] b, int valueStart, int to) {
        int amp = RequestHead.indexOf(b, valueStart, to, (byte) '&');
        return amp < 0 ? to : amp;
    }

    /**
     * Percent-decodes {@code b[from, to)} ({@code +} is a space) into {@code dst}.
     *
     * @return the decoded length, or -1 when an escape is broken
     */
    static int decode(byte[] b, int from, int to, byte[] dst) {
        int n = 0;
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (c == '%') {
                if (i + 2 >= to || !isHex(b[i + 1]) || !isHex(b[i + 2])) {
                    return -1;
                }
                dst[n++] = (byte) (hex(b[i + 1]) << 4 | hex(b[i + 2]));
                i += 2;
            } else {
                dst[n++] = c == '+' ? (byte) ' ' : c;
            }
        }
        return n;
    }

    /**
     * Appends the raw query {@code b[from, to)} without any parameter whose decoded name is
     * {@code name}, escaped.
     *
     * @return whether any parameter was kept
     */
    static boolean appendWithout(Answer out, byte[] b, int from, int to, String name) {
        boolean kept = false;
        int start = from;
        while (start <= to) {
            int amp = RequestHead.indexOf(b, start, to, (byte) '&');
            int end = amp < 0 ? to : amp;
            int eq = RequestHead.indexOf(b, start, end, (byte) '=');
            if (!nameEquals(b, start, eq < 0 ? end : eq, name)) {
                if (kept) {
                    out.append('&');
                }
                appendEncoded(out, b, start, end, QUERY_OK);
                kept = true;
            }
            if (amp < 0) {
                break;
            }
            start = amp + 1;
        }
        return kept;
    }

    /** Whether {@code b[from, to)}, percent-decoded, is {@code name}; a broken escape never matches. */
    private static boolean nameEquals(byte[] b, int from, int to, String name) {
        int k = 0;
        int n = name.length();
        for (int i = from; i < to; i++, k++) {
            int c = b[i];
            if (c == '%') {
                if (i + 2 >= to || !isHex(b[i + 1]) || !isHex(b[i + 2])) {
                    return false;
                }
                c = hex(b[i + 1]) << 4 | hex(b[i + 2]);
                i += 2;
            } else if (c == '+') {
                c = ' ';
            }
            if (k >= n || c != name.charAt(k)) {
                return false;
            }
        }
        return k == n;
    }

    private static boolean isHex(byte c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int hex(byte c) {
        return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    }

    // String forms of the same rules, for callers outside the hot path.

    /** Appends {@code rawPath} (as received, still encoded); an empty or relative path becomes {@code /}. */
    static void appendPath(StringBuilder out, String rawPath) {
        byte[] b = rawPath == null ? new byte[0] : rawPath.getBytes(StandardCharsets.UTF_8);
        Answer a = new Answer();
        appendPath(a, b, 0, b.length);
        out.append(new String(a.array(), 0, a.length(), StandardCharsets.ISO_8859_1));
    }

    /** Appends {@code ?rawQuery}, or nothing when the query is null or empty. */
    static void appendQuery(StringBuilder out, String rawQuery) {
        if (rawQuery != null && !rawQuery.isEmpty()) {
            byte[] b = rawQuery.getBytes(StandardCharsets.UTF_8);
            Answer a = new Answer();
            appendQueryPart(a, b, 0, b.length);
            out.append('?').append(new String(a.array(), 0, a.length(), StandardCharsets.ISO_8859_1));
        }
    }

    /**
     * The decoded value of the first parameter {@code name} in a raw query, or null.
     *
     * @throws IllegalArgumentException when the value's percent-encoding is broken
     */
    static String queryParam(String rawQuery, String name) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        byte[] b = rawQuery.getBytes(StandardCharsets.UTF_8);
        int start = param(b, 0, b.length, name);
        if (start < 0) {
            return null;
        }
        byte[] dst = new byte[b.length];
        int n = decode(b, start, valueEnd(b, start, b.length), dst);
        if (n < 0) {
            throw new IllegalArgumentException(name + ": badly percent-encoded");
        }
        return new String(dst, 0, n, StandardCharsets.UTF_8);
    }

    /** The raw query without any parameter whose decoded name is {@code name}; null when nothing is left. */
    static String withoutParam(String rawQuery, String name) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return rawQuery;
        }
        byte[] b = rawQuery.getBytes(StandardCharsets.UTF_8);
        Answer a = new Answer();
        appendWithout(a, b, 0, b.length, name);
        return a.length() == 0 ? null : new String(a.array(), 0, a.length(), StandardCharsets.ISO_8859_1);
    }
}
