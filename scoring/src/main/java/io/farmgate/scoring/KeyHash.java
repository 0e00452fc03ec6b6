package io.farmgate.scoring;

/**
 * A stable 64-bit hash of strings (FNV-1a, then a murmur3 finaliser), the same on every
 * gateway and every JVM, so client affinity survives restarts and scale-out.
 */
public final class KeyHash {

    private KeyHash() {
    }

    public static long of(CharSequence s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    /** Murmur3's 64-bit finaliser: spreads every input bit over the whole output. */
    public static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
