package io.farmgate.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.scoring.Eligibility;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.scoring.ScoreFormula;
import io.farmgate.scoring.SlowStart;
import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.testing.MutableClock;
import io.farmgate.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Heartbeats stamped by a sender whose clock is 30 s ahead of or behind the reader's, through real
 * Redis: freshness follows the reader's clock and the heartbeat's sequence, never the stamp.
 */
class HeartbeatClockSkewTest {

    private static final long STALE_AFTER_MILLIS = 3_000;

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private final MutableClock receiver = MutableClock.atEpochOf2025();
    private RegistryConnection connection;
    private SnapshotSource source;
    private HeartbeatPublisher publisher;

    @BeforeEach
    void open() {
        // Keys live for a minute of Redis time, so only the reader's judgement is under test.
        connection = RegistryConnection.open(Hosts.fastConfig(redis.uri()).withHeartbeat(1_000, 60_000));
        source = SnapshotSource.start(connection,
                new SnapshotPolicy(STALE_AFTER_MILLIS, ScoreFormula.DEFAULT, SlowStart.OFF), receiver);
        publisher = new HeartbeatPublisher(connection);
    }

    @AfterEach
    void close() {
        source.close();
        connection.close();
    }

    /** What a sender whose clock is {@code skewMillis} off the receiver's publishes as heartbeat {@code sequence}. */
    private void publishSkewed(long skewMillis, long sequence) {
        publisher.publish(new HostReport("web-1", "ws://127.0.0.1:9001", "127.0.0.11", "", 10, 100, 0.1,
                HostState.ACTIVE, 1.0, receiver.millis() + skewMillis, sequence));
    }

    private Eligibility verdict() {
        assertThat(source.refreshNow()).isTrue();
        return source.current().host("web-1").eligibility();
    }

    @ParameterizedTest(name = "sender clock off by {0} ms")
    @ValueSource(longs = {30_000, -30_000})
    void skewedSenderStaysFreshWhileItsHeartbeatsKeepComing(long skewMillis) {
        publishSkewed(skewMillis, 1);
        assertThat(verdict()).isEqualTo(Eligibility.ELIGIBLE);

        for (long sequence = 2; sequence <= 5; sequence++) {
            receiver.advanceMillis(STALE_AFTER_MILLIS - 1);
            publishSkewed(skewMillis, sequence);
            assertThat(verdict()).as("after heartbeat %d", sequence).isEqualTo(Eligibility.ELIGIBLE);
        }
    }

    @ParameterizedTest(name = "sender clock off by {0} ms")
    @ValueSource(longs = {30_000, -30_000})
    void skewedSenderGoesStaleByTheReceiversClockOnceItsHeartbeatsStop(long skewMillis) {
        publishSkewed(skewMillis, 1);
        assertThat(verdict()).isEqualTo(Eligibility.ELIGIBLE);

        receiver.advanceMillis(STALE_AFTER_MILLIS + 1);

        // A stamp 30 s ahead would still look 27 s "young"; the reader goes by its own clock.
        assertThat(verdict()).isEqualTo(Eligibility.STALE);
    }
}
