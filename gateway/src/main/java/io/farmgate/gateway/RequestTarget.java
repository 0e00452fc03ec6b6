package io.farmgate.gateway;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Copies a request's path and query into a redirect target without letting anything through that
 * could break a header: characters outside RFC 3986's set are percent-encoded, stray {@code %}
 * become {@code %25}, and existing escapes (even {@code %0d%0a}) stay escapes, so the backend sees
 * the path the client sent and the {@code Location} header holds only visible ASCII.
 */
final class RequestTarget {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    private static final boolean[] PATH_OK = new boolean[128];
    private static final boolean[] QUERY_OK = new boolean[128];

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

    /** Appends {@code rawPath} (as received, still encoded); an empty or relative path becomes {@code /}. */
    static void appendPath(StringBuilder out, String rawPath) {
        if (rawPath == null || rawPath.isEmpty() || rawPath.charAt(0) != '/') {
            out.append('/');
        }
        if (rawPath != null) {
            appendEncoded(out, rawPath, PATH_OK);
        }
    }

    /** Appends {@code ?rawQuery}, or nothing when the query is null or empty. */
    static void appendQuery(StringBuilder out, String rawQuery) {
        if (rawQuery != null && !rawQuery.isEmpty()) {
            out.append('?');
            appendEncoded(out, rawQuery, QUERY_OK);
        }
    }

    private static void appendEncoded(StringBuilder out, String s, boolean[] ok) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 128 && ok[c]) {
                out.append(c);
            } else if (c == '%' && i + 2 < n && isHex(s.charAt(i + 1)) && isHex(s.charAt(i + 2))) {
                out.append(c);
            } else if (c < 128) {
                escape(out, c);
            } else {
                int cp = s.codePointAt(i);
                if (Character.charCount(cp) == 2) {
                    i++;
                }
                String one = Character.isValidCodePoint(cp) ? new String(Character.toChars(cp)) : "\uFFFD";
                for (byte b : one.getBytes(StandardCharsets.UTF_8)) {
                    escape(out, b & 0xff);
                }
            }
        }
    }

    private static void escape(StringBuilder out, int b) {
        out.append('%').append(HEX[b >> 4]).append(HEX[b & 0xf]);
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
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
        int start = 0;
        int n = rawQuery.length();
        while (start <= n) {
            int amp = rawQuery.indexOf('&', start);
            int end = amp < 0 ? n : amp;
            int eq = rawQuery.indexOf('=', start);
            int nameEnd = eq < 0 || eq > end ? end : eq;
            if (decode(rawQuery.substring(start, nameEnd)).equals(name)) {
                return nameEnd == end ? "" : decode(rawQuery.substring(nameEnd + 1, end));
            }
            if (amp < 0) {
                break;
            }
            start = amp + 1;
        }
        return null;
    }

    /** The raw query without any parameter whose decoded name is {@code name}; null when nothing is left. */
    static String withoutParam(String rawQuery, String name) {
        if (rawQuery == null || rawQuery.isEmpty()
                || rawQuery.indexOf('%') < 0 && rawQuery.indexOf('+') < 0 && !rawQuery.contains(name)) {
            return rawQuery;
        }
        StringBuilder kept = new StringBuilder(rawQuery.length());
        for (String part : rawQuery.split("&", -1)) {
            int eq = part.indexOf('=');
            String partName = eq < 0 ? part : part.substring(0, eq);
            String decoded;
            try {
                decoded = decode(partName);
            } catch (IllegalArgumentException e) {
                decoded = partName;
            }
            if (!decoded.equals(name)) {
                if (kept.length() > 0) {
                    kept.append('&');
                }
                kept.append(part);
            }
        }
        return kept.length() == 0 ? null : kept.toString();
    }

    private static String decode(String s) {
        return s.indexOf('%') < 0 && s.indexOf('+') < 0 ? s : URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
