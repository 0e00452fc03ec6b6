package io.farmgate.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class StreamPositionTest {

    @Test
    void parsesStreamIdsAndComparesThemAsUnsignedPairsNotStrings() {
        assertThat(StreamPosition.parse("9-0")).isLessThan(StreamPosition.parse("10-0"));
        assertThat(StreamPosition.parse("10-2")).isLessThan(StreamPosition.parse("10-10"));
        assertThat(StreamPosition.parse("18446744073709551615-0")).isGreaterThan(StreamPosition.parse("9223372036854775807-5"));
        assertThat(StreamPosition.parse("0-0")).isEqualTo(StreamPosition.ZERO);
        assertThat(StreamPosition.parse("1796189429749-12")).hasToString("1796189429749-12");
        assertThat(StreamPosition.parse("18446744073709551615-18446744073709551615"))
                .hasToString("18446744073709551615-18446744073709551615");
    }

    @Test
    void refusesAnythingButDigitsDashDigitsWithinSixtyFourBits() {
        for (String bad : new String[] {null, "", "-", "1", "1-", "-1", "1-2-3", "a-1", "1-b", "+1-2", " 1-2", "1-2 ",
                "18446744073709551616-0", "0-18446744073709551616", "0x1-0", "1.5-0", "١-٢"}) {
            assertThat(StreamPosition.parse(bad)).as(String.valueOf(bad)).isNull();
        }
    }

    @Test
    void nextIsTheSmallestPositionAfterIt() {
        assertThat(StreamPosition.parse("5-7").next()).isEqualTo(StreamPosition.parse("5-8"));
        assertThat(StreamPosition.parse("5-18446744073709551615").next()).isEqualTo(StreamPosition.parse("6-0"));
        assertThat(StreamPosition.parse("18446744073709551615-18446744073709551615").next()).isNull();
    }
}
