package io.farmgate.dns;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock the test moves by hand, for response rate limiting. */
final class TestClock extends Clock {

    private volatile long millis;

    TestClock(long startMillis) {
        this.millis = startMillis;
    }

    void advanceMillis(long delta) {
        millis += delta;
    }

    @Override
    public long millis() {
        return millis;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
