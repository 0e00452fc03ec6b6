package io.farmgate.registry;

import io.farmgate.scoring.OperatorState;
import io.lettuce.core.ScriptOutputType;
import java.time.Clock;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What operators and the rebalancer decided per host (drain, weight, target connections), stored
 * in the farm's operator hash. Every change is a compare-and-set, so two admins never overwrite
 * each other's edits, and is followed in the same atomic step by a nudge on the farm channel so
 * agents and gateways reconcile at once rather than at their next poll.
 */
public final class OperatorStore {

    private static final Logger LOG = LoggerFactory.getLogger(OperatorStore.class);
    private static final int MAX_ATTEMPTS = 10;

    // KEYS: operator hash. ARGV: host id, "1" if a value is expected else "0", expected value, new value, channel.
    private static final LuaScript COMPARE_AND_SET = new LuaScript(
            "local current = redis.call('HGET', KEYS[1], ARGV[1])\n"
            + "if ARGV[2] == '0' then\n"
            + "  if current then return 0 end\n"
            + "elseif current ~= ARGV[3] then\n"
            + "  return 0\n"
            + "end\n"
            + "redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])\n"
            + "redis.call('PUBLISH', ARGV[5], ARGV[1])\n"
            + "return 1\n");

    // KEYS: operator hash. ARGV: host id, channel.
    private static final LuaScript CLEAR = new LuaScript(
            "local removed = redis.call('HDEL', KEYS[1], ARGV[1])\n"
            + "if removed > 0 then redis.call('PUBLISH', ARGV[2], ARGV[1]) end\n"
            + "return removed\n");

    private final RegistryConnection connection;
    private final FarmKeys keys;
    private final Clock clock;
    private final RecordProblems problems = new RecordProblems(LOG);

    public OperatorStore(RegistryConnection connection, Clock clock) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.keys = connection.keys();
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Operator state of every host that has one; unreadable records are left out, logged once and counted.
     *
     * @throws RegistryException when Redis cannot be read
     */
    public Map<String, OperatorState> readAll() {
        Map<String, String> raw = connection.call("reading operator states", redis -> redis.hgetall(keys.operators()));
        Map<String, OperatorState> states = new HashMap<>();
        synchronized (problems) {
            for (Map.Entry<String, String> e : raw.entrySet()) {
                Decoded<OperatorState> d = OperatorStateCodec.decode(e.getValue());
                if (d.ok()) {
                    states.put(e.getKey(), d.value());
                } else {
                    problems.skipped(keys.operators() + " field " + e.getKey(), d.problem());
                }
            }
            problems.endRound();
        }
        return Collections.unmodifiableMap(states);
    }

    /**
     * Operator state of one host; {@link OperatorState#DEFAULT} when it has none or it is unreadable.
     *
     * @throws RegistryException when Redis cannot be read
     */
    public OperatorState read(String hostId) {
        HeartbeatPublisher.requireHostId(hostId);
        String raw = connection.call("reading the operator state of " + hostId,
                redis -> redis.hget(keys.operators(), hostId));
        return OperatorStateCodec.decodeOrDefault(raw);
    }

    /** Host takes no new clients and sheds those it has. Returns the stored state. */
    public OperatorState drain(String hostId) {
        return update(hostId, s -> s.withDraining(true, clock.millis()));
    }

    /** Host is back to taking clients; also clears any target. Returns the stored state. */
    public OperatorState undrain(String hostId) {
        return update(hostId, s -> s.withDraining(false, clock.millis()));
    }

    /** Multiplies the host's own weight by {@code weight}, in (0, 1000]. Returns the stored state. */
    public OperatorState setWeight(String hostId, double weight) {
        return update(hostId, s -> s.withWeight(weight, clock.millis()));
    }

    /** Host sheds down to {@code connections} and takes no new clients above it. Returns the stored state. */
    public OperatorState setTarget(String hostId, int connections) {
        if (connections < 0) {
            throw new IllegalArgumentException("connections: " + connections + " (expected: >= 0)");
        }
        return update(hostId, s -> s.withTarget(connections, clock.millis()));
    }

    /** Removes the host's target. Returns the stored state. */
    public OperatorState clearTarget(String hostId) {
        return update(hostId, s -> s.withTarget(OperatorState.NO_TARGET, clock.millis()));
    }

    /**
     * Forgets everything decided about the host (e.g. once a scaled-down host is gone).
     *
     * @return true when there was something to forget
     */
    public boolean clear(String hostId) {
        HeartbeatPublisher.requireHostId(hostId);
        Long removed = connection.call("clearing the operator state of " + hostId, redis -> RegistryConnection.eval(redis, CLEAR,
                ScriptOutputType.INTEGER, new String[] {keys.operators()}, hostId, keys.nudgeChannel()));
        return removed != null && removed > 0;
    }

    /**
     * Reads, changes and writes back one host's state, retrying when someone else changed it in
     * between. An unreadable record is replaced; one from a newer version is not touched.
     *
     * @throws RegistryException when Redis cannot be reached, the record is from a newer version,
     *                           or it kept changing under us
     */
    private OperatorState update(String hostId, UnaryOperator<OperatorState> change) {
        HeartbeatPublisher.requireHostId(hostId);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            String before = connection.call("reading the operator state of " + hostId,
                    redis -> redis.hget(keys.operators(), hostId));
            OperatorState current = OperatorState.DEFAULT;
            if (before != null) {
                Decoded<OperatorState> d = OperatorStateCodec.decode(before);
                if (d.ok()) {
                    current = d.value();
                } else if (JsonRecords.newerVersion(before)) {
                    throw new RegistryException("operator state of " + hostId + " was written by a newer version ("
                            + d.problem() + "); not overwriting it");
                } else {
                    LOG.warn("replacing unreadable operator state of {}: {}", hostId, d.problem());
                }
            }
            OperatorState next = change.apply(current);
            String after = OperatorStateCodec.encode(next);
            Long swapped = connection.call("writing the operator state of " + hostId, redis -> RegistryConnection.eval(
                    redis, COMPARE_AND_SET, ScriptOutputType.INTEGER, new String[] {keys.operators()},
                    hostId, before == null ? "0" : "1", before == null ? "" : before, after, keys.nudgeChannel()));
            if (swapped != null && swapped == 1L) {
                return next;
            }
        }
        throw new RegistryException("operator state of " + hostId + " changed " + MAX_ATTEMPTS
                + " times while being updated; giving up");
    }

    /** Unreadable operator records skipped by {@link #readAll()} so far. */
    public long corruptRecords() {
        return problems.count();
    }
}
