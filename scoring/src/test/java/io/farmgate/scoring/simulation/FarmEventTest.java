package io.farmgate.scoring.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.farmgate.scoring.simulation.FarmEvent.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FarmEventTest {

    @Test
    void joinWithoutHostIdLeavesTheNameToTheConfig() {
        assertThat(FarmEvent.parse("join@600s")).isEqualTo(new FarmEvent(Kind.JOIN, "", 600_000L));
    }

    @Test
    void joinMayNameItsHost() {
        assertThat(FarmEvent.parse("join:host-40@10m")).isEqualTo(new FarmEvent(Kind.JOIN, "host-40", 600_000L));
    }

    @Test
    void leaveNamesItsHost() {
        assertThat(FarmEvent.parse("leave:host-3@900s")).isEqualTo(new FarmEvent(Kind.LEAVE, "host-3", 900_000L));
    }

    @Test
    void spellsItselfAsItParses() {
        FarmEvent e = new FarmEvent(Kind.LEAVE, "host-3", 90_000L);

        assertThat(e).hasToString("leave:host-3@90s");
        assertThat(FarmEvent.parse(e.toString())).isEqualTo(e);
    }

    @ParameterizedTest
    @ValueSource(strings = {"leave@900s", "join", "join@", "join@600", "arrive:host-1@5s", "leave:Host_3@5s", ""})
    void refusesMalformedEventsNamingTheField(String text) {
        assertThatThrownBy(() -> FarmEvent.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("events: '" + text + "'");
    }
}
