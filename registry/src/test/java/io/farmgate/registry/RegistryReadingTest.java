package io.farmgate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.farmgate.registry.RegistryReading.SkippedRecord;
import io.farmgate.scoring.HostReport;
import io.farmgate.testing.FreePort;
import io.farmgate.testing.MutableClock;
import io.farmgate.testing.RedisServerExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One read-only look at a real registry: what a gateway would use, and what it would skip and why. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RegistryReadingTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private final MutableClock clock = MutableClock.atEpochOf2025();
    private RegistryConnection connection;
    private FarmKeys keys;

    @BeforeEach
    void open() {
        // Heartbeats that outlive a slow machine; the default command timeout.
        connection = RegistryConnection.open(RegistryConfig.defaults(redis.uri(), "test-farm").withHeartbeat(1_000, 60_000));
        keys = connection.keys();
    }

    @AfterEach
    void close() {
        connection.close();
    }

    @Test
    void readsHostsOperatorsAndLeaderAndKeepsEverySkippedRecordWithItsReason() {
        new HeartbeatPublisher(connection).publish(Hosts.report("web-1", 5, 3));
        new OperatorStore(connection, clock).drain("web-1");
        redis.command("SET", keys.leader(), "gw-7");
        redis.command("SET", keys.host("web-2"), "{\"v\":1,\"hostId\":\"web-2\"", "PX", "60000");
        redis.command("ZADD", keys.hosts(), "0", "web-2");
        redis.command("SET", keys.host("web-3"), "{\"v\":7,\"hostId\":\"web-3\"}", "PX", "60000");
        redis.command("ZADD", keys.hosts(), "0", "web-3");
        redis.command("SET", keys.host("Not_A_Host"), "{}", "PX", "60000");
        redis.command("ZADD", keys.hosts(), "0", "Not_A_Host");
        redis.command("ZADD", keys.hosts(), "0", "gone");  // its heartbeat key expired
        redis.command("HSET", keys.operators(), "web-4", "{\"v\":1,\"draining\":\"yes\"}");

        RegistryReading r = RegistryReading.read(connection, clock);

        assertThat(r.readAtMillis()).isEqualTo(clock.millis());
        assertThat(r.schemaVersion()).isEqualTo(FarmKeys.SCHEMA_VERSION);
        assertThat(r.schemaKnown()).isTrue();
        assertThat(r.hosts()).extracting(HostReport::hostId).containsExactly("web-1");
        assertThat(r.hosts().get(0).sequence()).isEqualTo(3);
        assertThat(r.operators()).containsOnlyKeys("web-1");
        assertThat(r.operators().get("web-1").draining()).isTrue();
        assertThat(r.expiredMembers()).containsExactly("gone");
        assertThat(r.leader()).hasValue("gw-7");
        assertThat(r.skipped()).extracting(SkippedRecord::where).containsExactlyInAnyOrder(keys.host("web-2"),
                keys.host("web-3"), keys.hosts() + " member 'Not_A_Host'", keys.operators() + " field web-4");
        assertThat(r.skipped()).filteredOn(SkippedRecord::newerVersion).extracting(SkippedRecord::where)
                .containsExactly(keys.host("web-3"));
        assertThat(r.skipped()).filteredOn(s -> s.where().equals(keys.operators() + " field web-4"))
                .singleElement().extracting(SkippedRecord::problem).asString().contains("draining");
    }

    @Test
    void anEmptyFarmHasNoSchemaAndNothingElse() {
        RegistryReading r = RegistryReading.read(connection, clock);

        assertThat(r.schemaVersion()).isNull();
        assertThat(r.schemaKnown()).isTrue();
        assertThat(r.hosts()).isEmpty();
        assertThat(r.skipped()).isEmpty();
        assertThat(r.leader()).isEmpty();
    }

    @Test
    void aKeyLayoutFromANewerFarmgateIsReportedNotDecoded() {
        new HeartbeatPublisher(connection).publish(Hosts.report("web-1", 5, 3));
        redis.command("SET", keys.schema(), "2");

        RegistryReading r = RegistryReading.read(connection, clock);

        assertThat(r.schemaKnown()).isFalse();
        assertThat(r.schemaVersion()).isEqualTo("2");
        assertThat(r.hosts()).isEmpty();
    }

    @Test
    void anUnreachableRegistryIsARegistryException() {
        try (RegistryConnection nowhere = RegistryConnection.open(Hosts.fastConfig("redis://127.0.0.1:" + FreePort.pick()))) {
            assertThatThrownBy(() -> RegistryReading.read(nowhere, clock)).isInstanceOf(RegistryException.class);
        }
    }
}
