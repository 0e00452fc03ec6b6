package io.farmgate.agent;

import io.farmgate.registry.FarmKeys;
import io.farmgate.registry.HeartbeatCodec;
import io.farmgate.registry.OperatorStore;
import io.farmgate.registry.RegistryConfig;
import io.farmgate.registry.RegistryConnection;
import io.farmgate.scoring.HostReport;
import io.farmgate.testing.RedisServerExtension;
import java.time.Clock;
import java.util.List;

/** What a test sees of a farm in the real Redis: heartbeats as stored, and the operators' side. */
final class FarmRegistry implements AutoCloseable {

    private final RedisServerExtension redis;
    private final FarmKeys keys;
    private final RegistryConnection connection;
    final OperatorStore operators;

    FarmRegistry(RedisServerExtension redis, String farm) {
        this.redis = redis;
        this.keys = new FarmKeys(farm);
        this.connection = RegistryConnection.open(RegistryConfig.defaults(redis.uri(), farm));
        this.operators = new OperatorStore(connection, Clock.systemUTC());
    }

    /** The host's stored heartbeat, or null when it has none (expired or removed). */
    HostReport heartbeat(String hostId) {
        Object json = redis.command("GET", keys.host(hostId));
        if (json == null) {
            return null;
        }
        return HeartbeatCodec.decode(hostId, (String) json).value();
    }

    /** Whether the host is in the farm's member set. */
    boolean member(String hostId) {
        return redis.command("ZSCORE", keys.hosts(), hostId) != null;
    }

    /** Types of the events in the farm's log, oldest first, e.g. "join", "leave". */
    List<String> eventTypes(String hostId) {
        List<?> entries = (List<?>) redis.command("XRANGE", keys.events(), "-", "+");
        return entries.stream()
                .map(e -> (List<?>) ((List<?>) e).get(1))
                .filter(fields -> hostId.equals(field(fields, "hostId")))
                .map(fields -> field(fields, "type"))
                .toList();
    }

    private static String field(List<?> fields, String name) {
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            if (name.equals(fields.get(i))) {
                return (String) fields.get(i + 1);
            }
        }
        return null;
    }

    @Override
    public void close() {
        connection.close();
    }
}
