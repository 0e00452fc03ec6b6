package io.farmgate.scoring.simulation;

import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The hosts' side of the simulated farm: open connections, capacity, CPU cost and the latest
 * heartbeat each host left in the registry. Hosts live in slots; a host that leaves and joins
 * again gets its old slot back.
 *
 * <p>Connections are counts, not objects: lifetimes are exponential, so every open connection is
 * equally likely to be the next to close and the farm needs to know only how many each host has.
 */
final class SimulatedHosts {

    private String[] ids = new String[0];
    private int[] connections = new int[0];
    private int[] capacity = new int[0];
    private double[] cpuCost = new double[0];
    private boolean[] present = new boolean[0];
    private boolean[] joinedDuringRun = new boolean[0];
    private int[] epoch = new int[0];
    private HostReport[] latest = new HostReport[0];
    private final Map<String, Integer> slotById = new HashMap<>();
    private int slots;
    private int presentCount;
    private long open;

    /** Adds or brings back host {@code id} with {@code initialConnections}; returns its slot. */
    int add(String id, int hostCapacity, double hostCpuCost, boolean joined, int initialConnections) {
        Integer known = slotById.get(id);
        int slot;
        if (known != null) {
            slot = known;
        } else {
            slot = slots++;
            grow(slots);
            ids[slot] = id;
            slotById.put(id, slot);
        }
        capacity[slot] = hostCapacity;
        cpuCost[slot] = hostCpuCost;
        connections[slot] = initialConnections;
        joinedDuringRun[slot] = joined;
        present[slot] = true;
        epoch[slot]++;
        latest[slot] = null;
        presentCount++;
        open += initialConnections;
        return slot;
    }

    /** Takes host {@code slot} out of the farm and the registry; returns how many connections it closed. */
    int remove(int slot) {
        int closed = connections[slot];
        open -= closed;
        connections[slot] = 0;
        present[slot] = false;
        latest[slot] = null;
        epoch[slot]++;
        presentCount--;
        return closed;
    }

    /** Writes host {@code slot}'s heartbeat to the registry. */
    void heartbeat(int slot, long nowMillis) {
        int c = connections[slot];
        double cpu = Math.min(1.0, c * cpuCost[slot]);
        HostReport before = latest[slot];
        latest[slot] = before == null
                ? new HostReport(ids[slot], "ws://" + ids[slot] + ".sim:9000", address(slot), "", c, capacity[slot],
                        cpu, HostState.ACTIVE, 1.0, nowMillis, 0L)
                : before.next(c, cpu, nowMillis);
    }

    /** The registry's current reports: one per present host that has heartbeat. */
    List<HostReport> reports() {
        List<HostReport> out = new ArrayList<>(presentCount);
        for (int s = 0; s < slots; s++) {
            if (present[s] && latest[s] != null) {
                out.add(latest[s]);
            }
        }
        return out;
    }

    /** Opens a connection on host {@code slot} if it is there and below capacity. */
    boolean accept(int slot) {
        if (!present[slot] || connections[slot] >= capacity[slot]) {
            return false;
        }
        connections[slot]++;
        open++;
        return true;
    }

    /** Closes one open connection, each equally likely. */
    void closeRandom(RandomGenerator random) {
        long r = random.nextLong(open);
        for (int s = 0; s < slots; s++) {
            r -= connections[s];
            if (r < 0) {
                connections[s]--;
                open--;
                return;
            }
        }
        throw new IllegalStateException("open connections out of step: " + open);
    }

    /** Closes up to {@code count} connections of host {@code slot}; returns how many it closed. */
    int shed(int slot, int count) {
        int closed = Math.min(Math.max(count, 0), connections[slot]);
        connections[slot] -= closed;
        open -= closed;
        return closed;
    }

    int slotOf(String id) {
        Integer s = slotById.get(id);
        return s == null ? -1 : s;
    }

    int slots() {
        return slots;
    }

    int presentCount() {
        return presentCount;
    }

    long open() {
        return open;
    }

    boolean present(int slot) {
        return present[slot];
    }

    boolean joinedDuringRun(int slot) {
        return joinedDuringRun[slot];
    }

    /** Bumped whenever the host joins or leaves, so heartbeats scheduled for an earlier stay are dropped. */
    int epoch(int slot) {
        return epoch[slot];
    }

    double utilisation(int slot) {
        return (double) connections[slot] / capacity[slot];
    }

    int capacity(int slot) {
        return capacity[slot];
    }

    private static String address(int slot) {
        return "10." + (slot >> 16 & 0xff) + "." + (slot >> 8 & 0xff) + "." + (slot & 0xff);
    }

    private void grow(int wanted) {
        if (wanted <= ids.length) {
            return;
        }
        int n = Math.max(wanted, ids.length * 2);
        ids = Arrays.copyOf(ids, n);
        connections = Arrays.copyOf(connections, n);
        capacity = Arrays.copyOf(capacity, n);
        cpuCost = Arrays.copyOf(cpuCost, n);
        present = Arrays.copyOf(present, n);
        joinedDuringRun = Arrays.copyOf(joinedDuringRun, n);
        epoch = Arrays.copyOf(epoch, n);
        latest = Arrays.copyOf(latest, n);
    }
}
