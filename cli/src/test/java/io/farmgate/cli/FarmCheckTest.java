package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.farmgate.registry.RegistryReading;
import io.farmgate.registry.RegistryReading.SkippedRecord;
import io.farmgate.scoring.Eligibility;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.scoring.OperatorState;
import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.testing.MutableClock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** farmgate check's verdict from two readings, on a fake clock. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FarmCheckTest {

    private static final long WATCH = 1_500;
    private static final long MAX_SKEW = 5_000;

    private final MutableClock clock = MutableClock.atEpochOf2025();

    private static HostReport host(String id, long sequence, long reportedAt) {
        return new HostReport(id, "ws://10.0.0.1:9001", "10.0.0.1", "", 10, 100, 0.2, HostState.ACTIVE, 1.0,
                reportedAt, sequence);
    }

    private RegistryReading reading(List<HostReport> hosts) {
        return reading(hosts, Map.of(), List.of());
    }

    private RegistryReading reading(List<HostReport> hosts, Map<String, OperatorState> operators,
                                    List<SkippedRecord> skipped) {
        return new RegistryReading(clock.millis(), "1", hosts, List.of(), operators, skipped, Optional.of("gw-1"));
    }

    private FarmCheck judge(RegistryReading first, RegistryReading second) {
        return FarmCheck.judge("chat", first, second, SnapshotPolicy.DEFAULT, MAX_SKEW);
    }

    @Test
    void movingHostsWithClocksInStepAreHealthyAndTheSkewIsBoundedByTheWatch() {
        long t1 = clock.millis();
        RegistryReading first = reading(List.of(host("web-1", 7, t1 - 400), host("web-2", 3, t1 - 100)));
        clock.advanceMillis(WATCH);
        long t2 = clock.millis();
        RegistryReading second = reading(List.of(host("web-1", 8, t2 - 300), host("web-2", 5, t2 - 50)));

        FarmCheck check = judge(first, second);

        assertThat(check.problems()).isEmpty();
        assertThat(check.healthy()).isTrue();
        assertThat(check.watchMillis()).isEqualTo(WATCH);
        assertThat(check.leader()).hasValue("gw-1");
        FarmCheck.HostStatus web1 = check.hosts().get(0);
        assertThat(web1.id()).isEqualTo("web-1");
        assertThat(web1.moved()).isTrue();
        assertThat(web1.sequenceBefore()).isEqualTo(7);
        assertThat(web1.reportedAgeMillis()).isEqualTo(300);
        assertThat(web1.skewLowMillis()).isEqualTo(-300);
        assertThat(web1.skewHighMillis()).isEqualTo(WATCH - 300);
        assertThat(web1.eligibility()).isEqualTo(Eligibility.ELIGIBLE);
    }

    @Test
    void aSequenceThatDoesNotMoveIsAProblemAndItsSkewIsUnknown() {
        RegistryReading first = reading(List.of(host("web-1", 7, clock.millis()), host("web-2", 3, clock.millis())));
        clock.advanceMillis(WATCH);
        RegistryReading second = reading(List.of(host("web-1", 7, clock.millis() - WATCH), host("web-2", 4, clock.millis())));

        FarmCheck check = judge(first, second);

        assertThat(check.problems()).containsExactly("host web-1: heartbeat sequence stayed at 7 for 1500 ms"
                + " (its agent is stuck or stopped, or --watch-millis is shorter than its heartbeat interval)");
        assertThat(check.hosts().get(0).skewLowMillis()).isNull();
        assertThat(check.hosts().get(0).moved()).isFalse();
    }

    @Test
    void aClockCertainlyAheadOrBehindBeyondTheLimitIsAProblemAnUncertainOneIsNot() {
        long t1 = clock.millis();
        RegistryReading first = reading(List.of(host("ahead", 1, t1), host("behind", 1, t1), host("maybe", 1, t1)));
        clock.advanceMillis(WATCH);
        long t2 = clock.millis();
        RegistryReading second = reading(List.of(
                host("ahead", 2, t2 + MAX_SKEW + 1),      // written in (t1, t2]: at least 5001 ms ahead
                host("behind", 2, t1 - MAX_SKEW - 1),     // at least 5001 ms behind
                host("maybe", 2, t2 + MAX_SKEW - 1)));    // between 4999 and 6499 ahead: not certain

        FarmCheck check = judge(first, second);

        assertThat(check.problems()).containsExactly(
                "host ahead: clock at least 5001 ms ahead of this machine's (--max-skew-millis 5000)",
                "host behind: clock at least 5001 ms behind this machine's (--max-skew-millis 5000)");
    }

    @Test
    void aNewHostIsNotJudgedStuckAndAHostThatExpiredIsAProblem() {
        RegistryReading first = reading(List.of(host("old", 1, clock.millis()), host("web-1", 1, clock.millis())));
        clock.advanceMillis(WATCH);
        RegistryReading second = reading(List.of(host("new", 1, clock.millis()), host("web-1", 2, clock.millis())));

        FarmCheck check = judge(first, second);

        assertThat(check.hosts()).extracting(FarmCheck.HostStatus::id).containsExactly("new", "web-1");
        assertThat(check.hosts().get(0).seenTwice()).isFalse();
        assertThat(check.gone()).containsExactly("old");
        assertThat(check.problems()).containsExactly("host old: heartbeat expired during the check");
    }

    @Test
    void noHostsIsAProblemThatSaysWhetherTheFarmHasAnyData() {
        RegistryReading empty = new RegistryReading(clock.millis(), null, List.of(), List.of(), Map.of(), List.of(),
                Optional.empty());
        clock.advanceMillis(WATCH);
        RegistryReading stillEmpty = new RegistryReading(clock.millis(), null, List.of(), List.of(), Map.of(), List.of(),
                Optional.empty());

        assertThat(judge(empty, stillEmpty).problems()).containsExactly(
                "no hosts: farm chat has no live heartbeat and no registry data (is --farm right? are the agents running?)");
        clock.advanceMillis(WATCH);
        assertThat(judge(stillEmpty, reading(List.of())).problems()).containsExactly("no hosts: farm chat has no live heartbeat");
    }

    @Test
    void hostsThatAllRefuseNewClientsAreAProblemNamingWhy() {
        HostReport drainingItself = new HostReport("web-1", "ws://a", "10.0.0.1", "", 1, 100, 0.1, HostState.DRAINING,
                1.0, clock.millis(), 1);
        HostReport full = new HostReport("web-2", "ws://b", "10.0.0.2", "", 100, 100, 0.1, HostState.ACTIVE,
                1.0, clock.millis(), 1);
        Map<String, OperatorState> drained = Map.of("web-3", OperatorState.DEFAULT.withDraining(true, 1L),
                "web-4", OperatorState.DEFAULT.withTarget(5, 1L));
        RegistryReading first = reading(List.of(drainingItself, full, host("web-3", 1, clock.millis()),
                host("web-4", 1, clock.millis())), drained, List.of());
        clock.advanceMillis(WATCH);
        RegistryReading second = reading(List.of(
                new HostReport("web-1", "ws://a", "10.0.0.1", "", 1, 100, 0.1, HostState.DRAINING, 1.0, clock.millis(), 2),
                new HostReport("web-2", "ws://b", "10.0.0.2", "", 100, 100, 0.1, HostState.ACTIVE, 1.0, clock.millis(), 2),
                host("web-3", 2, clock.millis()), host("web-4", 2, clock.millis())), drained, List.of());

        FarmCheck check = judge(first, second);

        assertThat(check.problems()).containsExactly(
                "no eligible host: none of the 4 hosts takes new clients {DRAINING=2, FULL=1, OVER_TARGET=1}");
        assertThat(check.hosts()).extracting(FarmCheck.HostStatus::draining).containsExactly(true, false, true, false);
        assertThat(check.hosts().get(3).operator().targetConnections()).isEqualTo(5);
    }

    @Test
    void everySkippedRecordIsAProblemOnceWithItsReason() {
        SkippedRecord corrupt = new SkippedRecord("farmgate:{chat}:host:web-9", "not JSON", false);
        SkippedRecord newer = new SkippedRecord("farmgate:{chat}:operators field web-1",
                "version 2 is newer than this reader (1)", true);
        RegistryReading first = reading(List.of(host("web-1", 1, clock.millis())), Map.of(), List.of(corrupt));
        clock.advanceMillis(WATCH);
        RegistryReading second = reading(List.of(host("web-1", 2, clock.millis())), Map.of(), List.of(corrupt, newer));

        FarmCheck check = judge(first, second);

        assertThat(check.skipped()).containsExactly(corrupt, newer);
        assertThat(check.problems()).containsExactly(
                "record farmgate:{chat}:host:web-9 skipped: not JSON",
                "record farmgate:{chat}:operators field web-1 skipped (written by a newer farmgate):"
                        + " version 2 is newer than this reader (1)");
    }

    @Test
    void aKeyLayoutThisFarmgateCannotReadIsTheOneProblem() {
        RegistryReading first = new RegistryReading(clock.millis(), "2", List.of(), List.of(), Map.of(), List.of(),
                Optional.empty());
        clock.advanceMillis(WATCH);
        RegistryReading second = new RegistryReading(clock.millis(), "2", List.of(), List.of(), Map.of(), List.of(),
                Optional.empty());

        assertThat(judge(first, second).problems()).singleElement().asString()
                .startsWith("farm chat has key layout version '2', which this farmgate cannot read");
    }

    @Test
    void readingsOutOfOrderAreRefused() {
        RegistryReading first = reading(List.of());
        assertThatThrownBy(() -> judge(first, first)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: after the first");
    }
}
