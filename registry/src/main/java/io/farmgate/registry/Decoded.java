package io.farmgate.registry;

import java.util.Objects;

/**
 * The outcome of reading one registry record: the value, or why it was skipped.
 *
 * @param value   the decoded value; null when there is a problem
 * @param problem what was wrong with the record; null when it was read
 */
public record Decoded<T>(T value, String problem) {

    public Decoded {
        if ((value == null) == (problem == null)) {
            throw new IllegalArgumentException("exactly one of value and problem must be set");
        }
    }

    public static <T> Decoded<T> of(T value) {
        return new Decoded<>(Objects.requireNonNull(value, "value"), null);
    }

    public static <T> Decoded<T> skipped(String problem) {
        return new Decoded<>(null, Objects.requireNonNull(problem, "problem"));
    }

    public boolean ok() {
        return value != null;
    }
}
