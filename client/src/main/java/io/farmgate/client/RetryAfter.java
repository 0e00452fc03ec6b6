package io.farmgate.client;

import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Reads an HTTP {@code Retry-After} header: delta-seconds or an HTTP-date (RFC 9110 section 10.2.3). */
final class RetryAfter {

    private RetryAfter() {
    }

    /** Milliseconds to wait, capped at {@code maxMillis}; -1 when the header is absent or unusable. */
    static long millis(String header, Clock clock, long maxMillis) {
        if (header == null || header.isBlank()) {
            return -1;
        }
        String value = header.trim();
        long millis;
        if (value.chars().allMatch(Character::isDigit)) {
            try {
                millis = Math.multiplyExact(Long.parseLong(value), 1000L);
            } catch (ArithmeticException | NumberFormatException e) {
                millis = maxMillis;
            }
        } else {
            try {
                millis = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli()
                        - clock.millis();
            } catch (DateTimeParseException e) {
                return -1;
            }
            millis = Math.max(0, millis);
        }
        return Math.min(millis, maxMillis);
    }
}
