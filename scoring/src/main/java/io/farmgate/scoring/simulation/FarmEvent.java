package io.farmgate.scoring.simulation;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A change to the simulated farm at a point in time: a host joins empty, or a host leaves and
 * its clients reconnect through the gateways. Written {@code join@600s}, {@code join:host-40@10m}
 * or {@code leave:host-3@900s}.
 *
 * @param kind     join or leave
 * @param hostId   the host; for a join, empty means "the next free {@code host-<n>} name"
 * @param atMillis when, from the start of the run
 */
public record FarmEvent(Kind kind, String hostId, long atMillis) {

    /** What happens to the farm. */
    public enum Kind {
        /** An empty host starts heartbeating and takes clients, through slow start. */
        JOIN,
        /** A host stops heartbeating and closes its connections; its clients reconnect elsewhere. */
        LEAVE
    }

    private static final Pattern SPEC = Pattern.compile("(join|leave)(?::([a-z0-9-]+))?@(\\S+)");
    private static final String EXPECTED =
            "(expected: join[:<host-id>]@<time> or leave:<host-id>@<time>, e.g. join@600s, leave:host-3@900s)";

    public FarmEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(hostId, "hostId");
        if (kind == Kind.LEAVE && hostId.isEmpty()) {
            throw new IllegalArgumentException("events: '" + spell(kind, hostId, atMillis)
                    + "' (expected: leave names its host, e.g. leave:host-3@900s)");
        }
        if (atMillis < 0) {
            throw new IllegalArgumentException("events: at " + atMillis + " ms (expected: >= 0)");
        }
    }

    /** Parses {@code join@600s}, {@code join:host-40@10m}, {@code leave:host-3@900s}. */
    public static FarmEvent parse(String text) {
        Matcher m = SPEC.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("events: '" + text + "' " + EXPECTED);
        }
        Kind kind = m.group(1).equals("join") ? Kind.JOIN : Kind.LEAVE;
        String id = m.group(2) == null ? "" : m.group(2);
        if (kind == Kind.LEAVE && id.isEmpty()) {
            throw new IllegalArgumentException("events: '" + text + "' " + EXPECTED);
        }
        long at = DurationText.parseMillis("events: '" + text + "' time", m.group(3));
        return new FarmEvent(kind, id, at);
    }

    /** A join of the next free {@code host-<n>} at {@code atMillis}. */
    public static FarmEvent join(long atMillis) {
        return new FarmEvent(Kind.JOIN, "", atMillis);
    }

    @Override
    public String toString() {
        return spell(kind, hostId, atMillis);
    }

    private static String spell(Kind kind, String hostId, long atMillis) {
        return (kind == Kind.JOIN ? "join" : "leave") + (hostId.isEmpty() ? "" : ":" + hostId)
                + "@" + DurationText.format(atMillis);
    }
}
