package io.farmgate.registry;

import java.math.BigInteger;
import java.util.Map;

/**
 * The rules every JSON record in the registry follows: an object of at most
 * {@value #MAX_RECORD_BYTES} bytes carrying {@code "v"}, the record version. Readers skip records
 * with a version above {@value #VERSION}, ignore fields they do not know, and check the type of
 * every field they use, so a wrong or newer writer can never crash them. Records are written by
 * {@link JsonRecordWriter} and parsed by {@link JsonRecordReader}: no JSON library, so an agent
 * that heartbeats every second loads none.
 */
final class JsonRecords {

    /** Version this code writes and the highest it reads. */
    static final int VERSION = 1;

    /** Largest record accepted, in UTF-8 bytes. */
    static final int MAX_RECORD_BYTES = 16 * 1024;

    private JsonRecords() {
    }

    /** Parses and version-checks a record; the problem is the exception message. */
    static Map<String, Object> read(String json) throws BadRecordException {
        if (json == null) {
            throw new BadRecordException("no value");
        }
        if (JsonRecordWriter.tooLarge(json)) {
            throw new BadRecordException(JsonRecordWriter.utf8Bytes(json) + " bytes (expected: <= " + MAX_RECORD_BYTES + ")");
        }
        if (!(JsonRecordReader.parse(json) instanceof Map<?, ?> node)) {
            throw new BadRecordException("not a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> record = (Map<String, Object>) node;
        Object v = record.get("v");
        if (!(v instanceof Long version) || version != version.intValue()) {
            throw new BadRecordException("field v: " + render(v) + " (expected: the record version, an integer)");
        }
        if (version > VERSION) {
            throw new BadRecordException("version " + version + " is newer than this reader (" + VERSION + ")");
        }
        if (version < 1) {
            throw new BadRecordException("field v: " + version + " (expected: >= 1)");
        }
        return record;
    }

    /** Whether {@code json} is a well-formed record of a version newer than this reader, which it must not overwrite. */
    static boolean newerVersion(String json) {
        if (json == null || JsonRecordWriter.tooLarge(json)) {
            return false;
        }
        try {
            return JsonRecordReader.parse(json) instanceof Map<?, ?> record && record.get("v") instanceof Long v
                    && v == v.intValue() && v > VERSION;
        } catch (BadRecordException | RuntimeException e) {
            return false;
        }
    }

    static String text(Map<String, Object> record, String field) throws BadRecordException {
        if (!(record.get(field) instanceof String s)) {
            throw wrong(field, record.get(field), "a string");
        }
        return s;
    }

    static String optionalText(Map<String, Object> record, String field, String absent) throws BadRecordException {
        Object n = record.get(field);
        return n == null || n == JsonRecordReader.NULL ? absent : text(record, field);
    }

    static int integer(Map<String, Object> record, String field) throws BadRecordException {
        if (!(record.get(field) instanceof Long n) || n != n.intValue()) {
            throw wrong(field, record.get(field), "a 32-bit integer");
        }
        return n.intValue();
    }

    static long longInteger(Map<String, Object> record, String field) throws BadRecordException {
        if (!(record.get(field) instanceof Long n)) {
            throw wrong(field, record.get(field), "a 64-bit integer");
        }
        return n;
    }

    static long optionalLong(Map<String, Object> record, String field, long absent) throws BadRecordException {
        Object n = record.get(field);
        return n == null || n == JsonRecordReader.NULL ? absent : longInteger(record, field);
    }

    static double number(Map<String, Object> record, String field) throws BadRecordException {
        Object n = record.get(field);
        if (n instanceof Long l) {
            return l;
        }
        if (n instanceof Double d) {
            return d;
        }
        if (n instanceof BigInteger b) {
            return b.doubleValue();
        }
        throw wrong(field, n, "a number");
    }

    static double optionalNumber(Map<String, Object> record, String field, double absent) throws BadRecordException {
        Object n = record.get(field);
        return n == null || n == JsonRecordReader.NULL ? absent : number(record, field);
    }

    static boolean bool(Map<String, Object> record, String field) throws BadRecordException {
        if (!(record.get(field) instanceof Boolean b)) {
            throw wrong(field, record.get(field), "true or false");
        }
        return b;
    }

    private static BadRecordException wrong(String field, Object n, String expected) {
        String found = n == null ? "missing" : abbreviate(render(n));
        return new BadRecordException("field " + field + ": " + found + " (expected: " + expected + ")");
    }

    private static String render(Object value) {
        return value == null ? "null" : JsonRecordReader.toJson(value);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    /** A record that is not valid for this reader. */
    static final class BadRecordException extends Exception {
        private static final long serialVersionUID = 1L;

        BadRecordException(String problem) {
            super(problem, null, false, false);
        }
    }
}
