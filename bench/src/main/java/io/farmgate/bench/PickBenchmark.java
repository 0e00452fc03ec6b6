package io.farmgate.bench;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.scoring.KeyHash;
import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.scoring.pick.BoundedLoadRendezvousPicker;
import io.farmgate.scoring.pick.LeastScorePicker;
import io.farmgate.scoring.pick.Picker;
import io.farmgate.scoring.pick.TwoChoicePicker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The cost of one pick on the gateway's hot path, for farms of 10 to 10,000 eligible hosts, with
 * and without recording the assignment. Target for two-choice: at most 200 ns and no allocation
 * per pick at every size; least-score and rendezvous scan every host and are here for comparison.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class PickBenchmark {

    @Param({"10", "1000", "10000"})
    int hosts;

    private FarmSnapshot snapshot;
    private Picker twoChoice;
    private Picker leastScore;
    private Picker rendezvous;

    @Setup(Level.Trial)
    public void pickers() {
        twoChoice = new TwoChoicePicker(ThreadLocalRandom.current());
        leastScore = new LeastScorePicker();
        rendezvous = new BoundedLoadRendezvousPicker(BoundedLoadRendezvousPicker.DEFAULT_EPSILON,
                new TwoChoicePicker(ThreadLocalRandom.current()));
    }

    /**
     * Built once per trial, not per iteration: the GC profiler counts what a per-iteration setup
     * allocates (megabytes for 10,000 hosts) against the picks and shows phantom bytes per op.
     * The record variants' ledger grows over the trial; that moves effective scores, not the cost.
     */
    @Setup(Level.Trial)
    public void farm() {
        SplittableRandom random = new SplittableRandom(42);
        List<HostReport> reports = new ArrayList<>(hosts);
        for (int i = 0; i < hosts; i++) {
            int capacity = 10_000;
            // Realistic spread: between a third and four fifths full, CPU loosely following.
            int connections = 3_000 + random.nextInt(5_000);
            double cpu = Math.min(1.0, 0.5 * connections / capacity + 0.3 * random.nextDouble());
            reports.add(new HostReport(String.format("host-%05d", i), "ws://10.0.0.1:9001", "10.0.0.1", "",
                    connections, capacity, cpu, HostState.ACTIVE, 1.0, 0L, 1L));
        }
        snapshot = FarmSnapshot.initial(SnapshotPolicy.DEFAULT).next(reports, Map.of(), 1_000_000L);
        if (snapshot.eligibleCount() != hosts) {
            throw new IllegalStateException("eligible: " + snapshot.eligibleCount() + " (expected: " + hosts + ")");
        }
    }

    /** Client keys cycled through per thread, so rendezvous sees varied keys without hashing strings. */
    @State(Scope.Thread)
    public static class ClientKeys {
        private static final int MASK = 1023;
        private final long[] hashes = new long[MASK + 1];
        private int next;

        @Setup(Level.Trial)
        public void keys() {
            for (int i = 0; i < hashes.length; i++) {
                hashes[i] = KeyHash.of("client-" + i);
            }
        }

        long next() {
            return hashes[next++ & MASK];
        }
    }

    @Benchmark
    public int twoChoice() {
        return twoChoice.pick(snapshot);
    }

    @Benchmark
    public int twoChoiceAndRecord() {
        int host = twoChoice.pick(snapshot);
        snapshot.recordAssignment(host, 1);
        return host;
    }

    @Benchmark
    public int leastScore() {
        return leastScore.pick(snapshot);
    }

    @Benchmark
    public int rendezvous(ClientKeys keys) {
        return rendezvous.pick(snapshot, keys.next());
    }

    @Benchmark
    public int rendezvousAndRecord(ClientKeys keys) {
        int host = rendezvous.pick(snapshot, keys.next());
        snapshot.recordAssignment(host, 1);
        return host;
    }
}
