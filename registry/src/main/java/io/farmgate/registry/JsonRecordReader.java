package io.farmgate.registry;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses a registry record's JSON without a JSON library, as strictly as the Jackson setup it
 * replaces: RFC 8259 only (no comments, single quotes, NaN or leading zeros), no duplicate names,
 * nothing after the value, at most {@value #MAX_DEPTH} levels deep and numbers of at most
 * {@value #MAX_NUMBER_LENGTH} digits. Values come back as {@code Map<String, Object>}
 * (objects, in order), {@code List<Object>}, String, Boolean, {@link #NULL}, Long or BigInteger
 * (numbers without fraction or exponent) and Double. {@code JsonRecordReaderTest} compares it with Jackson.
 */
final class JsonRecordReader {

    /** JSON {@code null}. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    static final int MAX_DEPTH = 16;
    static final int MAX_NUMBER_LENGTH = 32;

    private final String s;
    private int pos;
    private int depth;

    private JsonRecordReader(String s) {
        this.s = s;
    }

    /**
     * The value in {@code json}; null when it holds only whitespace.
     *
     * @throws JsonRecords.BadRecordException "not JSON: ..." with where and why
     */
    static Object parse(String json) throws JsonRecords.BadRecordException {
        JsonRecordReader r = new JsonRecordReader(json);
        r.skipWhitespace();
        if (r.pos == json.length()) {
            return null;
        }
        Object value = r.value();
        r.skipWhitespace();
        if (r.pos != json.length()) {
            throw r.bad("unexpected '" + json.charAt(r.pos) + "' after the value");
        }
        return value;
    }

    private Object value() throws JsonRecords.BadRecordException {
        if (pos >= s.length()) {
            throw bad("unexpected end of input");
        }
        char c = s.charAt(pos);
        switch (c) {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", NULL);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw bad("unexpected '" + c + "'");
        }
    }

    private Map<String, Object> object() throws JsonRecords.BadRecordException {
        enter();
        pos++;
        Map<String, Object> members = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            depth--;
            return Collections.unmodifiableMap(members);
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw bad("expected a field name in double quotes");
            }
            String name = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            if (members.put(name, value()) != null) {
                throw bad("duplicate field '" + name + "'");
            }
            skipWhitespace();
            char c = peek();
            pos++;
            if (c == '}') {
                depth--;
                return Collections.unmodifiableMap(members);
            }
            if (c != ',') {
                pos--;
                throw bad("expected ',' or '}'");
            }
        }
    }

    private List<Object> array() throws JsonRecords.BadRecordException {
        enter();
        pos++;
        List<Object> items = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            depth--;
            return Collections.unmodifiableList(items);
        }
        while (true) {
            skipWhitespace();
            items.add(value());
            skipWhitespace();
            char c = peek();
            pos++;
            if (c == ']') {
                depth--;
                return Collections.unmodifiableList(items);
            }
            if (c != ',') {
                pos--;
                throw bad("expected ',' or ']'");
            }
        }
    }

    private void enter() throws JsonRecords.BadRecordException {
        if (++depth > MAX_DEPTH) {
            throw bad("nested deeper than " + MAX_DEPTH);
        }
    }

    private String string() throws JsonRecords.BadRecordException {
        pos++; // the opening quote
        StringBuilder b = null;
        int start = pos;
        while (true) {
            if (pos >= s.length()) {
                throw bad("unterminated string");
            }
            char c = s.charAt(pos);
            if (c == '"') {
                String plain = s.substring(start, pos);
                pos++;
                return b == null ? plain : b.append(plain).toString();
            }
            if (c < 0x20) {
                throw bad("control character " + (int) c + " in a string (expected: escaped)");
            }
            if (c != '\\') {
                pos++;
                continue;
            }
            if (b == null) {
                b = new StringBuilder();
            }
            b.append(s, start, pos);
            if (pos + 1 >= s.length()) {
                throw bad("unterminated string");
            }
            char e = s.charAt(pos + 1);
            pos += 2;
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (pos + 4 > s.length()) {
                        throw bad("short \\u escape");
                    }
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        int digit = Character.digit(s.charAt(pos + i), 16);
                        if (digit < 0) {
                            throw bad("bad \\u escape");
                        }
                        code = code * 16 + digit;
                    }
                    pos += 4;
                    b.append((char) code);
                }
                default -> {
                    pos -= 2;
                    throw bad("bad escape '\\" + e + "'");
                }
            }
            start = pos;
        }
    }

    private Object literal(String word, Object value) throws JsonRecords.BadRecordException {
        if (!s.startsWith(word, pos)) {
            throw bad("unexpected '" + s.charAt(pos) + "'");
        }
        pos += word.length();
        return value;
    }

    private Object number() throws JsonRecords.BadRecordException {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        int intStart = pos;
        digits();
        if (pos - intStart > 1 && s.charAt(intStart) == '0') {
            throw bad("leading zero in a number");
        }
        boolean integral = true;
        if (peek() == '.') {
            pos++;
            integral = false;
            digits();
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            integral = false;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            digits();
        }
        String text = s.substring(start, pos);
        if (significantLength(text) > MAX_NUMBER_LENGTH) {
            throw bad("number of more than " + MAX_NUMBER_LENGTH + " digits");
        }
        if (!integral) {
            return Double.parseDouble(text);
        }
        if (text.length() <= 18) {
            return Long.parseLong(text);
        }
        BigInteger big = new BigInteger(text);
        return big.bitLength() < 64 ? (Object) big.longValue() : big;
    }

    /** Digits of the number, as Jackson's limit counts them: no signs, no lone leading zero. */
    private static int significantLength(String number) {
        int n = 0;
        for (int i = 0; i < number.length(); i++) {
            char c = number.charAt(i);
            if (c >= '0' && c <= '9') {
                n++;
            }
        }
        int firstDigit = number.charAt(0) == '-' ? 1 : 0;
        boolean loneZero = number.charAt(firstDigit) == '0'
                && (number.length() == firstDigit + 1 || number.charAt(firstDigit + 1) == '.');
        return loneZero && number.length() > firstDigit + 1 ? n - 1 : n;
    }

    private void digits() throws JsonRecords.BadRecordException {
        int start = pos;
        while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
            pos++;
        }
        if (pos == start) {
            throw bad("expected a digit");
        }
    }

    private char peek() {
        return pos < s.length() ? s.charAt(pos) : '\0';
    }

    private void expect(char c) throws JsonRecords.BadRecordException {
        if (peek() != c) {
            throw bad("expected '" + c + "'");
        }
        pos++;
    }

    private void skipWhitespace() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private JsonRecords.BadRecordException bad(String why) {
        return new JsonRecords.BadRecordException("not JSON: " + why + " at character " + pos);
    }

    /** {@code value} written as JSON, compact, as Jackson's {@code JsonNode.toString()} writes it (for messages). */
    static String toJson(Object value) {
        StringBuilder b = new StringBuilder();
        write(b, value);
        return b.toString();
    }

    private static void write(StringBuilder b, Object value) {
        if (value instanceof String text) {
            JsonRecordWriter.quote(b, text);
        } else if (value instanceof Map<?, ?> map) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                JsonRecordWriter.quote(b, (String) e.getKey());
                b.append(':');
                write(b, e.getValue());
            }
            b.append('}');
        } else if (value instanceof List<?> list) {
            b.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                write(b, list.get(i));
            }
            b.append(']');
        } else if (value instanceof Double d && !Double.isFinite(d)) {
            b.append('"').append(d).append('"'); // 1e400: Jackson shows "Infinity"
        } else {
            b.append(value); // Boolean, NULL, Long, BigInteger, Double
        }
    }
}
