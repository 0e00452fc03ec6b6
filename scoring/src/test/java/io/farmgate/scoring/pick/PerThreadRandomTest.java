package io.farmgate.scoring.pick;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.Reports;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Pickers started independently (as two gateway processes would be) must not choose in step. */
@Timeout(20)
class PerThreadRandomTest {

    private static final int PICKS = 64;
    private final FarmSnapshot farm = Reports.firstSnapshot(Reports.equalHosts(64, 100));

    /** The picks a picker built on the main thread makes on a fresh server thread, as an edge's would. */
    private List<Integer> picksOnAFreshThread(Supplier<Picker> built) throws Exception {
        Picker picker = built.get();
        ExecutorService server = Executors.newSingleThreadExecutor();
        try {
            return server.submit(() -> {
                List<Integer> out = new ArrayList<>();
                for (int i = 0; i < PICKS; i++) {
                    out.add(picker.pick(farm));
                }
                return out;
            }).get();
        } finally {
            server.shutdownNow();
        }
    }

    @Test
    void twoIndependentlyStartedPickersDoNotDrawTheSameSequence() throws Exception {
        List<Integer> first = picksOnAFreshThread(() -> new TwoChoicePicker(PerThreadRandom.create()));
        List<Integer> second = picksOnAFreshThread(() -> new TwoChoicePicker(PerThreadRandom.create()));

        assertThat(first).isNotEqualTo(second);
        assertThat(first.stream().distinct().count()).isGreaterThan(10);
    }

    @Test
    void eachThreadOfOnePickerDrawsItsOwnSequence() throws Exception {
        PerThreadRandom random = PerThreadRandom.create();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            var a = threads.submit(() -> draws(random));
            var b = threads.submit(() -> draws(random));
            assertThat(a.get()).isNotEqualTo(b.get());
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aSeededOneRepeatsItselfOnOneThreadAndSplitsAcrossThreads() throws Exception {
        assertThat(draws(PerThreadRandom.seeded(42))).isEqualTo(draws(PerThreadRandom.seeded(42)));
        assertThat(draws(PerThreadRandom.seeded(42))).isNotEqualTo(draws(PerThreadRandom.seeded(43)));
        PerThreadRandom shared = PerThreadRandom.seeded(42);
        List<Long> main = draws(shared);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            assertThat(other.submit(() -> draws(shared)).get()).isNotEqualTo(main);
        } finally {
            other.shutdownNow();
        }
    }

    private static List<Long> draws(PerThreadRandom random) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            out.add(random.nextLong());
        }
        return out;
    }
}
