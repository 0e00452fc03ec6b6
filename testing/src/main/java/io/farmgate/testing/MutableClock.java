package io.farmgate.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link Clock} that tests set and advance by hand; safe to read from other threads. */
public final class MutableClock extends Clock {

    private final AtomicLong millis;
    private final ZoneId zone;

    public MutableClock(long startMillis) {
        this(new AtomicLong(startMillis), ZoneOffset.UTC);
    }

    private MutableClock(AtomicLong millis, ZoneId zone) {
        this.millis = millis;
        this.zone = zone;
    }

    /** A clock at an arbitrary fixed instant (2025-01-01T00:00:00Z), so tests never depend on today. */
    public static MutableClock atEpochOf2025() {
        return new MutableClock(1_735_689_600_000L);
    }

    public void setMillis(long value) {
        millis.set(value);
    }

    /** Moves the clock by {@code deltaMillis} (may be negative, to test clocks that step back) and returns the new time. */
    public long advanceMillis(long deltaMillis) {
        return millis.addAndGet(deltaMillis);
    }

    public long advance(Duration delta) {
        return advanceMillis(delta.toMillis());
    }

    @Override
    public long millis() {
        return millis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    /** A view in another zone that shares this clock's time. */
    @Override
    public Clock withZone(ZoneId newZone) {
        return new MutableClock(millis, newZone);
    }

    @Override
    public String toString() {
        return "MutableClock[" + instant() + "]";
    }
}
