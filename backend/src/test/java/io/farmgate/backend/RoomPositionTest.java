package io.farmgate.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RoomPositionTest {

    @Test
    void parsesStreamIdsAndComparesThemAsUnsignedPairsNotStrings() {
        assertThat(RoomPosition.parse("9-0")).isLessThan(RoomPosition.parse("10-0"));
        assertThat(RoomPosition.parse("10-2")).isLessThan(RoomPosition.parse("10-10"));
        assertThat(RoomPosition.parse("18446744073709551615-0")).isGreaterThan(RoomPosition.parse("9223372036854775807-5"));
        assertThat(RoomPosition.parse("0-0")).isEqualTo(RoomPosition.ZERO);
        assertThat(RoomPosition.parse("1796189429749-12")).hasToString("1796189429749-12");
        assertThat(RoomPosition.parse("18446744073709551615-18446744073709551615"))
                .hasToString("18446744073709551615-18446744073709551615");
    }

    @Test
    void refusesAnythingButDigitsDashDigitsWithinSixtyFourBits() {
        for (String bad : new String[] {null, "", "-", "1", "1-", "-1", "1-2-3", "a-1", "1-b", "+1-2", " 1-2", "1-2 ",
                "18446744073709551616-0", "0-18446744073709551616", "0x1-0", "1.5-0", "١-٢"}) {
            assertThat(RoomPosition.parse(bad)).as(String.valueOf(bad)).isNull();
        }
    }

    @Test
    void nextIsTheSmallestPositionAfterIt() {
        assertThat(RoomPosition.parse("5-7").next()).isEqualTo(RoomPosition.parse("5-8"));
        assertThat(RoomPosition.parse("5-18446744073709551615").next()).isEqualTo(RoomPosition.parse("6-0"));
        assertThat(RoomPosition.parse("18446744073709551615-18446744073709551615").next()).isNull();
    }
}
