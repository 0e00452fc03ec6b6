package io.farmgate.scoring.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.farmgate.scoring.simulation.FarmChange.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FarmChangeTest {

    @Test
    void joinWithoutHostIdLeavesTheNameToTheConfig() {
        assertThat(FarmChange.parse("join@600s")).isEqualTo(new FarmChange(Kind.JOIN, "", 600_000L));
    }

    @Test
    void joinMayNameItsHost() {
        assertThat(FarmChange.parse("join:host-40@10m")).isEqualTo(new FarmChange(Kind.JOIN, "host-40", 600_000L));
    }

    @Test
    void leaveNamesItsHost() {
        assertThat(FarmChange.parse("leave:host-3@900s")).isEqualTo(new FarmChange(Kind.LEAVE, "host-3", 900_000L));
    }

    @Test
    void spellsItselfAsItParses() {
        FarmChange e = new FarmChange(Kind.LEAVE, "host-3", 90_000L);

        assertThat(e).hasToString("leave:host-3@90s");
        assertThat(FarmChange.parse(e.toString())).isEqualTo(e);
    }

    @ParameterizedTest
    @ValueSource(strings = {"leave@900s", "join", "join@", "join@600", "arrive:host-1@5s", "leave:Host_3@5s", ""})
    void refusesMalformedEventsNamingTheField(String text) {
        assertThatThrownBy(() -> FarmChange.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("events: '" + text + "'");
    }
}
