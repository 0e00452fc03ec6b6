package io.farmgate.scoring.pick;

import java.util.Locale;
import java.util.random.RandomGenerator;

/** The pickers by name, as configuration and the simulator spell them. */
public enum PickerKind {
    RANDOM("random"),
    ROUND_ROBIN("round-robin"),
    LEAST_SCORE("least-score"),
    TWO_CHOICE("two-choice"),
    BOUNDED_LOAD_RENDEZVOUS("bounded-load-rendezvous");

    private final String label;

    PickerKind(String label) {
        this.label = label;
    }

    /** The name used in flags, YAML and reports. */
    public String label() {
        return label;
    }

    /** A new picker of this kind drawing from {@code random}. */
    public Picker create(RandomGenerator random) {
        return switch (this) {
            case RANDOM -> new RandomPicker(random);
            case ROUND_ROBIN -> new RoundRobinPicker();
            case LEAST_SCORE -> new LeastScorePicker();
            case TWO_CHOICE -> new TwoChoicePicker(random);
            case BOUNDED_LOAD_RENDEZVOUS -> new BoundedLoadRendezvousPicker(
                    BoundedLoadRendezvousPicker.DEFAULT_EPSILON, new TwoChoicePicker(random));
        };
    }

    /** The kind with this label, case-insensitive. */
    public static PickerKind fromLabel(String label) {
        String wanted = label.trim().toLowerCase(Locale.ROOT);
        for (PickerKind k : values()) {
            if (k.label.equals(wanted)) {
                return k;
            }
        }
        throw new IllegalArgumentException("picker: '" + label
                + "' (expected one of: random, round-robin, least-score, two-choice, bounded-load-rendezvous)");
    }
}
