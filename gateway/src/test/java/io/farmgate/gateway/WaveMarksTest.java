package io.farmgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.gateway.WaveMarks.Wave;
import io.farmgate.registry.FarmEvent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The rebalancer's waves read back from the event log. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class WaveMarksTest {

    private static final String LEADER = "gateway:gw-a:1f";

    private static FarmEvent order(String host, String actor, long at, String count) {
        return new FarmEvent(FarmEvent.Type.SHED, host, actor, "overloaded", at,
                count == null ? Map.of() : Map.of("count", count, "targetConnections", "100"));
    }

    @Test
    void ordersOfOnePeriodAreOneWaveAndTheNextPeriodAnother() {
        List<Wave> waves = WaveMarks.of(List.of(
                // newest first, as the event log answers
                order("web-1", LEADER, 16_000, "20"),
                order("web-3", LEADER, 10_004, "30"),
                order("web-2", LEADER, 10_000, "50")), 0);

        assertThat(waves).containsExactly(
                new Wave(10_000, LEADER, List.of("web-2", "web-3"), 80),
                new Wave(16_000, LEADER, List.of("web-1"), 20));
    }

    @Test
    void operatorShedsAgentReportsAndOtherEventsAreNotWaves() {
        List<Wave> waves = WaveMarks.of(List.of(
                order("web-1", "admin", 10_000, "20"),
                order("web-1", "agent:web-1", 11_000, "20"),
                new FarmEvent(FarmEvent.Type.TARGET, "web-1", LEADER, "back within the band", 12_000,
                        Map.of("cleared", "true")),
                FarmEvent.of(FarmEvent.Type.LEADER, "", LEADER, "lease acquired", 13_000)), 0);

        assertThat(waves).isEmpty();
    }

    @Test
    void aNewLeaderStartsANewWave() {
        List<Wave> waves = WaveMarks.of(List.of(
                order("web-1", LEADER, 10_000, "20"),
                order("web-2", "gateway:gw-b:2e", 10_100, "10")), 0);

        assertThat(waves).extracting(Wave::actor).containsExactly(LEADER, "gateway:gw-b:2e");
    }

    @Test
    void wavesBeforeTheWindowAreLeftOutAndAnUnreadableCountAddsNothing() {
        List<Wave> waves = WaveMarks.of(List.of(
                order("web-1", LEADER, 1_000, "20"),
                order("web-2", LEADER, 10_000, "many"),
                order("web-3", LEADER, 10_001, null)), 5_000);

        assertThat(waves).containsExactly(new Wave(10_000, LEADER, List.of("web-2", "web-3"), 0));
    }
}
