package io.farmgate.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The hand-written record parser accepts exactly what the registry's Jackson setup accepted
 * (strict JSON, no duplicate names, nothing trailing, depth and number limits) and reads the same
 * values: checked on tricky inputs and on thousands of mutations of real records.
 */
@Timeout(60)
class JsonRecordReaderTest {

    private static final String GOOD = "{\"v\":1,\"hostId\":\"web-1\",\"url\":\"ws://10.0.0.5:9001\","
            + "\"address\":\"10.0.0.5\",\"zone\":\"z\\u00e9\\n\",\"connections\":120,\"capacity\":1000,\"cpu\":0.35,"
            + "\"state\":\"active\",\"weight\":1.0,\"reportedAtMillis\":1735689600000,\"sequence\":42,"
            + "\"extra\":[true,false,null,{\"a\":[]},-0,1e2,2.5E-3,12345678901234567890]}";

    /** Jackson's value as JSON text, or null when Jackson refuses the input (or finds only whitespace). */
    private static String jackson(String json) {
        try {
            JsonNode node = JacksonRecords.MAPPER.readTree(json);
            return node == null || node.isMissingNode() ? null : node.toString();
        } catch (Exception e) {
            return null;
        }
    }

    private static String ours(String json) {
        try {
            Object value = JsonRecordReader.parse(json);
            return value == null ? null : JsonRecordReader.toJson(value);
        } catch (JsonRecords.BadRecordException e) {
            assertThat(e.getMessage()).startsWith("not JSON: ");
            return null;
        }
    }

    private static void sameAsJackson(String json) {
        assertThat(ours(json)).as("input %s", json).isEqualTo(jackson(json));
    }

    @Test
    void trickyInputsAreReadOrRefusedAsJacksonDoes() {
        List<String> inputs = new ArrayList<>(List.of(GOOD, "{}", " { } ", "[]", "\"s\"", "1", "-1", "0", "-0", "01", "-01",
                "1.", ".5", "1.5e", "1e+5", "1E-5", "+1", "-", "NaN", "Infinity", "-Infinity", "nul", "nulll", "true ",
                "tru", "{\"a\":1,}", "[1,]", "{\"a\" 1}", "{a:1}", "{'a':1}", "{\"a\":1}{}", "{\"a\":1} x", "{\"a\":1,\"a\":2}",
                "{\"a\":{\"b\":1,\"b\":2}}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u00\"}", "{\"a\":\"\\uD83D\\uDE00\"}",
                "{\"a\":\"tab\there\"}", "{\"a\":\"\\/\"}", "/* c */ {}", "{} // c", "{\"a\":1}\n", "\t\r\n{}",
                "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
                "1".repeat(32), "1".repeat(33), "-" + "1".repeat(32), "-" + "1".repeat(33), "0." + "1".repeat(31),
                "0." + "1".repeat(33), "1".repeat(20) + "." + "1".repeat(20), "1.5e" + "1".repeat(30), "1e400", "-1e400",
                "", "   ",
                "{\"a\":[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]}", "{\"a\":[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]}", "\u00a0{}",
                "{\"\":1}", "[\"\\u0000\"]", "{\"a\":true,\"b\":false,\"c\":null}"));
        for (String input : inputs) {
            sameAsJackson(input);
        }
    }

    @Test
    void mutationsOfARecordAreReadOrRefusedAsJacksonDoes() {
        SplittableRandom random = new SplittableRandom(42);
        String alphabet = "{}[]:,\"\\ 0123456789.eE+-truefalsnul\u00e9\n\t\u0001";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder(GOOD);
            int edits = 1 + random.nextInt(3);
            for (int e = 0; e < edits; e++) {
                int at = random.nextInt(b.length() + 1);
                switch (random.nextInt(3)) {
                    case 0 -> b.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    case 1 -> {
                        if (at < b.length()) {
                            b.deleteCharAt(at);
                        }
                    }
                    default -> {
                        if (at < b.length()) {
                            b.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                        }
                    }
                }
            }
            sameAsJackson(b.toString());
        }
    }

    @Test
    void typeProblemsNameTheFieldAndShowTheValueAsJson() {
        assertThat(HeartbeatCodec.decode("web-1", GOOD.replace("\"connections\":120", "\"connections\":1.5")).problem())
                .isEqualTo("field connections: 1.5 (expected: a 32-bit integer)");
        assertThat(HeartbeatCodec.decode("web-1", GOOD.replace("\"sequence\":42", "\"sequence\":{\"a\":\"\\n\"}"))
                .problem()).isEqualTo("field sequence: {\"a\":\"\\n\"} (expected: a 64-bit integer)");
        assertThat(HeartbeatCodec.decode("web-1", GOOD.replace("\"capacity\":1000", "\"capacity\":3000000000")).problem())
                .isEqualTo("field capacity: 3000000000 (expected: a 32-bit integer)");
        assertThat(OperatorStateCodec.decode("{\"v\":1,\"draining\":\"yes\",\"weight\":1,\"targetConnections\":-1}")
                .problem()).isEqualTo("field draining: \"yes\" (expected: true or false)");
        assertThat(OperatorStateCodec.decode("{\"v\":1,\"draining\":false,\"weight\":2,\"targetConnections\":-1}")
                .value().weight()).isEqualTo(2.0);
    }
}
