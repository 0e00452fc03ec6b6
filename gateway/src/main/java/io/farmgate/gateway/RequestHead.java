package io.farmgate.gateway;

/**
 * One parsed HTTP/1.x request head, reused for every request of one event loop: offsets into the
 * bytes it was parsed from, plus the few header facts the public listener acts on. Parsing is
 * strict where leniency could smuggle or split a header: a bare CR, obsolete line folding, control
 * bytes, a Host missing or repeated, two Content-Lengths, or a Content-Length beside a
 * Transfer-Encoding are all refused with 400.
 */
final class RequestHead {

    /** More bytes are needed. */
    static final int INCOMPLETE = 0;
    static final int BAD_REQUEST = -400;
    static final int URI_TOO_LONG = -414;
    static final int HEADERS_TOO_LARGE = -431;

    static final int GET = 1;
    static final int HEAD = 2;
    static final int OPTIONS = 3;
    static final int OTHER = 4;

    /** Empty lines a client may send before a request line (RFC 9112 2.2); more are garbage. */
    private static final int MAX_LEADING_EMPTY_LINES = 4;
    private static final boolean[] TOKEN = new boolean[256];

    static {
        for (char c : "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray()) {
            TOKEN[c] = true;
        }
    }

    byte[] bytes;
    int method;
    /** The path of the target (origin form, or the path part of an absolute form); may be empty. */
    int pathStart;
    int pathEnd;
    /** After the {@code ?}; {@code queryStart < 0} when the target has no query. */
    int queryStart;
    int queryEnd;
    boolean http10;
    boolean keepAlive;
    boolean websocket;
    /** A body follows (Content-Length above 0 or a Transfer-Encoding); it is not read. */
    boolean hasBody;
    int clientStart;
    int clientEnd;
    int forwardedStart;
    int forwardedEnd;
    int originStart;
    int originEnd;
    /** Why the head was refused, for the 400's body. */
    String problem;

    private int hosts;
    private boolean connectionClose;
    private boolean connectionKeepAlive;
    private boolean contentLength;
    private boolean transferEncoding;

    /**
     * Parses the head at the start of {@code b[0, length)}.
     *
     * @param atLimit the caller will not offer more bytes: a head not complete within them is too large
     * @return the head's length in bytes when complete, {@link #INCOMPLETE}, or a negative status
     */
    int parse(byte[] b, int length, boolean atLimit) {
        bytes = b;
        reset();
        int p = 0;
        for (int empty = 0; ; empty++) {
            if (p < length && b[p] == '\n') {
                p++;
            } else if (p + 1 < length && b[p] == '\r' && b[p + 1] == '\n') {
                p += 2;
            } else {
                break;
            }
            if (empty == MAX_LEADING_EMPTY_LINES) {
                return bad("empty lines instead of a request line");
            }
        }
        int lineEnd = indexOf(b, p, length, (byte) '\n');
        if (lineEnd < 0) {
            return atLimit ? URI_TOO_LONG : INCOMPLETE;
        }
        int status = requestLine(b, p, contentEnd(b, p, lineEnd));
        if (status != 0) {
            return status;
        }
        p = lineEnd + 1;
        while (true) {
            lineEnd = indexOf(b, p, length, (byte) '\n');
            if (lineEnd < 0) {
                return atLimit ? HEADERS_TOO_LARGE : INCOMPLETE;
            }
            int end = contentEnd(b, p, lineEnd);
            if (end < 0) {
                return bad("a carriage return outside a line end");
            }
            if (end == p) {
                return finish(lineEnd + 1);
            }
            status = header(b, p, end);
            if (status != 0) {
                return status;
            }
            p = lineEnd + 1;
        }
    }

    private void reset() {
        method = OTHER;
        pathStart = 0;
        pathEnd = 0;
        queryStart = -1;
        queryEnd = -1;
        http10 = false;
        keepAlive = false;
        websocket = false;
        hasBody = false;
        clientStart = -1;
        clientEnd = -1;
        forwardedStart = -1;
        forwardedEnd = -1;
        originStart = -1;
        originEnd = -1;
        problem = null;
        hosts = 0;
        connectionClose = false;
        connectionKeepAlive = false;
        contentLength = false;
        transferEncoding = false;
    }

