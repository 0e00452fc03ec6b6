package io.farmgate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.scoring.OperatorState;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The hand-written record JSON is byte for byte what Jackson writes for the same fields (the
 * encoders used Jackson before; readers in other languages and older versions see no change).
 */
@Timeout(30)
class JsonRecordWriterTest {

    private static final String ODD_TEXT = "q\"b\\s/\b\t\n\f\r\u0000\u0001\u001f\u007f é€😀\u2028";

    private static String jackson(ObjectNode node) throws Exception {
        return JacksonRecords.MAPPER.writeValueAsString(node);
    }

    private static ObjectNode record() {
        return JacksonRecords.MAPPER.createObjectNode().put("v", JsonRecords.VERSION);
    }

    @Test
    void stringsAreEscapedAsJacksonEscapesThem() throws Exception {
        for (int c = 0; c < 0x250; c++) {
            String s = "a" + (char) c + "b";
            assertThat(new JsonRecordWriter().field("s", s).finish())
                    .as("char %04x", c).isEqualTo(jackson(record().put("s", s)));
        }
        assertThat(new JsonRecordWriter().field("s", ODD_TEXT).finish()).isEqualTo(jackson(record().put("s", ODD_TEXT)));
    }

    @Test
    void numbersAndBooleansAreWrittenAsJacksonWritesThem() throws Exception {
        double[] doubles = {0.0, 1.0, 0.35, 0.1 + 0.2, 1e-7, 1e-3, 999.999, 1000.0, 1.0E7, 123456789.125,
                Double.MIN_VALUE, Double.MAX_VALUE};
        for (double d : doubles) {
            assertThat(new JsonRecordWriter().field("d", d).finish()).isEqualTo(jackson(record().put("d", d)));
        }
        long[] longs = {0, -1, Integer.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE};
        for (long n : longs) {
            assertThat(new JsonRecordWriter().field("n", n).finish()).isEqualTo(jackson(record().put("n", n)));
        }
        assertThat(new JsonRecordWriter().field("t", true).field("f", false).finish())
                .isEqualTo(jackson(record().put("t", true).put("f", false)));
    }

    @Test
    void heartbeatsAndOperatorStatesMatchJacksonForRandomValues() throws Exception {
        SplittableRandom random = new SplittableRandom(17);
        for (int i = 0; i < 2_000; i++) {
            HostReport r = new HostReport("web-" + random.nextInt(1000), "ws://10.0.0." + random.nextInt(256) + ":9001",
                    "10.0.0." + random.nextInt(256), randomText(random), random.nextInt(100_000), 1 + random.nextInt(100_000),
                    random.nextDouble(), random.nextBoolean() ? HostState.ACTIVE : HostState.DRAINING,
                    random.nextDouble(0.001, 1000.0), random.nextLong(), random.nextLong(Long.MAX_VALUE));
            ObjectNode expected = record().put("hostId", r.hostId()).put("url", r.url()).put("address", r.address())
                    .put("zone", r.zone()).put("connections", r.connections()).put("capacity", r.capacity())
                    .put("cpu", r.cpu()).put("state", r.state().name().toLowerCase(Locale.ROOT)).put("weight", r.weight())
                    .put("reportedAtMillis", r.reportedAtMillis()).put("sequence", r.sequence());
            assertThat(HeartbeatCodec.encode(r)).isEqualTo(jackson(expected));
            assertThat(HeartbeatCodec.decode(r.hostId(), HeartbeatCodec.encode(r)).value()).isEqualTo(r);

            OperatorState s = new OperatorState(random.nextBoolean(), random.nextDouble(0.001, 1000.0),
                    random.nextInt(-1, 100_000), random.nextLong());
            ObjectNode state = record().put("draining", s.draining()).put("weight", s.weight())
                    .put("targetConnections", s.targetConnections()).put("updatedAtMillis", s.updatedAtMillis());
            assertThat(OperatorStateCodec.encode(s)).isEqualTo(jackson(state));
            assertThat(OperatorStateCodec.decode(OperatorStateCodec.encode(s)).value()).isEqualTo(s);
        }
    }

    private static String randomText(SplittableRandom random) {
        StringBuilder b = new StringBuilder();
        int n = random.nextInt(12);
        for (int i = 0; i < n; i++) {
            b.append(random.nextInt(4) == 0 ? ODD_TEXT.charAt(random.nextInt(ODD_TEXT.length()))
                    : (char) random.nextInt(0x20, 0x3000));
        }
        return b.toString();
    }

    @Test
    void recordsOverTheLimitAndNonFiniteNumbersAreRefused() {
        assertThatThrownBy(() -> new JsonRecordWriter().field("zone", "x".repeat(JsonRecords.MAX_RECORD_BYTES)).finish())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("record: ")
                .hasMessageEndingWith("bytes (expected: <= 16384)");
        assertThatThrownBy(() -> new JsonRecordWriter().field("cpu", Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("cpu: NaN (expected: a finite number)");
    }
}
