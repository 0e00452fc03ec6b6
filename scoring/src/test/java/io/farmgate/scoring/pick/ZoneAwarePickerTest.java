package io.farmgate.scoring.pick;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.scoring.Reports;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Zone-aware picks: stay in the zone while it is healthy and not much busier than the farm, else spill. */
@Timeout(10)
class ZoneAwarePickerTest {

    private static HostReport host(String id, String zone, int connections) {
        return new HostReport(id, "ws://" + id + ":1", "10.0.0.1", zone, connections, 1000, 0.0, HostState.ACTIVE,
                1.0, 0L, 1L);
    }

    private static ZoneAwarePicker picker(ZonePolicy policy) {
        return new ZoneAwarePicker(policy, new TwoChoicePicker(new SplittableRandom(1)),
                new TwoChoicePicker(new SplittableRandom(2)));
    }

    private static Map<String, Integer> picks(Picker p, FarmSnapshot s, int n) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(s.eligible(p.pick(s)).report().zone(), 1, Integer::sum);
        }
        return counts;
    }

    private static FarmSnapshot farm(int localConnections, int otherConnections, int localHosts) {
        List<HostReport> hosts = new ArrayList<>();
        for (int i = 0; i < localHosts; i++) {
            hosts.add(host("a" + i, "zone-a", localConnections));
        }
        for (int i = 0; i < 4; i++) {
            hosts.add(host("b" + i, "zone-b", otherConnections));
        }
        return Reports.firstSnapshot(hosts);
    }

    @Test
    void aHealthyZoneKeepsEveryPickLocalThoughOtherZonesAreEmptier() {
        FarmSnapshot s = farm(300, 290, 4);
        ZoneAwarePicker p = picker(ZonePolicy.of("zone-a"));

        assertThat(p.spills(s)).isFalse();
        assertThat(picks(p, s, 1_000)).containsOnlyKeys("zone-a");
    }

    @Test
    void aZoneBusierThanTheFarmByMoreThanTheSpillFractionSpills() {
        // Local mean 0.5, farm mean 0.4: 1.25 x the farm, above 1 + 0.10.
        FarmSnapshot s = farm(500, 300, 4);
        ZoneAwarePicker p = picker(ZonePolicy.of("zone-a"));

        assertThat(p.spills(s)).isTrue();
        // Two choices over the whole farm: at least one of the two is in zone-b 1 - 4/8 x 3/7 = 79% of the time.
        assertThat(picks(p, s, 1_000).get("zone-b")).isBetween(700, 870);
        // With a wider allowance the same farm stays local.
        assertThat(picker(new ZonePolicy("zone-a", 0.30, 2)).spills(s)).isFalse();
    }

    @Test
    void tooFewEligibleLocalHostsSpill() {
        assertThat(picker(ZonePolicy.of("zone-a")).spills(farm(100, 100, 1))).isTrue();
        assertThat(picker(new ZonePolicy("zone-a", 0.10, 1)).spills(farm(100, 100, 1))).isFalse();
        assertThat(picker(ZonePolicy.of("zone-c")).spills(farm(100, 100, 4))).isTrue();
    }

    @Test
    void localPicksStillPreferTheLessLoadedLocalHost() {
        List<HostReport> hosts = List.of(host("a0", "zone-a", 100), host("a1", "zone-a", 600),
                host("b0", "zone-b", 350), host("b1", "zone-b", 350));
        FarmSnapshot s = Reports.firstSnapshot(hosts);
        ZoneAwarePicker p = picker(ZonePolicy.of("zone-a"));

        Map<String, Integer> byHost = new HashMap<>();
        for (int i = 0; i < 1_000; i++) {
            byHost.merge(s.eligible(p.pick(s)).id(), 1, Integer::sum);
        }
        assertThat(byHost).containsOnlyKeys("a0");
    }

    @Test
    void theRuleIsValidatedNamingTheField() {
        assertThatThrownBy(() -> new ZonePolicy(" ", 0.1, 2)).hasMessageStartingWith("zone: ' '");
        assertThatThrownBy(() -> new ZonePolicy("z", -0.1, 2))
                .hasMessage("zoneSpillFraction: -0.1 (expected: in [0, 10])");
        assertThatThrownBy(() -> new ZonePolicy("z", 0.1, 0))
                .hasMessage("zoneMinEligible: 0 (expected: in [1, 10000])");
    }
}
