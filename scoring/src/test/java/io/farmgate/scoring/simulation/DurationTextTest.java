package io.farmgate.scoring.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationTextTest {

    @ParameterizedTest
    @CsvSource({"500ms, 500", "30s, 30000", "10m, 600000", "1h, 3600000", "0s, 0", "20M, 1200000"})
    void readsEachUnit(String text, long millis) {
        assertThat(DurationText.parseMillis("duration", text)).isEqualTo(millis);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1000", "", "s", "1.5s", "-3s", "10 parsecs", "3d", "9999999999999s"})
    void refusesTextWithoutAWholeNumberAndAKnownUnitNamingTheField(String text) {
        assertThatThrownBy(() -> DurationText.parseMillis("--duration", text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--duration: '" + text + "'")
                .hasMessageContaining("expected: a whole number with a unit");
    }

    @ParameterizedTest
    @CsvSource({"600000, 10m", "3600000, 1h", "90000, 90s", "1500, 1500ms", "0, 0s"})
    void formatsWithTheLargestExactUnit(long millis, String text) {
        assertThat(DurationText.format(millis)).isEqualTo(text);
        assertThat(DurationText.parseMillis("x", text)).isEqualTo(millis);
    }
}
