package io.farmgate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class MutableClockTest {

    @Test
    void advanceMovesMillisAndInstantTogether() {
        MutableClock clock = new MutableClock(1_000);

        clock.advance(Duration.ofSeconds(2));

        assertThat(clock.millis()).isEqualTo(3_000);
        assertThat(clock.instant()).isEqualTo(Instant.ofEpochMilli(3_000));
    }

    @Test
    void clockCanBeSetBackwards() {
        MutableClock clock = new MutableClock(5_000);

        clock.setMillis(4_000);

        assertThat(clock.millis()).isEqualTo(4_000);
    }

    @Test
    void zonedViewSharesTheTime() {
        MutableClock clock = new MutableClock(0);
        Clock paris = clock.withZone(ZoneId.of("Europe/Paris"));

        clock.advanceMillis(42);

        assertThat(paris.millis()).isEqualTo(42);
        assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
    }
}
