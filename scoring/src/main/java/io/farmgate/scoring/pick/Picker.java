package io.farmgate.scoring.pick;

import io.farmgate.scoring.FarmSnapshot;

/**
 * Chooses one eligible host of a snapshot for a new client. Thread-safe; allocates nothing on
 * the pick path. Recording the assignment is the caller's part ({@link FarmSnapshot#recordAssignment}),
 * since only the caller knows how many clients one pick stands for.
 */
public interface Picker {

    /** The value of a pick when no host is eligible; edges map it to 503 or SERVFAIL. */
    int NO_HOST = -1;

    /** An index into the snapshot's eligible hosts, or {@link #NO_HOST}. */
    int pick(FarmSnapshot snapshot);

    /**
     * A pick for a client that wants affinity; {@code clientKeyHash} comes from
     * {@link io.farmgate.scoring.KeyHash#of}. Pickers without affinity ignore the key.
     */
    default int pick(FarmSnapshot snapshot, long clientKeyHash) {
        return pick(snapshot);
    }
}
