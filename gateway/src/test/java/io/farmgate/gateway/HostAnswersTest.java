package io.farmgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.farmgate.scoring.FarmSnapshot;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Per-host answer bytes are built once and carried over refreshes while a host keeps its URL. */
class HostAnswersTest {

    private final TestFarm farm = new TestFarm()
            .host("h1", "ws://10.0.0.1:9001", 10, 1000)
            .host("h2", "ws://10.0.0.2:9001", 10, 1000);
    private final HostAnswers.Latest latest = new HostAnswers.Latest(new ObjectMapper());

    private HostAnswers.Host answerFor(String id) {
        FarmSnapshot snapshot = farm.get();
        HostAnswers answers = latest.of(snapshot);
        for (int i = 0; i < snapshot.eligibleCount(); i++) {
            if (snapshot.eligible(i).id().equals(id)) {
                return answers.host(i);
            }
        }
        throw new AssertionError(id + " is not eligible");
    }

    @Test
    void aRefreshThatKeepsAHostsUrlReusesItsBytes() {
        farm.refresh();
        HostAnswers.Host before = answerFor("h1");

        farm.load("h1", 500).refresh();

        assertThat(answerFor("h1")).isSameAs(before);
    }

    @Test
    void aHostAtANewUrlGetsNewBytes() {
        farm.refresh();
        HostAnswers.Host before = answerFor("h1");

        farm.host("h1", "wss://10.0.0.9:9443", 10, 1000).refresh();

        HostAnswers.Host after = answerFor("h1");
        assertThat(after).isNotSameAs(before);
        assertThat(new String(after.redirect(), StandardCharsets.ISO_8859_1)).endsWith("Location: https://10.0.0.9:9443");
        assertThat(new String(after.assignUrl(), StandardCharsets.ISO_8859_1)).isEqualTo("{\"url\":\"wss://10.0.0.9:9443");
    }

    @Test
    void bytesNotNeededForASnapshotAreStillCarriedToTheNext() {
        farm.refresh();
        HostAnswers.Host first = answerFor("h2");

        farm.refresh(); // nobody asks for h2 in this snapshot
        latest.of(farm.get());
        farm.refresh();

        assertThat(answerFor("h2")).isSameAs(first);
    }
}
