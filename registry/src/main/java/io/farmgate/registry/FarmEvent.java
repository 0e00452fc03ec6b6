package io.farmgate.registry;

import io.farmgate.scoring.HostReport;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Something that happened to the farm, for the event log operators read.
 *
 * @param type     what happened
 * @param hostId   the host it happened to, or "" for farm-wide events (scale-down, leader change)
 * @param actor    who did it, e.g. {@code admin}, {@code agent:web-1}, {@code rebalancer}, {@code registry}
 * @param reason   free text; may be empty
 * @param atMillis the writer's clock
 * @param details  extra facts, e.g. {@code count=5}; at most {@value #MAX_DETAILS} entries
 */
public record FarmEvent(Type type, String hostId, String actor, String reason, long atMillis,
                        Map<String, String> details) {

    /** Stream field name prefix of a detail: {@code details.count}. */
    static final String DETAIL_PREFIX = "details.";

    /** Most entries in {@link #details}. */
    public static final int MAX_DETAILS = 32;
    /** Longest reason and detail value. */
    public static final int MAX_TEXT = 1024;

    private static final Pattern ACTOR = Pattern.compile("[A-Za-z0-9_.:@/-]{1,128}");
    private static final Pattern DETAIL_KEY = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    /** Kinds of farm events. */
    public enum Type {
        /** A host's first heartbeat, or its first after it had expired. */
        JOIN,
        /** A host left on purpose (graceful shutdown). */
        LEAVE,
        /** A host's heartbeat expired: its agent stopped without saying goodbye. */
        EXPIRE,
        DRAIN,
        UNDRAIN,
        /** An operator weight was set. */
        WEIGHT,
        /** A target connection count was set or cleared. */
        TARGET,
        /** A host was asked to close some connections. */
        SHED,
        SCALE_DOWN,
        /** A process became or stopped being the rebalancing leader. */
        LEADER
    }

    public FarmEvent {
        Objects.requireNonNull(type, "type");
        hostId = hostId == null ? "" : hostId;
        reason = reason == null ? "" : reason;
        details = details == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(details));
        if (!hostId.isEmpty() && !HostReport.isValidHostId(hostId)) {
            throw new IllegalArgumentException("hostId: '" + hostId + "' (expected: a host id, or empty)");
        }
        if (actor == null || !ACTOR.matcher(actor).matches()) {
            throw new IllegalArgumentException("actor: '" + actor + "' (expected: 1-128 of A-Z, a-z, 0-9 and _.:@/-)");
        }
        if (reason.length() > MAX_TEXT) {
            throw new IllegalArgumentException("reason: " + reason.length() + " chars (expected: <= " + MAX_TEXT + ")");
        }
        if (details.size() > MAX_DETAILS) {
            throw new IllegalArgumentException("details: " + details.size() + " entries (expected: <= " + MAX_DETAILS + ")");
        }
        for (Map.Entry<String, String> e : details.entrySet()) {
            if (e.getKey() == null || !DETAIL_KEY.matcher(e.getKey()).matches()) {
                throw new IllegalArgumentException("details key: '" + e.getKey() + "' (expected: 1-64 of A-Z, a-z, 0-9 and _.-)");
            }
            if (e.getValue() == null || e.getValue().length() > MAX_TEXT) {
                throw new IllegalArgumentException("details." + e.getKey() + ": (expected: a string of <= " + MAX_TEXT + " chars)");
            }
        }
    }

    /**
     * The fields of this event's entry in the farm's event stream, in order (docs/registry.md,
     * "Events"): {@code v}, {@code type}, {@code hostId}, {@code actor}, {@code reason},
     * {@code atMillis}, then {@code details.<key>} for each detail.
     */
    public Map<String, String> streamFields() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("v", Integer.toString(JsonRecords.VERSION));
        fields.put("type", type.name().toLowerCase(Locale.ROOT));
        fields.put("hostId", hostId);
        fields.put("actor", actor);
        fields.put("reason", reason);
        fields.put("atMillis", Long.toString(atMillis));
        details.forEach((k, v) -> fields.put(DETAIL_PREFIX + k, v));
        return fields;
    }

    /** An event without details. */
    public static FarmEvent of(Type type, String hostId, String actor, String reason, long atMillis) {
        return new FarmEvent(type, hostId, actor, reason, atMillis, Map.of());
    }
}
