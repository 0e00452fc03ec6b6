package io.farmgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.farmgate.scoring.KeyHash;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Recognising a client key assigned before, the basis of the dashboard's reconnects per second. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RecentClientKeysTest {

    @Test
    void aKeyIsNewTheFirstTimeAndKnownAfter() {
        RecentClientKeys keys = new RecentClientKeys(1 << 10);

        assertThat(keys.seenAgain(KeyHash.of("alice"))).isFalse();
        assertThat(keys.seenAgain(KeyHash.of("bob"))).isFalse();
        assertThat(keys.seenAgain(KeyHash.of("alice"))).isTrue();
        assertThat(keys.seenAgain(KeyHash.of("bob"))).isTrue();
    }

    @Test
    void aKeyWhoseSlotWasTakenIsForgottenNotConfused() {
        RecentClientKeys keys = new RecentClientKeys(1); // every key shares the one slot

        assertThat(keys.seenAgain(KeyHash.of("alice"))).isFalse();
        assertThat(keys.seenAgain(KeyHash.of("bob"))).as("another key in the slot is not alice").isFalse();
        assertThat(keys.seenAgain(KeyHash.of("alice"))).as("forgotten: an undercount").isFalse();
    }

    @Test
    void theHashZeroIsAKeyLikeAnyOther() {
        RecentClientKeys keys = new RecentClientKeys(4);

        assertThat(keys.seenAgain(0L)).isFalse();
        assertThat(keys.seenAgain(0L)).isTrue();
    }

    @Test
    void theTableSizeIsAPowerOfTwo() {
        assertThatThrownBy(() -> new RecentClientKeys(3)).hasMessage("slots: 3 (expected: a power of two >= 1)");
    }
}
