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
 * The hosts' side of the simulated farm: open connections (and how many of them are heavy
 * clients), capacity, CPU cost, zone and the latest heartbeat each host left in the registry.
 * Hosts live in slots; a host that leaves and joins again gets its old slot back.
 *
 * <p>Connections are counts, not objects: lifetimes are exponential, so every open connection is
 * equally likely to be the next to close and the farm needs to know only how many each host has.
 * A Fenwick tree over the counts finds the host of a random connection in log time, so a farm of
 * thousands of hosts closes a connection as cheaply as one of ten.
 */
final class SimulatedHosts {

    private final double heavyCostFactor;
    private String[] ids = new String[0];
    private String[] zones = new String[0];
    private int[] connections = new int[0];
    private int[] heavy = new int[0];
    private int[] capacity = new int[0];
    private double[] cpuCost = new double[0];
    private boolean[] present = new boolean[0];
    private boolean[] joinedDuringRun = new boolean[0];
    private boolean[] leaving = new boolean[0];
    private int[] epoch = new int[0];
    private HostReport[] latest = new HostReport[0];
    /** Fenwick tree over {@code connections}, 1-based. */
    private long[] tree = new long[1];
    /** Slots in host-id order, so the snapshot's sort of the reports is a linear pass. */
    private int[] byId = new int[0];
    private final Map<String, Integer> slotById = new HashMap<>();
    private int slots;
    private int presentCount;
    private long open;

    SimulatedHosts() {
        this(1.0);
    }

    SimulatedHosts(double heavyCostFactor) {
        this.heavyCostFactor = heavyCostFactor;
    }

    /** Adds or brings back host {@code id} with {@code initialConnections} (none heavy); returns its slot. */
    int add(String id, String zone, int hostCapacity, double hostCpuCost, boolean joined, int initialConnections) {
        Integer known = slotById.get(id);
        int slot;
        if (known != null) {
            slot = known;
        } else {
            slot = slots++;
            grow(slots);
            ids[slot] = id;
            slotById.put(id, slot);
            byId = Arrays.copyOf(byId, slots);
            byId[slots - 1] = slot;
            Integer[] order = new Integer[slots];
            for (int i = 0; i < slots; i++) {
                order[i] = byId[i];
            }
            Arrays.sort(order, (a, b) -> ids[a].compareTo(ids[b]));
            for (int i = 0; i < slots; i++) {
                byId[i] = order[i];
            }
        }
        zones[slot] = zone;
        capacity[slot] = hostCapacity;
        cpuCost[slot] = hostCpuCost;
        change(slot, initialConnections - connections[slot]);
        heavy[slot] = 0;
        joinedDuringRun[slot] = joined;
        leaving[slot] = false;
        present[slot] = true;
        epoch[slot]++;
        latest[slot] = null;
        presentCount++;
        return slot;
    }

    /** Takes host {@code slot} out of the farm and the registry; returns how many connections it closed. */
    int remove(int slot) {
        int closed = connections[slot];
        change(slot, -closed);
        heavy[slot] = 0;
        present[slot] = false;
        latest[slot] = null;
        epoch[slot]++;
        presentCount--;
        return closed;
    }

    /** Writes host {@code slot}'s heartbeat to the registry. */
    void heartbeat(int slot, long nowMillis) {
        int c = connections[slot];
        double cpu = cpu(slot);
        HostReport before = latest[slot];
        latest[slot] = before == null
                ? new HostReport(ids[slot], "ws://" + ids[slot] + ".sim:9000", address(slot), zones[slot], c,
                        capacity[slot], cpu, HostState.ACTIVE, 1.0, nowMillis, 0L)
                : before.next(c, cpu, nowMillis);
    }

    /** CPU in [0, 1]: light connections cost the host's cost each, heavy ones the factor times more. */
    double cpu(int slot) {
        double load = (connections[slot] - heavy[slot]) + heavyCostFactor * heavy[slot];
        return Math.min(1.0, load * cpuCost[slot]);
    }

