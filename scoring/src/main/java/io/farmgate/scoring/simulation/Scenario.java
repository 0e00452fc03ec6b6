package io.farmgate.scoring.simulation;

import io.farmgate.scoring.pick.ZonePolicy;
import io.farmgate.scoring.rebalance.RebalancePolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The fleet scenarios of {@code farmgate simulate --scenario}: what happens to the farm, and when.
 * Every scenario runs the production rebalancer ({@link RebalancePolicy#DEFAULT}); the farm's size,
 * traffic and duration are the caller's. The change comes halfway through the run.
 */
public enum Scenario {
    /** Nothing happens: balance and herding with the rebalancer on. */
    STEADY("steady"),
    /** One empty host joins. */
    JOIN("join"),
    /** host-0 dies; its clients reconnect with the client's backoff for a lost host. */
    HOST_FAILURE("host-failure"),
    /** Every host is drained and restarted, one after the other, over the middle half of the run. */
    ROLLING_RESTART("rolling-restart"),
    /** Half as many hosts again join at once. */
    SCALE_OUT("scale-out"),
    /** A quarter of the hosts are scaled down through the real scale-down choice. */
    SCALE_IN("scale-in"),
    /** Hosts and gateways in three zones with zone-aware picks; every host of zone-0 dies. */
    ZONE_FAILURE("zone-failure"),
    /** 10% of clients cost 10x the CPU of the others; nothing else happens. */
    HEAVY_CLIENTS("heavy-clients");

    private final String label;

    Scenario(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The scenario with this label, case-insensitive. */
    public static Scenario fromLabel(String text) {
        String wanted = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (Scenario s : values()) {
            if (s.label.equals(wanted)) {
                return s;
            }
        }
        throw new IllegalArgumentException("scenario: '" + text + "' (expected one of: steady, join, host-failure,"
                + " rolling-restart, scale-out, scale-in, zone-failure, heavy-clients)");
    }

    /**
     * Sets this scenario's changes, zones, client mix and rebalancer on {@code farm}, a builder
     * already holding the farm's size and traffic.
     *
     * @param hosts           the farm's initial hosts (as set on {@code farm})
     * @param durationSeconds the run's length (as set on {@code farm})
     */
    public SimulationConfig.Builder configure(SimulationConfig.Builder farm, int hosts, long durationSeconds) {
        long half = durationSeconds * 1_000L / 2;
        List<FarmChange> changes = new ArrayList<>();
        farm.rebalance(RebalancePolicy.DEFAULT);
        switch (this) {
            case STEADY, HEAVY_CLIENTS -> {
                if (this == HEAVY_CLIENTS) {
                    farm.heavyClients(0.10, 10.0);
                }
            }
            case JOIN -> changes.add(FarmChange.join(half));
            case HOST_FAILURE -> changes.add(new FarmChange(FarmChange.Kind.LEAVE, SimulationConfig.hostName(0), half));
            case ROLLING_RESTART -> {
                long start = durationSeconds * 1_000L / 4;
                long spacing = Math.max(1_000L, half / hosts);
                for (int i = 0; i < hosts; i++) {
                    changes.add(new FarmChange(FarmChange.Kind.RESTART, SimulationConfig.hostName(i),
                            start + i * spacing));
                }
            }
            case SCALE_OUT -> {
                for (int i = 0; i < Math.max(1, hosts / 2); i++) {
                    changes.add(FarmChange.join(half));
                }
            }
            case SCALE_IN -> changes.add(new FarmChange(FarmChange.Kind.SCALE_IN, "", half, Math.max(1, hosts / 4)));
            case ZONE_FAILURE -> {
                farm.zones(3).zonePolicy(ZonePolicy.of("zone-0"));
                for (int i = 0; i < hosts; i += 3) {
                    changes.add(new FarmChange(FarmChange.Kind.LEAVE, SimulationConfig.hostName(i), half));
                }
            }
        }
        return farm.events(changes);
    }
}
