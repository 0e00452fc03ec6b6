package io.farmgate.gateway;

import io.farmgate.registry.FarmEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The rebalancer's waves, read back from the farm's event log for the dashboard's time axis. A
 * wave is the shed orders one leader stored in one period: {@code shed} events whose actor is a
 * rebalancer (not {@code admin}, not an {@code agent:} reporting what it shed), less than
 * {@link #SAME_WAVE_MILLIS} apart from the wave's first.
 */
final class WaveMarks {

    /** Orders of one period are written within milliseconds; periods are seconds apart. */
    static final long SAME_WAVE_MILLIS = 1_000;

    private WaveMarks() {
    }

    /**
     * One wave.
     *
     * @param atMillis    when its first order was stored (the leader's clock)
     * @param actor       the gateway that was leader
     * @param hostIds     the hosts asked to shed, in order
     * @param connections the connections they were asked to shed together (orders without a count add 0)
     */
    record Wave(long atMillis, String actor, List<String> hostIds, long connections) {
    }

    /** The waves of {@code events} (any order) whose first order is at or after {@code fromMillis}, oldest first. */
    static List<Wave> of(List<FarmEvent> events, long fromMillis) {
        List<FarmEvent> orders = events.stream()
                .filter(WaveMarks::isRebalancerOrder)
                .sorted(Comparator.comparingLong(FarmEvent::atMillis))
                .toList();
        List<Wave> waves = new ArrayList<>();
        long start = 0;
        String actor = null;
        List<String> hosts = new ArrayList<>();
        long connections = 0;
        for (FarmEvent e : orders) {
            if (actor == null || !actor.equals(e.actor()) || e.atMillis() - start >= SAME_WAVE_MILLIS) {
                if (actor != null && start >= fromMillis) {
                    waves.add(new Wave(start, actor, List.copyOf(hosts), connections));
                }
                start = e.atMillis();
                actor = e.actor();
                hosts.clear();
                connections = 0;
            }
            hosts.add(e.hostId());
            connections += count(e);
        }
        if (actor != null && start >= fromMillis) {
            waves.add(new Wave(start, actor, List.copyOf(hosts), connections));
        }
        return waves;
    }

    private static boolean isRebalancerOrder(FarmEvent e) {
        return e.type() == FarmEvent.Type.SHED && !e.actor().equals("admin") && !e.actor().startsWith("agent:");
    }

    private static long count(FarmEvent e) {
        try {
            return Math.max(0, Long.parseLong(e.details().getOrDefault("count", "0")));
        } catch (NumberFormatException bad) {
            return 0; // another writer's event; the mark still shows, without a count
        }
    }
}
