package io.farmgate.registry;

import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.OperatorState;
import io.lettuce.core.ScriptOutputType;
import java.util.List;
import java.util.Objects;

/**
 * Writes a host's heartbeats: the report under the host's key with an expiry of the heartbeat
 * TTL, and the host id in the farm's member set, in one atomic step. When the agent stops, the
 * key expires and readers drop the host. Used by agents.
 */
public final class HeartbeatPublisher {

    // KEYS: host key, member set, schema key. ARGV: report JSON, TTL ms, score, host id, schema version.
    private static final String PUBLISH_STEPS = "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])\n"
            + "redis.call('SET', KEYS[3], ARGV[5], 'NX')\n"
            + "local added = redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])\n";

    /**
     * One heartbeat, atomically. KEYS: host key, member set, schema key. ARGV: report JSON, TTL ms,
     * score (reportedAtMillis), host id, schema version. Returns 1 when the host was not a member.
     */
    public static final LuaScript PUBLISH = new LuaScript(PUBLISH_STEPS + "return added\n");

    /**
     * {@link #PUBLISH} and, in the same round trip, the host's operator state: what an agent does
     * every heartbeat. KEYS: those of PUBLISH, then the operator hash. ARGV: those of PUBLISH.
     * Returns {added, the operator state JSON or nil}.
     */
    public static final LuaScript PUBLISH_AND_READ = new LuaScript(PUBLISH_STEPS
            + "return {added, redis.call('HGET', KEYS[4], ARGV[4])}\n");

    /** The host leaves now. KEYS: host key, member set. ARGV: host id. Returns 1 when it was a member. */
    public static final LuaScript REMOVE = new LuaScript(
            "redis.call('DEL', KEYS[1])\n"
            + "return redis.call('ZREM', KEYS[2], ARGV[1])\n");

    private final RegistryConnection connection;
    private final FarmKeys keys;
    private final String ttlMillis;

    public HeartbeatPublisher(RegistryConnection connection) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.keys = connection.keys();
        this.ttlMillis = Long.toString(connection.config().heartbeatTtlMillis());
    }

    /**
     * Publishes one heartbeat.
     *
     * @return true when the host was not a member before: it just joined, or came back after its
     *         heartbeat expired (the caller may record a JOIN event)
     * @throws RegistryException        when Redis cannot be written
     * @throws IllegalArgumentException when the report's JSON exceeds the record size limit
     */
    public boolean publish(HostReport report) {
        String json = HeartbeatCodec.encode(report);
        String hostId = report.hostId();
        Long added = connection.call("publishing the heartbeat of " + hostId, redis -> RegistryConnection.eval(redis, PUBLISH,
                ScriptOutputType.INTEGER,
                new String[] {keys.host(hostId), keys.hosts(), keys.schema()},
                json, ttlMillis, Long.toString(report.reportedAtMillis()), hostId, FarmKeys.SCHEMA_VERSION));
        return added != null && added > 0;
    }

    /**
     * Publishes one heartbeat and reads the host's operator state, in one round trip.
     *
     * @throws RegistryException        when Redis cannot be written
     * @throws IllegalArgumentException when the report's JSON exceeds the record size limit
     */
    public Published publishAndRead(HostReport report) {
        String json = HeartbeatCodec.encode(report);
        String hostId = report.hostId();
        List<Object> reply = connection.call("publishing the heartbeat of " + hostId, redis -> RegistryConnection.eval(
                redis, PUBLISH_AND_READ, ScriptOutputType.MULTI,
                new String[] {keys.host(hostId), keys.hosts(), keys.schema(), keys.operators()},
                json, ttlMillis, Long.toString(report.reportedAtMillis()), hostId, FarmKeys.SCHEMA_VERSION));
        return Published.of(reply);
    }

    /**
     * What one heartbeat found.
     *
     * @param joined        the host was not a member before: it just joined, or came back after expiry
     * @param operatorState the host's stored operator state ({@link OperatorState#DEFAULT} when none or unreadable)
     */
    public record Published(boolean joined, OperatorState operatorState) {

        /** From {@link #PUBLISH_AND_READ}'s reply: {added, JSON or nil}. */
        public static Published of(List<?> reply) {
            if (reply == null || reply.isEmpty() || !(reply.get(0) instanceof Long added)) {
                throw new RegistryException("unexpected heartbeat script reply: " + reply);
            }
            Object state = reply.size() > 1 ? reply.get(1) : null;
            return new Published(added > 0, OperatorStateCodec.decodeOrDefault(state instanceof String s ? s : null));
        }
    }

    /**
     * Takes the host out of the farm at once (graceful shutdown), instead of waiting for expiry.
     *
     * @return true when it was a member
     * @throws RegistryException when Redis cannot be written
     */
    public boolean remove(String hostId) {
        requireHostId(hostId);
        Long removed = connection.call("removing host " + hostId, redis -> RegistryConnection.eval(redis, REMOVE,
                ScriptOutputType.INTEGER, new String[] {keys.host(hostId), keys.hosts()}, hostId));
        return removed != null && removed > 0;
    }

    static void requireHostId(String hostId) {
        Objects.requireNonNull(hostId, "hostId");
        if (!HostReport.isValidHostId(hostId)) {
            throw new IllegalArgumentException("hostId: '" + hostId
                    + "' (expected: 1-63 of a-z, 0-9 and '-', not starting or ending with '-')");
        }
    }
}
