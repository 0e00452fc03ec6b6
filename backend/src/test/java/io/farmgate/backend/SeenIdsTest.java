package io.farmgate.backend;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeenIdsTest {

    @Test
    void secondSightingOfAnIdIsNotTheFirst() {
        var seen = new SeenIds(10);

        assertThat(seen.firstTime("a")).isTrue();
        assertThat(seen.firstTime("a")).isFalse();
    }

    @Test
    void oldestIdsAreForgottenBeyondTheCapacity() {
        var seen = new SeenIds(2);
        seen.firstTime("a");
        seen.firstTime("b");
        seen.firstTime("c");

        assertThat(seen.contains("a")).isFalse();
        assertThat(seen.contains("c")).isTrue();
    }
}
