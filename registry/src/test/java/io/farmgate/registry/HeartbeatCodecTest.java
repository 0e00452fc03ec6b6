package io.farmgate.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import org.junit.jupiter.api.Test;

class HeartbeatCodecTest {

    private static final String GOOD = "{\"v\":1,\"hostId\":\"web-1\",\"url\":\"ws://10.0.0.5:9001\","
            + "\"address\":\"10.0.0.5\",\"zone\":\"eu-1a\",\"connections\":120,\"capacity\":1000,\"cpu\":0.35,"
            + "\"state\":\"active\",\"weight\":1.0,\"reportedAtMillis\":1735689600000,\"sequence\":42}";

    @Test
    void encodedReportDecodesToAnEqualReport() {
        HostReport report = new HostReport("web-1", "ws://10.0.0.5:9001", "10.0.0.5", "eu-1a", 120, 1000, 0.35,
                HostState.DRAINING, 2.5, 1_735_689_600_000L, 42);

        Decoded<HostReport> back = HeartbeatCodec.decode("web-1", HeartbeatCodec.encode(report));

        assertThat(back.value()).isEqualTo(report);
    }

    @Test
    void documentedExampleDecodes() {
        Decoded<HostReport> d = HeartbeatCodec.decode("web-1", GOOD);

        assertThat(d.ok()).isTrue();
        assertThat(d.value().connections()).isEqualTo(120);
        assertThat(d.value().state()).isEqualTo(HostState.ACTIVE);
    }

    @Test
    void unknownFieldsAreIgnored() {
        String withExtra = GOOD.replace("\"v\":1,", "\"v\":1,\"region\":\"eu\",\"gpu\":{\"load\":1},");

        assertThat(HeartbeatCodec.decode("web-1", withExtra).ok()).isTrue();
    }

    @Test
    void optionalZoneAndWeightDefault() {
        String minimal = GOOD.replace("\"zone\":\"eu-1a\",", "").replace("\"weight\":1.0,", "");

        Decoded<HostReport> d = HeartbeatCodec.decode("web-1", minimal);

        assertThat(d.value().zone()).isEmpty();
        assertThat(d.value().weight()).isEqualTo(1.0);
    }

    @Test
    void numberSentAsStringIsAProblem() {
        Decoded<HostReport> d = HeartbeatCodec.decode("web-1", GOOD.replace("\"connections\":120", "\"connections\":\"120\""));

        assertThat(d.problem()).isEqualTo("field connections: \"120\" (expected: a 32-bit integer)");
    }

    @Test
    void missingFieldIsAProblem() {
        Decoded<HostReport> d = HeartbeatCodec.decode("web-1", GOOD.replace("\"capacity\":1000,", ""));

        assertThat(d.problem()).isEqualTo("field capacity: missing (expected: a 32-bit integer)");
    }

    @Test
    void newerVersionIsAProblem() {
        Decoded<HostReport> d = HeartbeatCodec.decode("web-1", GOOD.replace("\"v\":1", "\"v\":2"));

        assertThat(d.problem()).isEqualTo("version 2 is newer than this reader (1)");
    }

    @Test
    void missingVersionIsAProblem() {
        Decoded<HostReport> d = HeartbeatCodec.decode("web-1", GOOD.replace("\"v\":1,", ""));

        assertThat(d.problem()).startsWith("field v: null");
    }

    @Test
    void recordOver16KiBIsAProblemBeforeParsing() {
        String huge = GOOD.replace("\"zone\":\"eu-1a\"", "\"zone\":\"" + "x".repeat(20_000) + "\"");

        assertThat(HeartbeatCodec.decode("web-1", huge).problem())
                .isEqualTo(huge.length() + " bytes (expected: <= 16384)");
    }

    @Test
    void valueOutOfRangeIsAProblem() {
        Decoded<HostReport> d = HeartbeatCodec.decode("web-1", GOOD.replace("\"cpu\":0.35", "\"cpu\":7"));

        assertThat(d.problem()).isEqualTo("cpu: 7.0 (expected: in [0, 1])");
    }

    @Test
    void recordNamingAnotherHostIsAProblem() {
        assertThat(HeartbeatCodec.decode("web-2", GOOD).problem())
                .isEqualTo("field hostId: 'web-1' (expected: 'web-2', the id in its key)");
    }

    @Test
    void unknownStateIsAProblem() {
        Decoded<HostReport> d = HeartbeatCodec.decode("web-1", GOOD.replace("\"active\"", "\"starting\""));

        assertThat(d.problem()).isEqualTo("field state: 'starting' (expected: active or draining)");
    }

    @Test
    void duplicateFieldIsAProblem() {
        Decoded<HostReport> d = HeartbeatCodec.decode("web-1", GOOD.replace("\"v\":1,", "\"v\":1,\"connections\":1,"));

        assertThat(d.problem()).startsWith("not JSON");
    }

    @Test
    void brokenJsonIsAProblem() {
        assertThat(HeartbeatCodec.decode("web-1", "{\"v\":1,").problem()).startsWith("not JSON");
        assertThat(HeartbeatCodec.decode("web-1", "[1,2]").problem()).isEqualTo("not a JSON object");
        assertThat(HeartbeatCodec.decode("web-1", GOOD + " {}").problem()).startsWith("not JSON");
    }
}
