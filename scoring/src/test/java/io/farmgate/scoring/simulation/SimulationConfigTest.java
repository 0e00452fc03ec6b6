package io.farmgate.scoring.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.farmgate.scoring.ScoreFormula;
import io.farmgate.scoring.SlowStart;
import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.scoring.pick.PickerKind;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SimulationConfigTest {

    @Test
    void standardScenarioIsTheDocumentedOne() {
        SimulationConfig c = SimulationConfig.standard();

        assertThat(c.hosts()).isEqualTo(32);
        assertThat(c.gateways()).isEqualTo(8);
        assertThat(c.heartbeatIntervalMillis()).isEqualTo(1_000L);
        assertThat(c.refreshIntervalMillis()).isEqualTo(1_000L);
        assertThat(c.arrivalsPerSecond()).isEqualTo(2_000.0);
        assertThat(c.meanLifetimeSeconds()).isEqualTo(300.0);
        assertThat(c.durationSeconds()).isEqualTo(1_200L);
        assertThat(c.picker()).isEqualTo(PickerKind.TWO_CHOICE);
        assertThat(c.events()).containsExactly(new FarmChange(FarmChange.Kind.JOIN, "host-32", 600_000L));
    }

    @Test
    void anonymousJoinsGetTheNextFreeNamesInTimeOrder() {
        SimulationConfig c = SimulationConfig.builder().hosts(4)
                .events(List.of(FarmChange.join(20_000L), FarmChange.parse("join:host-5@5s"), FarmChange.join(10_000L)))
                .build();

        assertThat(c.events()).extracting(FarmChange::toString)
                .containsExactly("join:host-5@5s", "join:host-4@10s", "join:host-6@20s");
    }

    @Test
    void hostMayJoinAgainAfterLeaving() {
        SimulationConfig c = SimulationConfig.builder().hosts(4)
                .events(List.of(FarmChange.parse("leave:host-2@10s"), FarmChange.parse("join:host-2@20s"))).build();

        assertThat(c.events()).hasSize(2);
    }

    @Test
    void defaultPolicyCallsHostsStaleAfterThreeIntervals() {
        SimulationConfig c = SimulationConfig.builder().heartbeatIntervalMillis(2_000).build();

        assertThat(c.policy().staleAfterMillis()).isEqualTo(6_000L);
    }

    @Test
    void slowStartReachesTheDefaultPolicy() {
        SlowStart ramp = new SlowStart(10_000, 0.5);

        assertThat(SimulationConfig.builder().slowStart(ramp).build().policy().slowStart()).isEqualTo(ramp);
    }

    @Test
    void withPickerChangesOnlyThePicker() {
        SimulationConfig c = SimulationConfig.standard();

        assertThat(c.withPicker(PickerKind.RANDOM))
                .isEqualTo(c.toBuilder().picker(PickerKind.RANDOM).build())
                .isNotEqualTo(c);
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                bad("hosts: 0 (expected: in [1, 10000])", b -> b.hosts(0)),
                bad("gateways: -1", b -> b.gateways(-1)),
                bad("heartbeatIntervalMillis: 0 (expected: > 0)", b -> b.heartbeatIntervalMillis(0)),
                bad("refreshIntervalMillis: 0", b -> b.refreshIntervalMillis(0)),
                bad("arrivalsPerSecond: NaN", b -> b.arrivalsPerSecond(Double.NaN)),
                bad("meanLifetimeSeconds: 0.0", b -> b.meanLifetimeSeconds(0)),
                bad("capacity: 0", b -> b.capacity(0)),
                bad("cpuCostPerConnection: -1.0", b -> b.cpuCostPerConnection(-1)),
                bad("hostCapacities: 2 values (expected: none, or one per host: 32)",
                        b -> b.hostCapacities(List.of(1, 2))),
                bad("hostCapacities: 0", b -> b.hosts(2).hostCapacities(List.of(5, 0))),
                bad("hostCpuCosts: 1 values", b -> b.hostCpuCosts(List.of(0.1))),
                bad("durationSeconds: 0", b -> b.durationSeconds(0)),
                bad("warmupSeconds: 1200 (expected: in [0, durationSeconds: 1200))", b -> b.warmupSeconds(1_200)),
                bad("arrivalsPerSecond x durationSeconds", b -> b.arrivalsPerSecond(1e6).durationSeconds(3_600)),
                bad("policy.staleAfterMillis: 1500 (expected: >= heartbeatIntervalMillis + refreshIntervalMillis = 2000",
                        b -> b.policy(new SnapshotPolicy(1_500, ScoreFormula.DEFAULT, SlowStart.DEFAULT))),
                bad("events: 'join@20m' (expected: before the end of the run, 20m)",
                        b -> b.events(List.of(FarmChange.join(1_200_000L)))),
                bad("events: 'leave:host-99@10s' (expected: host-99 in the farm when it leaves)",
                        b -> b.events(List.of(FarmChange.parse("leave:host-99@10s")))),
                bad("events: 'leave:host-3@20s' (expected: host-3 in the farm when it leaves)",
                        b -> b.events(List.of(FarmChange.parse("leave:host-3@20s"), FarmChange.parse("leave:host-3@10s")))),
                bad("events: 'join:host-3@10s' (expected: host-3 not in the farm when it joins)",
                        b -> b.events(List.of(FarmChange.parse("join:host-3@10s")))));
    }

    private static Arguments bad(String message, UnaryOperator<SimulationConfig.Builder> change) {
        return Arguments.of(message, change);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void refusesAnInvalidValueNamingTheField(String message, UnaryOperator<SimulationConfig.Builder> change) {
        assertThatThrownBy(() -> change.apply(SimulationConfig.builder()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message);
    }
}
