package io.farmgate.registry;

import java.util.Objects;

/**
 * The Redis key names of one farm. Every key carries the hash tag {@code {<farm>}}, so a Redis
 * Cluster keeps a farm in one slot and multi-key commands and scripts work there too.
 */
public final class FarmKeys {

    /** Version of the key layout, stored in {@link #schema()}. */
    public static final String SCHEMA_VERSION = "1";

    private final String farm;
    private final String prefix;

    public FarmKeys(String farm) {
        this.farm = Objects.requireNonNull(farm, "farm");
        this.prefix = "fg:{" + farm + "}:";
    }

    public String farm() {
        return farm;
    }

    /** String: the key layout version, {@value #SCHEMA_VERSION}. */
    public String schema() {
        return prefix + "schema";
    }

    /** String with expiry: the latest heartbeat JSON of one host. */
    public String host(String hostId) {
        return prefix + "host:" + hostId;
    }

    /** Sorted set: host ids, scored by the writer's time of their latest heartbeat. */
    public String hosts() {
        return prefix + "hosts";
    }

    /** Hash: host id to operator state JSON. */
    public String operators() {
        return prefix + "operator";
    }

    /** Pub/sub channel: a host id whose operator state just changed. */
    public String nudgeChannel() {
        return prefix + "nudge";
    }

    /** Stream: farm events, capped. */
    public String events() {
        return prefix + "events";
    }

    /** String with expiry: the owner id of the current leader lease. */
    public String leader() {
        return prefix + "leader";
    }

    @Override
    public String toString() {
        return "FarmKeys[" + prefix + "*]";
    }
}
