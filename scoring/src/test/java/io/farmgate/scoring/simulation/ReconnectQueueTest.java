package io.farmgate.scoring.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReconnectQueueTest {

    @Test
    void returnsClientsInDueOrderWhateverTheOrderAdded() {
        ReconnectQueue q = new ReconnectQueue();
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 1_000; i++) {
            q.add(random.nextDouble() * 10_000, 0);
        }

        List<Double> due = new ArrayList<>();
        while (!q.isEmpty()) {
            due.add(q.peekDueMillis());
            q.pollAttempts();
        }

        assertThat(due).hasSize(1_000).isSorted();
    }

    @Test
    void keepsEachClientsAttemptsWithItsDueTime() {
        ReconnectQueue q = new ReconnectQueue();
        q.add(300.0, 3);
        q.add(100.0, 1);
        q.add(200.0, 2);

        assertThat(q.pollAttempts()).isEqualTo(1);
        assertThat(q.pollAttempts()).isEqualTo(2);
        assertThat(q.pollAttempts()).isEqualTo(3);
    }

    @Test
    void dueTimeKeepsMicrosecondPrecision() {
        ReconnectQueue q = new ReconnectQueue();
        q.add(1_234.567, 0);

        assertThat(q.peekDueMillis()).isEqualTo(1_234.567);
    }

    @Test
    void emptyQueueIsDueNever() {
        assertThat(new ReconnectQueue().peekDueMillis()).isEqualTo(Double.POSITIVE_INFINITY);
    }
}
