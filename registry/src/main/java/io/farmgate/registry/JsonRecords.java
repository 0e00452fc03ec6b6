package io.farmgate.registry;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/**
 * The rules every JSON record in the registry follows: an object of at most
 * {@value #MAX_RECORD_BYTES} bytes carrying {@code "v"}, the record version. Readers skip records
 * with a version above {@value #VERSION}, ignore fields they do not know, and check the type of
 * every field they use, so a wrong or newer writer can never crash them.
 */
final class JsonRecords {

    /** Version this code writes and the highest it reads. */
    static final int VERSION = 1;

    /** Largest record accepted, in UTF-8 bytes. */
    static final int MAX_RECORD_BYTES = 16 * 1024;

    static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(16)
                            .maxStringLength(MAX_RECORD_BYTES)
                            .maxNumberLength(32)
                            .build())
                    .build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private JsonRecords() {
    }

    /** Parses and version-checks a record; the problem is the exception message. */
    static ObjectNode read(String json) throws BadRecordException {
        if (json == null) {
            throw new BadRecordException("no value");
        }
        if (tooLarge(json)) {
            throw new BadRecordException(utf8Bytes(json) + " bytes (expected: <= " + MAX_RECORD_BYTES + ")");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new BadRecordException("not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new BadRecordException("not a JSON object");
        }
        JsonNode v = node.get("v");
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new BadRecordException("field v: " + v + " (expected: the record version, an integer)");
        }
        if (v.intValue() > VERSION) {
            throw new BadRecordException("version " + v.intValue() + " is newer than this reader (" + VERSION + ")");
        }
        if (v.intValue() < 1) {
            throw new BadRecordException("field v: " + v.intValue() + " (expected: >= 1)");
        }
        return (ObjectNode) node;
    }

    /** Whether {@code json} is a well-formed record of a version newer than this reader, which it must not overwrite. */
    static boolean newerVersion(String json) {
        if (json == null || tooLarge(json)) {
            return false;
        }
        try {
            JsonNode v = MAPPER.readTree(json).get("v");
            return v != null && v.isIntegralNumber() && v.canConvertToInt() && v.intValue() > VERSION;
        } catch (JsonProcessingException | RuntimeException e) {
            return false;
        }
    }

    static String text(ObjectNode record, String field) throws BadRecordException {
        JsonNode n = record.get(field);
        if (n == null || !n.isTextual()) {
            throw wrong(field, n, "a string");
        }
        return n.textValue();
    }

    static String optionalText(ObjectNode record, String field, String absent) throws BadRecordException {
        JsonNode n = record.get(field);
        return n == null || n.isNull() ? absent : text(record, field);
    }

    static int integer(ObjectNode record, String field) throws BadRecordException {
        JsonNode n = record.get(field);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToInt()) {
            throw wrong(field, n, "a 32-bit integer");
        }
        return n.intValue();
    }

    static long longInteger(ObjectNode record, String field) throws BadRecordException {
        JsonNode n = record.get(field);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) {
            throw wrong(field, n, "a 64-bit integer");
        }
        return n.longValue();
    }

    static long optionalLong(ObjectNode record, String field, long absent) throws BadRecordException {
        JsonNode n = record.get(field);
        return n == null || n.isNull() ? absent : longInteger(record, field);
    }

    static double number(ObjectNode record, String field) throws BadRecordException {
        JsonNode n = record.get(field);
        if (n == null || !n.isNumber()) {
            throw wrong(field, n, "a number");
        }
        return n.doubleValue();
    }

    static double optionalNumber(ObjectNode record, String field, double absent) throws BadRecordException {
        JsonNode n = record.get(field);
        return n == null || n.isNull() ? absent : number(record, field);
    }

    static boolean bool(ObjectNode record, String field) throws BadRecordException {
        JsonNode n = record.get(field);
        if (n == null || !n.isBoolean()) {
            throw wrong(field, n, "true or false");
        }
        return n.booleanValue();
    }

    private static BadRecordException wrong(String field, JsonNode n, String expected) {
        String found = n == null ? "missing" : abbreviate(n.toString());
        return new BadRecordException("field " + field + ": " + found + " (expected: " + expected + ")");
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private static boolean tooLarge(String s) {
        return JsonRecordWriter.tooLarge(s);
    }

    private static int utf8Bytes(String s) {
        return JsonRecordWriter.utf8Bytes(s);
    }

    /** A record that is not valid for this reader. */
    static final class BadRecordException extends Exception {
        private static final long serialVersionUID = 1L;

        BadRecordException(String problem) {
            super(problem, null, false, false);
        }
    }
}
