package io.farmgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FailedLoginLimiterTest {

    private static final long T0 = 1_000_000L;

    private final FailedLoginLimiter limiter = new FailedLoginLimiter(3, 60_000, 100);

    @Test
    void addressMayKeepTryingBelowTheLimit() {
        limiter.failed("10.0.0.1", T0);
        limiter.failed("10.0.0.1", T0 + 1);

        assertThat(limiter.lockedForMillis("10.0.0.1", T0 + 2)).isZero();
    }

    @Test
    void limitThFailureLocksTheAddressUntilItsWindowEnds() {
        limiter.failed("10.0.0.1", T0);
        limiter.failed("10.0.0.1", T0 + 10_000);
        boolean locked = limiter.failed("10.0.0.1", T0 + 20_000);

        assertThat(locked).isTrue();
        assertThat(limiter.lockedForMillis("10.0.0.1", T0 + 20_000)).isEqualTo(40_000);
        assertThat(limiter.lockedForMillis("10.0.0.1", T0 + 59_999)).isEqualTo(1);
    }

    @Test
    void lockLiftsWhenTheWindowEnds() {
        for (int i = 0; i < 3; i++) {
            limiter.failed("10.0.0.1", T0);
        }

        assertThat(limiter.lockedForMillis("10.0.0.1", T0 + 60_000)).isZero();
    }

    @Test
    void failuresOfAnEndedWindowDoNotCountTowardsTheNext() {
        limiter.failed("10.0.0.1", T0);
        limiter.failed("10.0.0.1", T0 + 1);
        limiter.failed("10.0.0.1", T0 + 60_000);
        limiter.failed("10.0.0.1", T0 + 60_001);

        assertThat(limiter.lockedForMillis("10.0.0.1", T0 + 60_002)).isZero();
    }

    @Test
    void onlyTheFailureThatReachesTheLimitReportsTheLockOut() {
        assertThat(limiter.failed("10.0.0.1", T0)).isFalse();
        assertThat(limiter.failed("10.0.0.1", T0)).isFalse();
        assertThat(limiter.failed("10.0.0.1", T0)).isTrue();
        assertThat(limiter.failed("10.0.0.1", T0)).isFalse();
    }

    @Test
    void oneAddressLockedOutLeavesOthersAlone() {
        for (int i = 0; i < 3; i++) {
            limiter.failed("10.0.0.1", T0);
        }

        assertThat(limiter.lockedForMillis("10.0.0.2", T0)).isZero();
    }

    @Test
    void trackedAddressesStayBoundedForgettingTheOldestWindowFirst() {
        FailedLoginLimiter small = new FailedLoginLimiter(1, 60_000, 2);
        small.failed("a", T0);
        small.failed("b", T0 + 1);
        small.failed("c", T0 + 2);

        assertThat(small.trackedClients()).isEqualTo(2);
        assertThat(small.lockedForMillis("a", T0 + 3)).isZero();
        assertThat(small.lockedForMillis("b", T0 + 3)).isPositive();
        assertThat(small.lockedForMillis("c", T0 + 3)).isPositive();
    }

    @Test
    void expiredWindowsAreForgottenBeforeAnyLiveOneIsEvicted() {
        FailedLoginLimiter small = new FailedLoginLimiter(1, 60_000, 2);
        small.failed("old", T0);
        small.failed("live", T0 + 30_000);
        small.failed("new", T0 + 60_000);

        assertThat(small.lockedForMillis("live", T0 + 60_000)).isEqualTo(30_000);
        assertThat(small.lockedForMillis("new", T0 + 60_000)).isEqualTo(60_000);
    }

    @Test
    void nonsenseLimitsAreRefusedNamingTheField() {
        assertThatThrownBy(() -> new FailedLoginLimiter(0, 1, 1)).hasMessageContaining("maxFailures: 0");
        assertThatThrownBy(() -> new FailedLoginLimiter(1, 0, 1)).hasMessageContaining("windowMillis: 0");
        assertThatThrownBy(() -> new FailedLoginLimiter(1, 1, 0)).hasMessageContaining("maxTrackedClients: 0");
    }
}
