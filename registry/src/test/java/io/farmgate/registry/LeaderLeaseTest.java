package io.farmgate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmgate.testing.MutableClock;
import io.farmgate.testing.RedisServerExtension;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LeaderLeaseTest {

    private static final long LEASE_MILLIS = 300;

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private RegistryConnection first;
    private RegistryConnection second;
    private LeaderLease alice;
    private LeaderLease bob;

    @BeforeEach
    void open() {
        RegistryConfig config = Hosts.fastConfig(redis.uri());
        first = RegistryConnection.open(config);
        second = RegistryConnection.open(config);
        alice = new LeaderLease(first, "alice", LEASE_MILLIS, Clock.systemUTC());
        bob = new LeaderLease(second, "bob", LEASE_MILLIS, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        first.close();
        second.close();
    }

    @Test
    void exactlyOneOfTwoContendersHoldsTheLease() {
        boolean aliceWon = alice.tryAcquire();
        boolean bobWon = bob.tryAcquire();

        assertThat(aliceWon).isNotEqualTo(bobWon);
        assertThat(alice.holder()).contains(aliceWon ? "alice" : "bob");
    }

    @Test
    void holderKeepsTheLeaseByAcquiringAgain() {
        alice.tryAcquire();

        assertThat(alice.tryAcquire()).isTrue();
        assertThat(bob.tryAcquire()).isFalse();
    }

    @Test
    void otherContenderTakesOverAfterExpiry() {
        assertThat(alice.tryAcquire()).isTrue();

        // alice stops renewing (crashed); bob keeps trying.
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(25)).until(bob::tryAcquire);

        assertThat(bob.holder()).contains("bob");
        assertThat(alice.renew()).as("a lapsed holder cannot renew").isFalse();
    }

    @Test
    void renewingHolderKeepsTheLeaseForSeveralTerms() {
        long leaseMillis = 1_000;
        LeaderLease longAlice = new LeaderLease(first, "alice", leaseMillis, Clock.systemUTC());
        LeaderLease longBob = new LeaderLease(second, "bob", leaseMillis, Clock.systemUTC());
        assertThat(longAlice.tryAcquire()).isTrue();

        await().during(Duration.ofMillis(2_500)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> longAlice.renew() && !longBob.tryAcquire());

        assertThat((Long) redis.command("PTTL", first.keys().leader())).isBetween(1L, leaseMillis);
    }

    @Test
    void releaseLetsTheOtherInAtOnce() {
        alice.tryAcquire();

        assertThat(alice.release()).isTrue();

        assertThat(bob.tryAcquire()).isTrue();
    }

    @Test
    void nonHolderCannotRenewOrRelease() {
        alice.tryAcquire();

        assertThat(bob.renew()).isFalse();
        assertThat(bob.release()).isFalse();
        assertThat(alice.holder()).contains("alice");
    }

    @Test
    void localViewEndsOneLeaseAfterTheLastSuccessfulCall() {
        MutableClock clock = MutableClock.atEpochOf2025();
        LeaderLease carol = new LeaderLease(first, "carol", LEASE_MILLIS, clock);
        long start = clock.millis();

        carol.tryAcquire();

        assertThat(carol.isHeld(start + LEASE_MILLIS - 1)).isTrue();
        assertThat(carol.isHeld(start + LEASE_MILLIS)).isFalse();
    }
}
