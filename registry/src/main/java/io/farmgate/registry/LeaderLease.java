package io.farmgate.registry;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * A time-limited lease that makes one process of the farm the leader (the rebalancer). Whoever
 * holds the lease key owns it until it expires; the holder renews well before that, and another
 * contender takes over once a holder stops renewing.
 *
 * <p>The local view ({@link #isHeld}) is conservative: it counts the lease from the moment the
 * acquiring or renewing command was sent, so the holder stops acting a little before Redis would
 * let anyone else in.
 */
public final class LeaderLease {

    // KEYS: lease key. ARGV: owner id, lease ms.
    private static final LuaScript RENEW = new LuaScript(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then\n"
            + "  return redis.call('PEXPIRE', KEYS[1], ARGV[2])\n"
            + "end\n"
            + "return 0\n");

    // KEYS: lease key. ARGV: owner id.
    private static final LuaScript RELEASE = new LuaScript(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then\n"
            + "  return redis.call('DEL', KEYS[1])\n"
            + "end\n"
            + "return 0\n");

    private final RegistryConnection connection;
    private final String key;
    private final String ownerId;
    private final long leaseMillis;
    private final Clock clock;
    private volatile long heldUntilMillis = Long.MIN_VALUE;

    /**
     * @param ownerId     unique per process, e.g. host name plus a random suffix
     * @param leaseMillis how long a lease lasts without renewal; renew at a fraction of it
     */
    public LeaderLease(RegistryConnection connection, String ownerId, long leaseMillis, Clock clock) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.key = connection.keys().leader();
        Objects.requireNonNull(ownerId, "ownerId");
        if (ownerId.isEmpty() || ownerId.length() > 256) {
            throw new IllegalArgumentException("ownerId: '" + ownerId + "' (expected: 1-256 chars)");
        }
        if (leaseMillis < 10 || leaseMillis > 3_600_000) {
            throw new IllegalArgumentException("leaseMillis: " + leaseMillis + " (expected: in [10, 3600000])");
        }
        this.ownerId = ownerId;
        this.leaseMillis = leaseMillis;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Takes the lease if nobody holds it, or renews it if this owner already does.
     *
     * @return whether this owner holds the lease now
     * @throws RegistryException when Redis cannot be reached; treat as not holding it
     */
    public boolean tryAcquire() {
        long sentAt = clock.millis();
        String ok = connection.call("acquiring the leader lease", redis ->
                redis.set(key, ownerId, SetArgs.Builder.nx().px(leaseMillis)));
        if ("OK".equals(ok)) {
            heldUntilMillis = sentAt + leaseMillis;
            return true;
        }
        return renewFrom(sentAt);
    }

    /**
     * Extends the lease if this owner still holds it.
     *
     * @return whether this owner holds the lease now
     * @throws RegistryException when Redis cannot be reached; treat as not holding it
     */
    public boolean renew() {
        return renewFrom(clock.millis());
    }

    private boolean renewFrom(long sentAt) {
        Long renewed = connection.call("renewing the leader lease", redis -> RegistryConnection.eval(redis, RENEW,
                ScriptOutputType.INTEGER, new String[] {key}, ownerId, Long.toString(leaseMillis)));
        boolean held = renewed != null && renewed == 1L;
        heldUntilMillis = held ? sentAt + leaseMillis : Long.MIN_VALUE;
        return held;
    }

    /**
     * Gives the lease up if this owner holds it, so another contender need not wait for expiry.
     *
     * @return whether it was held by this owner
     * @throws RegistryException when Redis cannot be reached
     */
    public boolean release() {
        heldUntilMillis = Long.MIN_VALUE;
        Long released = connection.call("releasing the leader lease", redis -> RegistryConnection.eval(redis, RELEASE,
                ScriptOutputType.INTEGER, new String[] {key}, ownerId));
        return released != null && released == 1L;
    }

    /**
     * Whether this owner may act as leader at {@code nowMillis}, judged locally from the last
     * successful acquire or renew. No Redis call.
     */
    public boolean isHeld(long nowMillis) {
        return nowMillis < heldUntilMillis;
    }

    /**
     * The current holder's owner id, if any.
     *
     * @throws RegistryException when Redis cannot be reached
     */
    public Optional<String> holder() {
        return Optional.ofNullable(connection.call("reading the leader lease", redis -> redis.get(key)));
    }

    public String ownerId() {
        return ownerId;
    }

    public long leaseMillis() {
        return leaseMillis;
    }
}
