package io.farmgate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.farmgate.testing.RedisServerExtension;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EventLogTest {

    private static final int MAX_LENGTH = 10;
    /** Approximate trimming removes whole stream nodes; a node holds up to this many entries by default. */
    private static final int STREAM_NODE_ENTRIES = 100;

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private RegistryConnection connection;
    private EventLog log;

    @BeforeEach
    void open() {
        connection = RegistryConnection.open(Hosts.fastConfig(redis.uri()).withEventStreamMaxLength(MAX_LENGTH));
        log = new EventLog(connection);
    }

    @AfterEach
    void close() {
        connection.close();
    }

    @Test
    void appendedEventReadsBackWithItsDetails() {
        FarmEvent shed = new FarmEvent(FarmEvent.Type.SHED, "web-1", "rebalancer", "over target", 1_000L,
                Map.of("count", "5"));

        log.append(shed);

        assertThat(log.latest(1)).containsExactly(shed);
    }

    @Test
    void latestComesNewestFirst() {
        log.append(FarmEvent.of(FarmEvent.Type.JOIN, "web-1", "agent:web-1", "", 1L));
        log.append(FarmEvent.of(FarmEvent.Type.DRAIN, "web-1", "admin", "maintenance", 2L));
        log.append(FarmEvent.of(FarmEvent.Type.SCALE_DOWN, "", "admin", "", 3L));

        assertThat(log.latest(2)).extracting(FarmEvent::atMillis).containsExactly(3L, 2L);
    }

    @Test
    void streamIsCappedNearItsMaxLength() {
        int appended = 3 * STREAM_NODE_ENTRIES;
        for (int i = 0; i < appended; i++) {
            log.append(FarmEvent.of(FarmEvent.Type.SHED, "web-1", "rebalancer", "", i));
        }

        assertThat(log.length()).isLessThanOrEqualTo(MAX_LENGTH + STREAM_NODE_ENTRIES).isGreaterThanOrEqualTo(MAX_LENGTH);
        assertThat(log.latest(3)).extracting(FarmEvent::atMillis)
                .containsExactly((long) appended - 1, (long) appended - 2, (long) appended - 3);
    }

    @Test
    void unreadableEntriesAreSkippedAndCounted() {
        String key = connection.keys().events();
        log.append(FarmEvent.of(FarmEvent.Type.JOIN, "web-1", "agent:web-1", "", 1L));
        redis.command("XADD", key, "*", "v", "2", "type", "join", "hostId", "web-2", "actor", "x", "atMillis", "2");
        redis.command("XADD", key, "*", "v", "1", "type", "teleport", "hostId", "web-3", "actor", "x", "atMillis", "3");
        redis.command("XADD", key, "*", "v", "1", "type", "join", "hostId", "web-4", "actor", "x", "atMillis", "soon");

        assertThat(log.latest(10)).extracting(FarmEvent::hostId).containsExactly("web-1");
        assertThat(log.unreadableEvents()).isEqualTo(3);
    }

    @Test
    void eventWithInvalidActorIsRejectedBeforeWriting() {
        assertThatThrownBy(() -> FarmEvent.of(FarmEvent.Type.JOIN, "web-1", "two words", "", 1L))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("actor: 'two words'");
    }
}
