package io.farmgate.registry;

import java.nio.charset.StandardCharsets;

/**
 * Writes one registry record (a flat JSON object starting with {@code "v"}) without a JSON
 * library, byte for byte as Jackson writes the same fields: strings escaped the way Jackson
 * escapes them (quote, backslash and control characters; everything else as is), doubles with
 * {@link Double#toString(double)}. The agent writes a heartbeat every second; this keeps Jackson's
 * few hundred classes out of the sidecar. {@code JsonRecordWriterTest} compares it with Jackson.
 */
final class JsonRecordWriter {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final StringBuilder out = new StringBuilder(256);

    /** A record with its version set. */
    JsonRecordWriter() {
        out.append("{\"v\":").append(JsonRecords.VERSION);
    }

    JsonRecordWriter field(String name, String value) {
        name(name);
        string(value);
        return this;
    }

    JsonRecordWriter field(String name, long value) {
        name(name);
        out.append(value);
        return this;
    }

    /** A finite number: the registry's records hold no NaN or infinity. */
    JsonRecordWriter field(String name, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: a finite number)");
        }
        name(name);
        out.append(Double.toString(value));
        return this;
    }

    JsonRecordWriter field(String name, boolean value) {
        name(name);
        out.append(value);
        return this;
    }

    /**
     * The record's JSON.
     *
     * @throws IllegalArgumentException when it exceeds {@value JsonRecords#MAX_RECORD_BYTES} bytes
     */
    String finish() {
        String json = out.append('}').toString();
        if (tooLarge(json)) {
            throw new IllegalArgumentException("record: " + utf8Bytes(json) + " bytes (expected: <= "
                    + JsonRecords.MAX_RECORD_BYTES + ")");
        }
        return json;
    }

    private void name(String name) {
        out.append(',');
        string(name);
        out.append(':');
    }

    private void string(String s) {
        quote(out, s);
    }

    /** Appends {@code s} as a JSON string, escaped as Jackson escapes it. */
    static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\f' -> out.append("\\f");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** Whether {@code s} exceeds the record limit in UTF-8, without encoding strings too short to. */
    static boolean tooLarge(String s) {
        // A char never takes more than 3 UTF-8 bytes (a surrogate pair takes 4 for 2 chars).
        return s.length() > JsonRecords.MAX_RECORD_BYTES
                || s.length() * 3 > JsonRecords.MAX_RECORD_BYTES && utf8Bytes(s) > JsonRecords.MAX_RECORD_BYTES;
    }

    static int utf8Bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