    /** The registry's current reports, ordered by host id: one per present host that has heartbeat. */
    List<HostReport> reports() {
        List<HostReport> out = new ArrayList<>(presentCount);
        for (int i = 0; i < slots; i++) {
            int s = byId[i];
            if (present[s] && latest[s] != null) {
                out.add(latest[s]);
            }
        }
        return out;
    }

    /** Opens a connection on host {@code slot} if it is there and below capacity. */
    boolean accept(int slot, boolean heavyClient) {
        if (!present[slot] || connections[slot] >= capacity[slot]) {
            return false;
        }
        change(slot, 1);
        if (heavyClient) {
            heavy[slot]++;
        }
        return true;
    }

    boolean accept(int slot) {
        return accept(slot, false);
    }

    /** Closes one open connection, each equally likely; returns its slot. */
    int closeRandom(RandomGenerator random) {
        long r = random.nextLong(open);
        int slot = find(r);
        closeOne(slot, random);
        return slot;
    }

    /** Closes up to {@code count} connections of host {@code slot}; returns how many of them were heavy clients. */
    int shed(int slot, int count, RandomGenerator random, int[] closedOut) {
        int closed = Math.min(Math.max(count, 0), connections[slot]);
        int heavyClosed = 0;
        for (int i = 0; i < closed; i++) {
            heavyClosed += closeOne(slot, random) ? 1 : 0;
        }
        closedOut[0] = closed;
        return heavyClosed;
    }

    /** Closes one connection of {@code slot}; true when it was a heavy client's. */
    private boolean closeOne(int slot, RandomGenerator random) {
        boolean wasHeavy = heavy[slot] > 0 && random.nextLong(connections[slot]) < heavy[slot];
        if (wasHeavy) {
            heavy[slot]--;
        }
        change(slot, -1);
        return wasHeavy;
    }

    int slotOf(String id) {
        Integer s = slotById.get(id);
        return s == null ? -1 : s;
    }

    String id(int slot) {
        return ids[slot];
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

    /** Marks a host that is draining out: balance is measured over the others. */
    void leaving(int slot, boolean value) {
        leaving[slot] = value;
    }

    /** Present and not draining out: the hosts balance is measured over. */
    boolean serving(int slot) {
        return present[slot] && !leaving[slot];
    }

    boolean joinedDuringRun(int slot) {
        return joinedDuringRun[slot];
    }

    /** Bumped whenever the host joins or leaves, so heartbeats scheduled for an earlier stay are dropped. */
    int epoch(int slot) {
        return epoch[slot];
    }

    int connections(int slot) {
        return connections[slot];
    }

    int heavy(int slot) {
        return heavy[slot];
    }

    double utilisation(int slot) {
        return (double) connections[slot] / capacity[slot];
    }

    int capacity(int slot) {
        return capacity[slot];
    }

    private void change(int slot, int delta) {
        if (delta == 0) {
            return;
        }
        connections[slot] += delta;
        open += delta;
        for (int i = slot + 1; i < tree.length; i += i & -i) {
            tree[i] += delta;
        }
    }

    /** The slot holding the {@code r}-th open connection (0-based), by the Fenwick tree. */
    private int find(long r) {
        int pos = 0;
        int step = Integer.highestOneBit(Math.max(1, tree.length - 1));
        for (; step > 0; step >>= 1) {
            int next = pos + step;
            if (next < tree.length && tree[next] <= r) {
                pos = next;
                r -= tree[next];
            }
        }
        return pos; // 1-based pos + 1 is the slot's index; 0-based slot = pos
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
        zones = Arrays.copyOf(zones, n);
        connections = Arrays.copyOf(connections, n);
        heavy = Arrays.copyOf(heavy, n);
        capacity = Arrays.copyOf(capacity, n);
        cpuCost = Arrays.copyOf(cpuCost, n);
        present = Arrays.copyOf(present, n);
        joinedDuringRun = Arrays.copyOf(joinedDuringRun, n);
        leaving = Arrays.copyOf(leaving, n);
        epoch = Arrays.copyOf(epoch, n);
        latest = Arrays.copyOf(latest, n);
        tree = new long[n + 1];
        for (int s = 0; s < n; s++) {
            for (int i = s + 1; i <= n; i += i & -i) {
                tree[i] += connections[s];
            }
        }
    }
}
