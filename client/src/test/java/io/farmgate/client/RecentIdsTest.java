package io.farmgate.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecentIdsTest {

    @Test
    void aRepeatWithinCapacityIsRecognised() {
        RecentIds ids = new RecentIds(3);
        assertThat(ids.add("a")).isTrue();
        assertThat(ids.add("a")).isFalse();
    }

    @Test
    void theOldestIdIsForgottenBeyondCapacity() {
        RecentIds ids = new RecentIds(2);
        ids.add("a");
        ids.add("b");
        ids.add("c");
        assertThat(ids.size()).isEqualTo(2);
        assertThat(ids.add("c")).isFalse();
        assertThat(ids.add("a")).isTrue();
    }
}
