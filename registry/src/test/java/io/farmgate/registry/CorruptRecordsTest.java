package io.farmgate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.farmgate.scoring.HostView;
import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.testing.RedisServerExtension;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** Records this reader cannot trust are skipped, one by one, and the rest of the farm is served. */
class CorruptRecordsTest {

    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final String GOOD_JSON = HeartbeatCodec.encode(Hosts.report("bad-x", 1, 1));

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private RegistryConnection connection;
    private HeartbeatPublisher publisher;
    private SnapshotSource source;
    private FarmKeys keys;
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger sourceLog = (Logger) LoggerFactory.getLogger(SnapshotSource.class);

    @BeforeEach
    void open() {
        logged.start();
        sourceLog.addAppender(logged);
        RegistryConfig config = Hosts.fastConfig(redis.uri()).withHeartbeat(5_000, 60_000);
        keys = config.keys();
        connection = RegistryConnection.open(config);
        publisher = new HeartbeatPublisher(connection);
        source = SnapshotSource.start(connection, SnapshotPolicy.DEFAULT, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        source.close();
        connection.close();
        sourceLog.detachAppender(logged);
    }

    /** Writes a raw heartbeat value as some broken or future agent would. */
    private void plant(String hostId, String value) {
        redis.command("SET", keys.host(hostId), value, "PX", "60000");
        redis.command("ZADD", keys.hosts(), "0", hostId);
    }

    private void plantOneOfEachKind() {
        plant("bad-json", "{\"v\":1,\"hostId\":");
        plant("bad-type", GOOD_JSON.replace("bad-x", "bad-type").replace("\"capacity\":100", "\"capacity\":\"100\""));
        plant("bad-missing", GOOD_JSON.replace("bad-x", "bad-missing").replace("\"url\":\"ws://127.0.0.1:9001\",", ""));
        plant("bad-future", GOOD_JSON.replace("bad-x", "bad-future").replace("\"v\":1", "\"v\":2"));
        plant("bad-huge", GOOD_JSON.replace("bad-x", "bad-huge").replace("zone-a", "z".repeat(17 * 1024)));
    }

    @Test
    void corruptHeartbeatsAreSkippedWhileGoodHostsAreServed() {
        publisher.publish(Hosts.report("web-1", 3, 1));
        plantOneOfEachKind();
        long refreshesBefore = source.refreshes();

        await().atMost(PATIENCE).until(() -> source.refreshes() >= refreshesBefore + 2);

        assertThat(source.current().hosts()).extracting(HostView::id).containsExactly("web-1");
        assertThat(source.current().stale()).isFalse();
    }

    @Test
    void everySkippedRecordIsCounted() {
        plantOneOfEachKind();
        long refreshesBefore = source.refreshes();

        await().atMost(PATIENCE).until(() -> source.refreshes() >= refreshesBefore + 2);

        assertThat(source.corruptRecords()).as("5 bad records, at least one full refresh").isGreaterThanOrEqualTo(5);
    }

    @Test
    void eachCorruptRecordIsLoggedOnceNotOnEveryRefresh() {
        plantOneOfEachKind();
        long refreshesBefore = source.refreshes();

        await().atMost(PATIENCE).until(() -> source.refreshes() >= refreshesBefore + 10);

        List<String> warnings = logged.list.stream()
                .filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
        assertThat(warnings).hasSize(5);
        assertThat(warnings).anySatisfy(w -> assertThat(w).contains("bad-future").contains("version 2 is newer"));
        assertThat(warnings).anySatisfy(w -> assertThat(w).contains("bad-huge").contains("bytes (expected: <= 16384)"));
    }

    @Test
    void memberThatIsNotAHostIdIsSkipped() {
        publisher.publish(Hosts.report("web-1", 3, 1));
        plant("NOT A HOST", GOOD_JSON);
        long refreshesBefore = source.refreshes();

        await().atMost(PATIENCE).until(() -> source.refreshes() >= refreshesBefore + 2);

        assertThat(source.current().hosts()).extracting(HostView::id).containsExactly("web-1");
        assertThat(source.corruptRecords()).isPositive();
    }

    @Test
    void corruptOperatorRecordKeepsTheLastKnownState() {
        publisher.publish(Hosts.report("web-1", 3, 1));
        new OperatorStore(connection, Clock.systemUTC()).drain("web-1");
        await().atMost(PATIENCE).until(() -> source.current().host("web-1") != null
                && source.current().host("web-1").operator().draining());

        redis.command("HSET", keys.operators(), "web-1", "{\"v\":1,\"draining\":\"yes\"}");
        long refreshesBefore = source.refreshes();
        await().atMost(PATIENCE).until(() -> source.refreshes() >= refreshesBefore + 2);

        assertThat(source.current().host("web-1").operator().draining()).isTrue();
        assertThat(source.corruptRecords()).isPositive();
    }

    @Test
    void tenMegabyteHeartbeatIsSkippedAndCountedWhileGoodHostsAreServed() {
        publisher.publish(Hosts.report("web-1", 3, 1));
        String huge = GOOD_JSON.replace("bad-x", "bad-10mb").replace("zone-a", "z".repeat(10 * 1024 * 1024));
        plant("bad-10mb", huge);
        long refreshesBefore = source.refreshes();

        await().atMost(PATIENCE).until(() -> source.refreshes() >= refreshesBefore + 2);

        assertThat(source.current().hosts()).extracting(HostView::id).containsExactly("web-1");
        assertThat(source.corruptRecords()).isPositive();
        assertThat(source.current().stale()).isFalse();
    }

    @Test
    void heartbeatKeyOfAnotherRedisTypeIsSkippedWhileGoodHostsAreServed() {
        publisher.publish(Hosts.report("web-1", 3, 1));
        redis.command("HSET", keys.host("bad-hash"), "v", "1");
        redis.command("ZADD", keys.hosts(), "0", "bad-hash");
        long refreshesBefore = source.refreshes();

        await().atMost(PATIENCE).until(() -> source.refreshes() >= refreshesBefore + 2);

        assertThat(source.current().hosts()).extracting(HostView::id).containsExactly("web-1");
        assertThat(source.current().stale()).isFalse();
    }

    @Test
    void operatorHashWithThousandsOfJunkFieldsIsSkippedFieldByFieldAndCounted() {
        publisher.publish(Hosts.report("web-1", 3, 1));
        new OperatorStore(connection, Clock.systemUTC()).drain("web-1");
        List<String> args = new java.util.ArrayList<>(List.of("HSET", keys.operators()));
        for (int i = 0; i < 5_000; i++) {
            args.add("junk-" + i);
            args.add(i % 2 == 0 ? "{\"v\":1,\"draining\":" + i + "}" : "x".repeat(100));
        }
        redis.command(args.toArray(String[]::new));
        long refreshesBefore = source.refreshes();

        await().atMost(PATIENCE).until(() -> source.refreshes() >= refreshesBefore + 2);

        assertThat(source.current().hosts()).extracting(HostView::id).containsExactly("web-1");
        assertThat(source.current().host("web-1").operator().draining()).isTrue();
        assertThat(source.corruptRecords()).isGreaterThanOrEqualTo(5_000);
    }

    @Test
    void tenMegabyteOperatorRecordIsSkippedAndTheLastKnownStateKept() {
        publisher.publish(Hosts.report("web-1", 3, 1));
        new OperatorStore(connection, Clock.systemUTC()).drain("web-1");
        await().atMost(PATIENCE).until(() -> source.current().host("web-1") != null
                && source.current().host("web-1").operator().draining());

        redis.command("HSET", keys.operators(), "web-1", "{\"v\":1,\"pad\":\"" + "p".repeat(10 * 1024 * 1024) + "\"}");
        long refreshesBefore = source.refreshes();
        await().atMost(PATIENCE).until(() -> source.refreshes() >= refreshesBefore + 2);

        assertThat(source.current().host("web-1").operator().draining()).isTrue();
        assertThat(source.corruptRecords()).isPositive();
    }
}