    private int bad(String why) {
        problem = why;
        return BAD_REQUEST;
    }

    /** The end of a line's content before {@code lf} (dropping one CR), or -1 when a CR appears elsewhere. */
    private static int contentEnd(byte[] b, int from, int lf) {
        int end = lf > from && b[lf - 1] == '\r' ? lf - 1 : lf;
        for (int i = from; i < end; i++) {
            if (b[i] == '\r') {
                return -1;
            }
        }
        return end;
    }

    private int requestLine(byte[] b, int from, int end) {
        if (end < 0) {
            return bad("a carriage return in the request line");
        }
        int i = from;
        while (i < end && TOKEN[b[i] & 0xff]) {
            i++;
        }
        if (i == from || i >= end || b[i] != ' ') {
            return bad("request line: expected METHOD SP TARGET SP HTTP/1.x");
        }
        method = methodOf(b, from, i);
        int targetStart = ++i;
        while (i < end && (b[i] & 0xff) > 0x20 && b[i] != 0x7f) {
            i++;
        }
        if (i == targetStart || i >= end || b[i] != ' ') {
            return bad("request line: expected METHOD SP TARGET SP HTTP/1.x");
        }
        int targetEnd = i++;
        if (end - i != 8 || !startsWith(b, i, "HTTP/1.") || (b[i + 7] != '1' && b[i + 7] != '0')) {
            return bad("request line: expected HTTP/1.1 or HTTP/1.0");
        }
        http10 = b[i + 7] == '0';
        return target(b, targetStart, targetEnd);
    }

    private static int methodOf(byte[] b, int from, int to) {
        int n = to - from;
        if (n == 3 && b[from] == 'G' && b[from + 1] == 'E' && b[from + 2] == 'T') {
            return GET;
        }
        if (n == 4 && startsWith(b, from, "HEAD")) {
            return HEAD;
        }
        if (n == 7 && startsWith(b, from, "OPTIONS")) {
            return OPTIONS;
        }
        return OTHER;
    }

    private int target(byte[] b, int from, int to) {
        int pathFrom;
        if (b[from] == '/') {
            pathFrom = from;
        } else if (to - from == 1 && b[from] == '*') {
            if (method != OPTIONS) {
                return bad("request target *: only for OPTIONS");
            }
            pathFrom = from;
        } else {
            // Absolute form (RFC 9112 3.2.2): scheme "://" authority, then the path we keep.
            int i = from;
            while (i < to && isSchemeChar(b[i])) {
                i++;
            }
            if (i == from || !isAlpha(b[from]) || !startsWith(b, i, "://") || i + 3 > to) {
                return bad("request target: expected an absolute path or an absolute URL");
            }
            i += 3;
            while (i < to && b[i] != '/' && b[i] != '?') {
                i++;
            }
            pathFrom = i;
        }
        int q = indexOf(b, pathFrom, to, (byte) '?');
        pathStart = pathFrom;
        pathEnd = q < 0 ? to : q;
        if (q >= 0) {
            queryStart = q + 1;
            queryEnd = to;
        }
        return 0;
    }

