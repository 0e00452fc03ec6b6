package io.farmgate.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RetryAfterTest {

    private final Clock clock = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);

    @Test
    void deltaSecondsBecomeMilliseconds() {
        assertThat(RetryAfter.millis("7", clock, 60_000)).isEqualTo(7_000);
    }

    @Test
    void anHttpDateCountsFromTheClock() {
        assertThat(RetryAfter.millis("Sun, 01 Mar 2026 12:00:30 GMT", clock, 60_000)).isEqualTo(30_000);
    }

    @Test
    void aDateInThePastMeansNow() {
        assertThat(RetryAfter.millis("Sun, 01 Mar 2026 11:00:00 GMT", clock, 60_000)).isZero();
    }

    @Test
    void hugeValuesAreCappedSoAClientIsNotParkedForHours() {
        assertThat(RetryAfter.millis("86400", clock, 60_000)).isEqualTo(60_000);
        assertThat(RetryAfter.millis("99999999999999999999999", clock, 60_000)).isEqualTo(60_000);
    }

    @Test
    void absentOrUnusableHeadersGiveMinusOne() {
        assertThat(RetryAfter.millis(null, clock, 60_000)).isEqualTo(-1);
        assertThat(RetryAfter.millis(" ", clock, 60_000)).isEqualTo(-1);
        assertThat(RetryAfter.millis("-5", clock, 60_000)).isEqualTo(-1);
        assertThat(RetryAfter.millis("soon", clock, 60_000)).isEqualTo(-1);
    }
}
