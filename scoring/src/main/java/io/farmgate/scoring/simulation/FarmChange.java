package io.farmgate.scoring.simulation;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A change to the simulated farm at a point in time (a simulation step, not an entry of the
 * registry's event log). Written {@code join@600s}, {@code join:host-40@10m}, {@code leave:host-3@900s},
 * {@code restart:host-3@10m} or {@code scale-in:8@10m}.
 *
 * @param kind     what happens
 * @param hostId   the host; for a join, empty means "the next free {@code host-<n>} name"; empty for a scale-in
 * @param atMillis when, from the start of the run
 * @param count    hosts a scale-in drains; 0 for the other kinds
 */
public record FarmChange(Kind kind, String hostId, long atMillis, int count) {

    /** What happens to the farm. */
    public enum Kind {
        /** An empty host starts heartbeating and takes clients, through slow start. */
        JOIN("join"),
        /** A host dies: it stops heartbeating and its connections break; its clients reconnect elsewhere. */
        LEAVE("leave"),
        /** A deploy step: the host is drained (its clients leave over the drain period), then restarts empty. */
        RESTART("restart"),
        /** A scale-down of {@code count} hosts chosen by the real scale-down choice; each leaves once drained. */
        SCALE_IN("scale-in");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private static final Pattern SPEC = Pattern.compile("(join|leave|restart|scale-in)(?::([a-z0-9-]+))?@(\\S+)");
    private static final String EXPECTED = "(expected: join[:<host-id>]@<time>, leave:<host-id>@<time>,"
            + " restart:<host-id>@<time> or scale-in:<count>@<time>, e.g. join@600s, leave:host-3@900s)";

    public FarmChange {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(hostId, "hostId");
        if ((kind == Kind.LEAVE || kind == Kind.RESTART) && hostId.isEmpty()) {
            throw new IllegalArgumentException("events: '" + spell(kind, hostId, atMillis, count)
                    + "' (expected: " + kind.label + " names its host, e.g. " + kind.label + ":host-3@900s)");
        }
        if (kind == Kind.SCALE_IN ? count < 1 : count != 0) {
            throw new IllegalArgumentException("events: count " + count + " (expected: >= 1 for scale-in, else 0)");
        }
        if (atMillis < 0) {
            throw new IllegalArgumentException("events: at " + atMillis + " ms (expected: >= 0)");
        }
    }

    /** A join, leave or restart. */
    public FarmChange(Kind kind, String hostId, long atMillis) {
        this(kind, hostId, atMillis, 0);
    }

    /** Parses {@code join@600s}, {@code join:host-40@10m}, {@code leave:host-3@900s}, {@code scale-in:8@10m}. */
    public static FarmChange parse(String text) {
        Matcher m = SPEC.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("events: '" + text + "' " + EXPECTED);
        }
        Kind kind = switch (m.group(1)) {
            case "join" -> Kind.JOIN;
            case "leave" -> Kind.LEAVE;
            case "restart" -> Kind.RESTART;
            default -> Kind.SCALE_IN;
        };
        String id = m.group(2) == null ? "" : m.group(2);
        if (kind != Kind.JOIN && id.isEmpty()) {
            throw new IllegalArgumentException("events: '" + text + "' " + EXPECTED);
        }
        long at = DurationText.parseMillis("events: '" + text + "' time", m.group(3));
        if (kind == Kind.SCALE_IN) {
            if (!id.matches("[1-9][0-9]{0,4}")) {
                throw new IllegalArgumentException("events: '" + text + "' " + EXPECTED);
            }
            return new FarmChange(kind, "", at, Integer.parseInt(id));
        }
        return new FarmChange(kind, id, at);
    }

    /** A join of the next free {@code host-<n>} at {@code atMillis}. */
    public static FarmChange join(long atMillis) {
        return new FarmChange(Kind.JOIN, "", atMillis);
    }

    @Override
    public String toString() {
        return spell(kind, hostId, atMillis, count);
    }

    private static String spell(Kind kind, String hostId, long atMillis, int count) {
        String what = kind == Kind.SCALE_IN ? ":" + count : hostId.isEmpty() ? "" : ":" + hostId;
        return kind.label + what + "@" + DurationText.format(atMillis);
    }
}
