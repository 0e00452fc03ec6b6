package io.farmgate.scoring.simulation;

import java.util.Locale;

/**
 * Durations as people write them in flags and event specs: a whole number with a unit,
 * {@code 500ms}, {@code 30s}, {@code 10m} or {@code 1h}. A bare number is refused, since
 * "1000" could mean either milliseconds or seconds.
 */
public final class DurationText {

    private DurationText() {
    }

    /**
     * The duration in milliseconds.
     *
     * @param field named in the error message
     * @throws IllegalArgumentException when the text is not a whole number with a known unit
     */
    public static long parseMillis(String field, String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        int digits = 0;
        while (digits < t.length() && Character.isDigit(t.charAt(digits))) {
            digits++;
        }
        long factor = switch (t.substring(digits)) {
            case "ms" -> 1L;
            case "s" -> 1_000L;
            case "m" -> 60_000L;
            case "h" -> 3_600_000L;
            default -> -1L;
        };
        // 12 digits keep the product within a long whatever the unit.
        if (digits == 0 || digits > 12 || factor < 0) {
            throw new IllegalArgumentException(field + ": '" + text
                    + "' (expected: a whole number with a unit, e.g. 500ms, 30s, 10m, 1h)");
        }
        return Long.parseLong(t.substring(0, digits)) * factor;
    }

    /** The shortest exact spelling of {@code millis}: {@code 600000} gives {@code 10m}. */
    public static String format(long millis) {
        if (millis != 0 && millis % 3_600_000L == 0) {
            return millis / 3_600_000L + "h";
        }
        if (millis != 0 && millis % 60_000L == 0) {
            return millis / 60_000L + "m";
        }
        if (millis % 1_000L == 0) {
            return millis / 1_000L + "s";
        }
        return millis + "ms";
    }
}
