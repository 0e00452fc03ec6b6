package io.farmgate.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostReportTest {

    private static HostReport with(String id, int connections, int capacity, double cpu, double weight,
                                   long sequence) {
        return new HostReport(id, "ws://a:1", "10.0.0.1", "", connections, capacity, cpu, HostState.ACTIVE,
                weight, 0L, sequence);
    }

    static Stream<Arguments> badFields() {
        return Stream.of(
                Arguments.of("hostId", (Supplier<HostReport>) () -> with("Bad_Id", 0, 10, 0, 1, 0)),
                Arguments.of("connections", (Supplier<HostReport>) () -> with("a", -1, 10, 0, 1, 0)),
                Arguments.of("capacity", (Supplier<HostReport>) () -> with("a", 0, 0, 0, 1, 0)),
                Arguments.of("cpu", (Supplier<HostReport>) () -> with("a", 0, 10, 1.5, 1, 0)),
                Arguments.of("cpu", (Supplier<HostReport>) () -> with("a", 0, 10, Double.NaN, 1, 0)),
                Arguments.of("weight", (Supplier<HostReport>) () -> with("a", 0, 10, 0, 0, 0)),
                Arguments.of("weight", (Supplier<HostReport>) () -> with("a", 0, 10, 0, 1001, 0)),
                Arguments.of("sequence", (Supplier<HostReport>) () -> with("a", 0, 10, 0, 1, -1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFields")
    void badFieldIsNamedInTheMessage(String field, Supplier<HostReport> build) {
        assertThatThrownBy(build::get)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(field + ": ")
                .hasMessageContaining("expected");
    }

    @Test
    void missingUrlIsNamed() {
        assertThatNullPointerException()
                .isThrownBy(() -> new HostReport("a", null, "10.0.0.1", "", 0, 1, 0, HostState.ACTIVE, 1, 0, 0))
                .withMessage("url");
    }

    @Test
    void missingStateIsNamed() {
        assertThatNullPointerException()
                .isThrownBy(() -> new HostReport("a", "ws://a:1", "10.0.0.1", "", 0, 1, 0, null, 1, 0, 0))
                .withMessage("state");
    }

    @Test
    void missingZoneBecomesEmpty() {
        HostReport r = new HostReport("a", "ws://a:1", "10.0.0.1", null, 0, 1, 0, HostState.ACTIVE, 1, 0, 0);

        assertThat(r.zone()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "web-01", "0", "a23456789012345678901234567890123456789012345678901234567890123"})
    void dnsLabelsAreValidHostIds(String id) {
        assertThat(HostReport.isValidHostId(id)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-a", "a-", "A", "a.b", "a_b",
            "a234567890123456789012345678901234567890123456789012345678901234"})
    void nonLabelsAreInvalidHostIds(String id) {
        assertThat(HostReport.isValidHostId(id)).isFalse();
    }

    @Test
    void nextHeartbeatMovesTheSequenceAndKeepsIdentity() {
        HostReport r = Reports.report("a", 5);

        HostReport n = r.next(7, 0.5, 42L);

        assertThat(n).extracting(HostReport::hostId, HostReport::connections, HostReport::cpu,
                        HostReport::reportedAtMillis, HostReport::sequence)
                .containsExactly("a", 7, 0.5, 42L, r.sequence() + 1);
    }
}
