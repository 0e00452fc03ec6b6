package io.farmgate.gateway;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The bytes one event loop is about to write: responses are appended here (pipelined ones one
 * after the other) and copied into one pooled buffer per read. Reused, so answering a request
 * allocates nothing on the heap in the common case.
 */
final class Answer {

    static final byte[] CRLF = ascii("\r\n");
    private static final byte[] CONNECTION_CLOSE = ascii("Connection: close\r\n");
    private static final byte[] CONNECTION_KEEP_ALIVE = ascii("Connection: keep-alive\r\n");
    private static final byte[] CONTENT_LENGTH = ascii("Content-Length: ");
    private static final byte[] DATE = ascii("Date: ");
    private static final byte[] CONTENT_TYPE = ascii("Content-Type: ");

    static final byte[] OK = ascii("HTTP/1.1 200 OK\r\n");
    static final byte[] NO_CONTENT = ascii("HTTP/1.1 204 No Content\r\n");
    static final byte[] BAD_REQUEST = ascii("HTTP/1.1 400 Bad Request\r\n");
    static final byte[] NOT_FOUND = ascii("HTTP/1.1 404 Not Found\r\n");
    static final byte[] METHOD_NOT_ALLOWED = ascii("HTTP/1.1 405 Method Not Allowed\r\n");
    static final byte[] REQUEST_TIMEOUT = ascii("HTTP/1.1 408 Request Timeout\r\n");
    static final byte[] URI_TOO_LONG = ascii("HTTP/1.1 414 URI Too Long\r\n");
    static final byte[] HEADERS_TOO_LARGE = ascii("HTTP/1.1 431 Request Header Fields Too Large\r\n");
    static final byte[] UNAVAILABLE = ascii("HTTP/1.1 503 Service Unavailable\r\n");
    static final byte[] NO_STORE = ascii("Cache-Control: no-store\r\n");
    static final String TEXT = "text/plain; charset=utf-8";
    static final String JSON = "application/json";

    private byte[] bytes = new byte[8192];
    private int length;
    private long dateSecond = -1;
    private byte[] dateLine;

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    int length() {
        return length;
    }

    byte[] array() {
        return bytes;
    }

    void clear() {
        length = 0;
    }

    /** Drops what was appended after {@code mark} (a failed answer's partial bytes). */
    void truncate(int mark) {
        length = mark;
    }

    private void ensure(int extra) {
        if (length + extra > bytes.length) {
            bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + extra));
        }
    }

    Answer append(byte[] b) {
        return append(b, 0, b.length);
    }

    Answer append(byte[] b, int from, int n) {
        ensure(n);
        System.arraycopy(b, from, bytes, length, n);
        length += n;
        return this;
    }

    Answer append(char c) {
        ensure(1);
        bytes[length++] = (byte) c;
        return this;
    }

    /** Appends ASCII text (anything else becomes {@code ?}). */
    Answer append(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            bytes[length++] = (byte) (c < 0x80 ? c : '?');
        }
        return this;
    }

    Answer decimal(long value) {
        if (value < 0) {
            append('-');
            value = -value;
        }
        ensure(20);
        int start = length;
        do {
            bytes[length++] = (byte) ('0' + value % 10);
            value /= 10;
        } while (value != 0);
        for (int i = start, j = length - 1; i < j; i++, j--) {
            byte t = bytes[i];
            bytes[i] = bytes[j];
            bytes[j] = t;
        }
        return this;
    }

    /** Reserves {@code n} bytes to be written directly; returns where they start. */
    int reserve(int n) {
        ensure(n);
        int at = length;
        length += n;
        return at;
    }

    /**
     * Ends a response head: {@code Date}, the connection's fate when it differs from the version's
     * default, and the blank line.
     */
    Answer endHead(boolean http10, boolean close, long nowMillis) {
        append(dateLine(nowMillis));
        if (close) {
            if (!http10) {
                append(CONNECTION_CLOSE);
            }
        } else if (http10) {
            append(CONNECTION_KEEP_ALIVE);
        }
        return append(CRLF);
    }

    /**
     * Ends a response whose status line and other headers are appended: its type, length, the
     * head's end and the body (left out for HEAD, its length still announced).
     */
    Answer body(RequestHead head, String contentType, byte[] body, boolean close, long nowMillis) {
        append(CONTENT_TYPE).append(contentType).append(CRLF).contentLength(body.length);
        endHead(head.http10, close, nowMillis);
        return head.method == RequestHead.HEAD ? this : append(body);
    }

    Answer contentLength(int n) {
        return append(CONTENT_LENGTH).decimal(n).append(CRLF);
    }

    /** The {@code Date} header line, formatted once a second. */
    private byte[] dateLine(long nowMillis) {
        long second = nowMillis / 1000;
        if (second != dateSecond) {
            String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochSecond(second).atOffset(ZoneOffset.UTC));
            byte[] line = new byte[DATE.length + date.length() + 2];
            System.arraycopy(DATE, 0, line, 0, DATE.length);
            byte[] d = ascii(date);
            System.arraycopy(d, 0, line, DATE.length, d.length);
            line[line.length - 2] = '\r';
            line[line.length - 1] = '\n';
            dateLine = line;
            dateSecond = second;
        }
        return dateLine;
    }
}