    private int header(byte[] b, int from, int end) {
        if (b[from] == ' ' || b[from] == '\t') {
            return bad("header: obsolete line folding");
        }
        int i = from;
        while (i < end && TOKEN[b[i] & 0xff]) {
            i++;
        }
        if (i == from || i >= end || b[i] != ':') {
            return bad("header: expected NAME: VALUE");
        }
        int nameEnd = i++;
        while (i < end && (b[i] == ' ' || b[i] == '\t')) {
            i++;
        }
        int valueStart = i;
        int valueEnd = end;
        while (valueEnd > valueStart && (b[valueEnd - 1] == ' ' || b[valueEnd - 1] == '\t')) {
            valueEnd--;
        }
        for (int k = valueStart; k < valueEnd; k++) {
            int c = b[k] & 0xff;
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return bad("header: a control character in a value");
            }
        }
        int n = nameEnd - from;
        switch (n) {
            case 4 -> {
                if (nameIs(b, from, "host")) {
                    hosts++;
                }
            }
            case 6 -> {
                if (nameIs(b, from, "origin") && originStart < 0) {
                    originStart = valueStart;
                    originEnd = valueEnd;
                }
            }
            case 7 -> {
                if (nameIs(b, from, "upgrade")) {
                    websocket |= containsIgnoreCase(b, valueStart, valueEnd, "websocket");
                }
            }
            case 10 -> {
                if (nameIs(b, from, "connection")) {
                    connectionTokens(b, valueStart, valueEnd);
                }
            }
            case 14 -> {
                if (nameIs(b, from, "content-length")) {
                    return contentLength(b, valueStart, valueEnd);
                }
            }
            case 15 -> {
                if (nameIs(b, from, "x-forwarded-for") && forwardedStart < 0) {
                    forwardedStart = valueStart;
                    forwardedEnd = valueEnd;
                }
            }
            case 17 -> {
                if (nameIs(b, from, "transfer-encoding")) {
                    transferEncoding = true;
                    hasBody = true;
                } else if (nameIs(b, from, "x-farmgate-client") && clientStart < 0) {
                    clientStart = valueStart;
                    clientEnd = valueEnd;
                }
            }
            default -> {
                // not a header the listener acts on
            }
        }
        return 0;
    }

    private int contentLength(byte[] b, int from, int to) {
        if (contentLength) {
            return bad("header: Content-Length repeated");
        }
        contentLength = true;
        if (to == from || to - from > 18) {
            return bad("header: Content-Length is not a number");
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return bad("header: Content-Length is not a number");
            }
            value = value * 10 + (b[i] - '0');
        }
        hasBody |= value > 0;
        return 0;
    }

    private void connectionTokens(byte[] b, int from, int to) {
        int i = from;
        while (i < to) {
            int comma = indexOf(b, i, to, (byte) ',');
            int end = comma < 0 ? to : comma;
            int s = i;
            while (s < end && (b[s] == ' ' || b[s] == '\t')) {
                s++;
            }
            int e = end;
            while (e > s && (b[e - 1] == ' ' || b[e - 1] == '\t')) {
                e--;
            }
            if (e - s == 5 && nameIs(b, s, "close")) {
                connectionClose = true;
            } else if (e - s == 10 && nameIs(b, s, "keep-alive")) {
                connectionKeepAlive = true;
            }
            i = end + 1;
        }
    }

    private int finish(int headLength) {
        if (contentLength && transferEncoding) {
            return bad("header: both Content-Length and Transfer-Encoding");
        }
        if (hosts > 1 || (hosts == 0 && !http10)) {
            return bad("header: expected exactly one Host");
        }
        keepAlive = http10 ? connectionKeepAlive && !connectionClose : !connectionClose;
        return headLength;
    }

    boolean hasClientHeader() {
        return clientStart >= 0 && clientEnd > clientStart;
    }

    /** Whether the path is exactly {@code path} (one trailing slash allowed, as routers do). */
    boolean pathIs(String path) {
        int n = path.length();
        int len = pathEnd - pathStart;
        if (len != n && !(len == n + 1 && bytes[pathEnd - 1] == '/')) {
            return false;
        }
        return startsWith(bytes, pathStart, path);
    }

    boolean pathStartsWith(String prefix) {
        return pathEnd - pathStart >= prefix.length() && startsWith(bytes, pathStart, prefix);
    }

    static int indexOf(byte[] b, int from, int to, byte value) {
        for (int i = from; i < to; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] b, int at, String s) {
        if (at + s.length() > b.length) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (b[at + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Case-insensitive comparison with a lower-case ASCII name. */
    private static boolean nameIs(byte[] b, int at, String lower) {
        for (int i = 0; i < lower.length(); i++) {
            int c = b[at + i];
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean containsIgnoreCase(byte[] b, int from, int to, String lower) {
        for (int i = from; i + lower.length() <= to; i++) {
            if (nameIs(b, i, lower)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isAlpha(byte c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isSchemeChar(byte c) {
        return isAlpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
    }
}
