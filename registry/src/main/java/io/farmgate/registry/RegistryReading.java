package io.farmgate.registry;

import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.OperatorState;
import io.lettuce.core.KeyValue;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One read-only look at a farm's registry, decoded as a gateway decodes it ({@link SnapshotSource}'s
 * commands and codecs) but keeping what a gateway only logs: every record it would skip, with the
 * reason, and the leader lease holder. For {@code farmgate check}; nothing is written.
 *
 * @param readAtMillis   this machine's clock when the read started
 * @param schemaVersion  the farm's key layout version; null when the schema key is absent
 * @param hosts          the heartbeats a gateway would use, in member-set order
 * @param expiredMembers members of the host set whose heartbeat key has expired (not yet tidied away)
 * @param operators      readable operator records by host id
 * @param skipped        records a gateway would skip
 * @param leader         the leader lease holder's owner id, if any
 */
public record RegistryReading(long readAtMillis, String schemaVersion, List<HostReport> hosts,
                              List<String> expiredMembers, Map<String, OperatorState> operators,
                              List<SkippedRecord> skipped, Optional<String> leader) {

    /**
     * A record a gateway would skip.
     *
     * @param where        the key (and hash field) it is stored at
     * @param problem      why it cannot be read
     * @param newerVersion whether it was written by a newer farmgate (record version above this reader's)
     */
    public record SkippedRecord(String where, String problem, boolean newerVersion) {
    }

    public RegistryReading {
        hosts = List.copyOf(hosts);
        expiredMembers = List.copyOf(expiredMembers);
        operators = Map.copyOf(operators);
        skipped = List.copyOf(skipped);
        Objects.requireNonNull(leader, "leader");
    }

    /** Whether this farmgate knows the farm's key layout (or the farm has none yet). */
    public boolean schemaKnown() {
        return schemaVersion == null || FarmKeys.SCHEMA_VERSION.equals(schemaVersion);
    }

    /**
     * Reads the farm once. A key layout this reader does not know is returned, not thrown, with no
     * hosts decoded (a gateway would refuse to read such a farm at all).
     *
     * @throws RegistryException when Redis cannot be read
     */
    public static RegistryReading read(RegistryConnection connection, Clock clock) {
        FarmKeys keys = connection.keys();
        long now = clock.millis();
        return connection.call("reading farm " + keys.farm(), redis -> {
            String schema = redis.get(keys.schema());
            Optional<String> leader = Optional.ofNullable(redis.get(keys.leader()));
            if (schema != null && !FarmKeys.SCHEMA_VERSION.equals(schema)) {
                return new RegistryReading(now, schema, List.of(), List.of(), Map.of(), List.of(), leader);
            }
            List<String> ids = redis.zrange(keys.hosts(), 0, SnapshotSource.MAX_HOSTS - 1);
            List<HostReport> hosts = new ArrayList<>();
            List<String> expired = new ArrayList<>();
            List<SkippedRecord> skipped = new ArrayList<>();
            if (!ids.isEmpty()) {
                List<KeyValue<String, String>> heartbeats = redis.mget(ids.stream().map(keys::host).toArray(String[]::new));
                for (int i = 0; i < ids.size(); i++) {
                    String id = ids.get(i);
                    if (!heartbeats.get(i).hasValue()) {
                        expired.add(id);
                    } else if (!HostReport.isValidHostId(id)) {
                        skipped.add(new SkippedRecord(keys.hosts() + " member '" + id + "'", "not a host id", false));
                    } else {
                        String json = heartbeats.get(i).getValue();
                        Decoded<HostReport> d = HeartbeatCodec.decode(id, json);
                        if (d.ok()) {
                            hosts.add(d.value());
                        } else {
                            skipped.add(new SkippedRecord(keys.host(id), d.problem(), JsonRecords.newerVersion(json)));
                        }
                    }
                }
            }
            Map<String, OperatorState> operators = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : redis.hgetall(keys.operators()).entrySet()) {
                Decoded<OperatorState> d = OperatorStateCodec.decode(e.getValue());
                if (d.ok()) {
                    operators.put(e.getKey(), d.value());
                } else {
                    skipped.add(new SkippedRecord(keys.operators() + " field " + e.getKey(), d.problem(),
                            JsonRecords.newerVersion(e.getValue())));
                }
            }
            return new RegistryReading(now, schema, hosts, expired, operators, skipped, leader);
        });
    }
}
