package io.farmgate.gateway;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The client keys this gateway assigned lately, remembered by hash in a fixed table, so an
 * assignment of a key it has assigned before can be counted as a reconnect without any change
 * to the clients: the cooperating clients send the same {@code ?client=} key on every attempt.
 * The table is direct-mapped and lossy: a key whose slot another key took since is not
 * recognised (an undercount, never an overcount short of a 64-bit hash collision). One atomic
 * swap per keyed assignment, no lock, fixed memory (8 bytes a slot).
 */
final class RecentClientKeys {

    /** Marks an empty slot; a key hashing to it is stored as {@link #ZERO_STAND_IN}. */
    private static final long EMPTY = 0L;
    private static final long ZERO_STAND_IN = 1L;

    private final AtomicLongArray slots;
    private final int mask;

    /** @param slots table size, a power of two */
    RecentClientKeys(int slots) {
        if (slots < 1 || Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots: " + slots + " (expected: a power of two >= 1)");
        }
        this.slots = new AtomicLongArray(slots);
        this.mask = slots - 1;
    }

    /** Remembers the key and says whether it was remembered already (the same client again). */
    boolean seenAgain(long keyHash) {
        long stored = keyHash == EMPTY ? ZERO_STAND_IN : keyHash;
        // The low bits choose the slot; the whole hash is kept, so two keys sharing a slot are told apart.
        return slots.getAndSet((int) (stored & mask), stored) == stored;
    }
}
