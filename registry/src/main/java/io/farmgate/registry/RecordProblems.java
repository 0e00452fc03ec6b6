package io.farmgate.registry;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Counts unreadable registry records and logs each one once: when it first turns up or its
 * problem changes, not on every refresh while it stays broken. Used by one thread at a time.
 */
final class RecordProblems {

    private final Logger log;
    private final AtomicLong count = new AtomicLong();
    private final Map<String, String> known = new HashMap<>();
    private Set<String> seenThisRound = new HashSet<>();

    RecordProblems(Logger log) {
        this.log = log;
    }

    /** Records that the record at {@code where} was skipped because of {@code problem}. */
    void skipped(String where, String problem) {
        count.incrementAndGet();
        seenThisRound.add(where);
        String before = known.put(where, problem);
        if (!problem.equals(before)) {
            log.warn("skipping registry record {}: {}", where, problem);
        }
    }

    /** Forgets records that were not skipped since the last call, so they are logged again if they break again. */
    void endRound() {
        known.keySet().retainAll(seenThisRound);
        seenThisRound = new HashSet<>();
    }

    /** Records skipped so far, counting a record once per read. */
    long count() {
        return count.get();
    }
}
