package io.farmgate.scoring.pick;

import io.farmgate.scoring.FarmSnapshot;

/**
 * Up to {@code k} distinct eligible hosts of one kind for one answer (a DNS response carries
 * several addresses): drawn with the picker, so the spread and slow start are the picker's; kept
 * only when of the wanted kind (A or AAAA: some hosts of a mixed farm lack the family) and not
 * already chosen; and, after a bounded number of draws, filled by lowest effective score. Each
 * chosen host is recorded in the snapshot's ledger as its share of the clients the answer stands for.
 * Allocates nothing.
 */
public final class DistinctPicks {

    /** Bound on picker calls per wanted host before the rest are filled by lowest score. */
    static final int PICK_TRIES_PER_HOST = 8;

    private DistinctPicks() {
    }

    /**
     * Writes the eligible indexes of up to {@code k} distinct hosts whose {@code kindOf[index]}
     * equals {@code kind} into {@code chosen} and returns how many.
     *
     * @param kindOf           per eligible index, the host's kind (at least {@code eligibleCount} long)
     * @param available        how many eligible hosts are of {@code kind}
     * @param clientsPerAnswer clients the answer stands for; each chosen host is recorded with
     *                         {@code ceil(clientsPerAnswer / chosen)}, at least 1
     * @param chosen           out: at least {@code min(k, available)} long
     */
    public static int choose(FarmSnapshot snapshot, Picker picker, int[] kindOf, int kind, int available, int k,
                             long clientsPerAnswer, int[] chosen) {
        int want = Math.min(k, available);
        if (want <= 0) {
            return 0;
        }
        int got = 0;
        for (int tries = 0; got < want && tries < PICK_TRIES_PER_HOST * want; tries++) {
            int i = picker.pick(snapshot);
            if (i == Picker.NO_HOST) {
                break;
            }
            if (kindOf[i] == kind && !contains(chosen, got, i)) {
                chosen[got++] = i;
            }
        }
        while (got < want) {
            int next = lowestScoreNotChosen(snapshot, kindOf, kind, chosen, got);
            if (next < 0) {
                break; // fewer of the kind than announced
            }
            chosen[got++] = next;
        }
        long perHost = Math.max(1L, (clientsPerAnswer + got - 1) / Math.max(1, got));
        for (int j = 0; j < got; j++) {
            snapshot.recordAssignment(chosen[j], perHost);
        }
        return got;
    }

    private static boolean contains(int[] a, int n, int v) {
        for (int j = 0; j < n; j++) {
            if (a[j] == v) {
                return true;
            }
        }
        return false;
    }

    private static int lowestScoreNotChosen(FarmSnapshot snapshot, int[] kindOf, int kind, int[] chosen, int n) {
        int best = -1;
        for (int i = 0; i < snapshot.eligibleCount(); i++) {
            if (kindOf[i] == kind && !contains(chosen, n, i)
                    && (best < 0 || snapshot.effectiveScore(i) < snapshot.effectiveScore(best))) {
                best = i;
            }
        }
        return best;
    }
}
