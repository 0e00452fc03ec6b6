package io.farmgate.scoring.rebalance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.scoring.OperatorState;
import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.scoring.rebalance.RebalanceAction.Kind;
import io.farmgate.scoring.rebalance.RebalancePlan.Verdict;
import io.farmgate.testing.MutableClock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every rule the controller took over from the gateway's rebalancer, on a fake clock, without Redis. */
@Timeout(10)
class RebalanceControllerTest {

    /** Caps wide enough that one order brings a host all the way to the mean. */
    private static final RebalancePolicy POLICY = new RebalancePolicy(0.10, 10_000, 1.0, 100_000, 0.5, 1.0);
    private static final long SETTLE_MILLIS = 10_000;
    private static final long PERIOD_MILLIS = 1_000;

    private final MutableClock clock = new MutableClock(1_000_000L);
    private final RebalanceController controller = new RebalanceController(POLICY, SETTLE_MILLIS);
    private final Farm farm = new Farm(clock);

    @Test
    void anOverloadedHostGetsATargetOfConnectionsMinusTheOrderedCount() {
        farm.hosts(Map.of("a", 100, "b", 100, "c", 400));

        RebalanceStep step = controller.step(farm.snapshot(), clock.millis());

        assertThat(step.plan().verdict()).isEqualTo(Verdict.SHED);
        assertThat(step.actions()).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(Kind.SET_TARGET);
            assertThat(a.hostId()).isEqualTo("c");
            assertThat(a.count()).isEqualTo(200);
            assertThat(a.targetConnections()).isEqualTo(400 - 200);
            assertThat(a.reason()).startsWith("overloaded");
        });
        assertThat(controller.ownTargets()).containsEntry("c", 200);
    }

    @Test
    void noNewOrdersWhileTheWaveIsSheddingThenSettleTimeAfterItReachedItsTargets() {
        farm.hosts(Map.of("a", 100, "b", 100, "c", 400));
        farm.apply(controller.step(farm.snapshot(), clock.millis()));
        // Another host overloads while c is still shedding: it waits for the wave.
        farm.connections("a", 300);
        clock.advanceMillis(PERIOD_MILLIS);
        RebalanceStep during = controller.step(farm.snapshot(), clock.millis());
        assertThat(during.actions()).isEmpty();
        assertThat(during.waveOpen()).isTrue();
        assertThat(during.plan().orders()).isNotEmpty();

        farm.connections("c", 200); // reached its target: the settle time starts now
        clock.advanceMillis(PERIOD_MILLIS);
        assertThat(controller.step(farm.snapshot(), clock.millis()).actions()).isEmpty();
        clock.advanceMillis(SETTLE_MILLIS - 1);
        assertThat(controller.step(farm.snapshot(), clock.millis()).waveOpen()).isTrue();

        clock.advanceMillis(1);
        RebalanceStep after = controller.step(farm.snapshot(), clock.millis());
        assertThat(after.waveOpen()).isFalse();
        assertThat(after.actions()).extracting(RebalanceAction::hostId).contains("a");
    }

    @Test
    void aTargetNotReachedWithinTheWaveTimeoutNoLongerHoldsTheNextWaveBack() {
        farm.hosts(Map.of("a", 100, "b", 100, "c", 100, "d", 100));
        farm.operator("c", new OperatorState(false, 1.0, 50, clock.millis())); // an agent that never sheds
        farm.connections("a", 400);
        clock.advanceMillis(RebalanceController.WAVE_TIMEOUT_MILLIS - 1);
        assertThat(controller.step(farm.snapshot(), clock.millis()).actions()).isEmpty();

        clock.advanceMillis(1);
        // Timed out: the wave counts as ended now, and settles from here.
        assertThat(controller.step(farm.snapshot(), clock.millis()).actions()).isEmpty();
        clock.advanceMillis(SETTLE_MILLIS);
        assertThat(controller.step(farm.snapshot(), clock.millis()).actions())
                .extracting(RebalanceAction::hostId).contains("a");
    }

    @Test
    void aHostStillDrainingHoldsNewOrdersBackAndSettlesLikeAWave() {
        // Its clients are reconnecting meanwhile: the farm's mean reads low (a deploy would otherwise
        // have the rebalancer move clients into every restarted host, see docs/balance.md).
        farm.hosts(Map.of("a", 400, "b", 100, "c", 100, "d", 100));
        farm.operator("d", new OperatorState(true, 1.0, OperatorState.NO_TARGET, clock.millis()));
        RebalanceStep during = controller.step(farm.snapshot(), clock.millis());
        assertThat(during.waveOpen()).isTrue();
        assertThat(during.plan().orders()).extracting(ShedOrder::hostId).containsExactly("a");
        assertThat(during.actions()).isEmpty();

        farm.connections("d", 0); // drained
        clock.advanceMillis(PERIOD_MILLIS);
        assertThat(controller.step(farm.snapshot(), clock.millis()).actions()).isEmpty();
        clock.advanceMillis(SETTLE_MILLIS);
        assertThat(controller.step(farm.snapshot(), clock.millis()).actions())
                .extracting(RebalanceAction::hostId).containsExactly("a");
    }

    @Test
    void drainedAndStaleHostsWithATargetDoNotHoldTheWave() {
        farm.hosts(Map.of("a", 100, "b", 100, "c", 0, "d", 100, "e", 100));
        farm.operator("c", new OperatorState(true, 1.0, 0, clock.millis()));
        farm.operator("d", new OperatorState(false, 1.0, 10, clock.millis()));
        farm.freeze("d");
        farm.connections("a", 400);
        farm.snapshot();
        clock.advanceMillis(SnapshotPolicy.DEFAULT.staleAfterMillis() + 1);

        RebalanceStep step = controller.step(farm.snapshot(), clock.millis());

        assertThat(step.actions()).extracting(RebalanceAction::hostId).containsExactly("a");
    }

    @Test
    void aHostAlreadyAskedForAsMuchGetsNoSecondOrder() {
        farm.hosts(Map.of("a", 100, "b", 100, "c", 400));
        farm.operator("c", new OperatorState(false, 1.0, 150, clock.millis() - RebalanceController.WAVE_TIMEOUT_MILLIS));

        RebalanceStep step = controller.step(farm.snapshot(), clock.millis());

        assertThat(step.plan().orders()).extracting(ShedOrder::hostId).containsExactly("c");
        assertThat(step.actions()).isEmpty();
    }

    @Test
    void itsOwnTargetOnAHostTheFarmOutgrewIsLiftedButAnOperatorsTargetStays() {
        farm.hosts(Map.of("a", 100, "b", 100, "c", 400, "d", 400));
        farm.apply(controller.step(farm.snapshot(), clock.millis()));
        assertThat(controller.ownTargets()).containsOnlyKeys("c", "d");
        // An operator's order on b.
        farm.operator("b", new OperatorState(false, 1.0, 50, clock.millis()));
        // The farm grows: every other host fills up, c and d are now at or below the mean though still above target.
        farm.connections("a", 900);
        farm.connections("c", 300);
        farm.connections("d", 300);
        clock.advanceMillis(PERIOD_MILLIS);

        RebalanceStep step = controller.step(farm.snapshot(), clock.millis());

        assertThat(step.actions()).filteredOn(a -> a.kind() == Kind.CLEAR_TARGET)
                .extracting(RebalanceAction::hostId).containsExactlyInAnyOrder("c", "d");
        assertThat(step.actions()).filteredOn(a -> a.kind() == Kind.CLEAR_TARGET)
                .allSatisfy(a -> assertThat(a.reason()).startsWith("outgrown"));
        assertThat(step.actions()).noneMatch(a -> a.hostId().equals("b") && a.kind() == Kind.CLEAR_TARGET);
        assertThat(controller.ownTargets()).isEmpty();
    }

    @Test
    void itsOwnTargetOnAHostLeftFarBelowTheMeanIsLiftedThoughOtherOrdersKeepComing() {
        // Seen end to end: clients still arriving, a host shed to 67 and sat there, OVER_TARGET, while
        // the farm grew to a mean of 400 and every wave placed orders elsewhere.
        farm.hosts(Map.of("a", 10, "b", 10, "c", 10, "d", 40));
        farm.apply(controller.step(farm.snapshot(), clock.millis()));
        int target = controller.ownTargets().get("d");
        farm.connections("d", target);
        farm.connections("a", 500);
        farm.connections("b", 400);
        farm.connections("c", 400);
        clock.advanceMillis(PERIOD_MILLIS);

        RebalanceStep step = controller.step(farm.snapshot(), clock.millis());

        assertThat(step.actions()).singleElement().satisfies(a -> {
            assertThat(a.hostId()).isEqualTo("d");
            assertThat(a.kind()).isEqualTo(Kind.CLEAR_TARGET);
            assertThat(a.reason()).contains("below mean");
        });
        assertThat(controller.ownTargets()).doesNotContainKey("d");
    }

    @Test
    void afterLosingTheLeadItLiftsNoTargetAsItsOwn() {
        farm.hosts(Map.of("a", 100, "b", 100, "c", 400));
        farm.apply(controller.step(farm.snapshot(), clock.millis()));
        controller.leadershipLost();
        farm.connections("a", 900);
        farm.connections("b", 900);
        clock.advanceMillis(PERIOD_MILLIS);

        assertThat(controller.step(farm.snapshot(), clock.millis()).actions())
                .noneMatch(a -> a.hostId().equals("c") && a.reason().startsWith("outgrown"));
    }

    @Test
    void aTargetIsClearedOnceTheHostIsBackWithinTheBandAndTheWaveIsOver() {
        farm.hosts(Map.of("a", 100, "b", 100, "c", 400));
        farm.apply(controller.step(farm.snapshot(), clock.millis()));
        farm.connections("c", 200);
        farm.connections("a", 190);
        farm.connections("b", 190);
        clock.advanceMillis(PERIOD_MILLIS);
        assertThat(controller.step(farm.snapshot(), clock.millis()).actions()).isEmpty(); // settling

        clock.advanceMillis(SETTLE_MILLIS);
        RebalanceStep step = controller.step(farm.snapshot(), clock.millis());

        assertThat(step.plan().verdict()).isEqualTo(Verdict.BALANCED);
        assertThat(step.actions()).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(Kind.CLEAR_TARGET);
            assertThat(a.hostId()).isEqualTo("c");
            assertThat(a.reason()).startsWith("back within the band");
        });
    }

    @Test
    void targetsStayThroughANewWave() {
        farm.hosts(Map.of("a", 100, "b", 100, "c", 400));
        farm.apply(controller.step(farm.snapshot(), clock.millis()));
        farm.connections("c", 200);
        farm.connections("a", 500);
        clock.advanceMillis(PERIOD_MILLIS);
        controller.step(farm.snapshot(), clock.millis()); // sees the wave reached: settling starts
        clock.advanceMillis(SETTLE_MILLIS);

        RebalanceStep step = controller.step(farm.snapshot(), clock.millis());

        assertThat(step.actions()).extracting(RebalanceAction::kind).containsOnly(Kind.SET_TARGET);
        assertThat(step.actions()).extracting(RebalanceAction::hostId).containsExactly("a");
    }

    @Test
    void nothingIsLiftedFromAStaleSnapshot() {
        farm.hosts(Map.of("a", 100, "b", 100, "c", 400));
        farm.apply(controller.step(farm.snapshot(), clock.millis()));
        farm.connections("a", 900);
        farm.connections("b", 900);
        clock.advanceMillis(PERIOD_MILLIS);

        RebalanceStep step = controller.step(farm.snapshot().markedStale(), clock.millis());

        assertThat(step.plan().verdict()).isEqualTo(Verdict.SNAPSHOT_STALE);
        assertThat(step.actions()).isEmpty();
    }

    @Test
    void settleTimeIsValidated() {
        assertThatThrownBy(() -> new RebalanceController(POLICY, -1))
                .hasMessageContaining("settleMillis: -1 (expected: >= 0)");
    }

    /** The farm as the registry holds it: heartbeats that move every period, and stored operator states. */
    private static final class Farm {
        private final MutableClock clock;
        private final Map<String, Integer> connections = new TreeMap<>();
        private final Map<String, OperatorState> operators = new HashMap<>();
        private final Map<String, Long> sequence = new HashMap<>();
        private final java.util.Set<String> frozen = new java.util.HashSet<>();
        private FarmSnapshot snapshot = FarmSnapshot.initial(SnapshotPolicy.DEFAULT);

        Farm(MutableClock clock) {
            this.clock = clock;
        }

        void hosts(Map<String, Integer> counts) {
            connections.putAll(counts);
        }

        void connections(String id, int count) {
            connections.put(id, count);
        }

        void operator(String id, OperatorState state) {
            operators.put(id, state);
        }

        /** The host's heartbeat stops moving: it goes stale. */
        void freeze(String id) {
            frozen.add(id);
        }

        FarmSnapshot snapshot() {
            List<HostReport> reports = new ArrayList<>();
            for (Map.Entry<String, Integer> e : connections.entrySet()) {
                long seq = frozen.contains(e.getKey()) ? sequence.getOrDefault(e.getKey(), 1L)
                        : sequence.merge(e.getKey(), 1L, Long::sum);
                reports.add(new HostReport(e.getKey(), "ws://" + e.getKey() + ":9001", "10.0.0.1", "", e.getValue(),
                        1000, 0.0, HostState.ACTIVE, 1.0, clock.millis(), seq));
            }
            snapshot = snapshot.next(reports, operators, clock.millis());
            return snapshot;
        }

        void apply(RebalanceStep step) {
            for (RebalanceAction a : step.actions()) {
                OperatorState before = operators.getOrDefault(a.hostId(), OperatorState.DEFAULT);
                operators.put(a.hostId(), a.kind() == Kind.SET_TARGET
                        ? before.withTarget(a.targetConnections(), clock.millis())
                        : before.withTarget(OperatorState.NO_TARGET, clock.millis()));
            }
        }
    }
}
