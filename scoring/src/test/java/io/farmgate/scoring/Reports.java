package io.farmgate.scoring;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Test fixture: heartbeats and snapshots with plain defaults, so each test states only what it is about. */
public final class Reports {

    /** Receiver time of the first snapshot the fixture builds. */
    public static final long T0 = 1_000_000L;

    private Reports() {
    }

    /** An active host with capacity 1000, no CPU use and weight 1, at sequence 1. */
    public static HostReport report(String id, int connections) {
        return report(id, connections, 1000, 0.0);
    }

    public static HostReport report(String id, int connections, int capacity, double cpu) {
        return new HostReport(id, "ws://" + id + ":9001", "10.0.0.1", "", connections, capacity, cpu,
                HostState.ACTIVE, 1.0, 0L, 1L);
    }

    /** {@code n} identical hosts named h00, h01, ... */
    public static List<HostReport> equalHosts(int n, int connections) {
        List<HostReport> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(report(String.format("h%02d", i), connections));
        }
        return out;
    }

    /** The first snapshot of a process (no slow start) holding these hosts, at {@link #T0}. */
    public static FarmSnapshot firstSnapshot(List<HostReport> reports) {
        return firstSnapshot(SnapshotPolicy.DEFAULT, reports);
    }

    public static FarmSnapshot firstSnapshot(SnapshotPolicy policy, List<HostReport> reports) {
        return FarmSnapshot.initial(policy).next(reports, Map.of(), T0);
    }

    /** The index among the eligible hosts of the host with this id. */
    public static int indexOf(FarmSnapshot snapshot, String hostId) {
        for (int i = 0; i < snapshot.eligibleCount(); i++) {
            if (snapshot.eligible(i).id().equals(hostId)) {
                return i;
            }
        }
        throw new IllegalArgumentException("not eligible: " + hostId);
    }
}
