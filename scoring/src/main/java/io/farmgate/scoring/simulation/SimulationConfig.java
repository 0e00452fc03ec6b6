package io.farmgate.scoring.simulation;

import io.farmgate.scoring.ScoreFormula;
import io.farmgate.scoring.SlowStart;
import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.scoring.pick.PickerKind;
import io.farmgate.scoring.pick.ZonePolicy;
import io.farmgate.scoring.rebalance.RebalancePolicy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One simulated scenario: the farm, its gateways, the traffic, the events and the picker. Built
 * with {@link #builder()} (defaults: the standard scenario without its join) or
 * {@link #standard()}; validated once, with messages naming the field.
 *
 * <p>Initial hosts are named {@code host-0} to {@code host-<hosts-1>}. {@link #events()} is
 * sorted by time and every join carries its host id, so {@code join@600s} in a farm of 32 reads
 * back as {@code join:host-32@10m}.
 *
 * @param hosts                   hosts at the start, pre-populated in steady state
 * @param gateways                gateways, each with its own snapshot chain, ledger and picker
 * @param heartbeatIntervalMillis every host reports this often, each at its own phase
 * @param refreshIntervalMillis   every gateway rebuilds its snapshot this often, each at its own phase
 * @param arrivalsPerSecond       mean rate of new clients (Poisson), spread uniformly over gateways
 * @param meanLifetimeSeconds     mean connection lifetime (exponential)
 * @param capacity                capacity of hosts without an entry in {@code hostCapacities}
 * @param cpuCostPerConnection    CPU share one connection costs on hosts without an entry in
 *                                {@code hostCpuCosts}; a host's cpu is connections x cost, clamped to [0, 1]
 * @param hostCapacities          per initial host, or empty for all {@code capacity}
 * @param hostCpuCosts            per initial host, or empty for all {@code cpuCostPerConnection}
 * @param events                  joins and leaves during the run
 * @param picker                  the policy every gateway runs
 * @param seed                    the whole run is a function of the config, seed included
 * @param durationSeconds         simulated time
 * @param warmupSeconds           balance and herding are measured after this (see docs/balance.md)
 * @param policy                  how gateways judge hosts (staleness, score, slow start)
 * @param zones                   hosts and gateways are spread round-robin over this many zones
 *                                ({@code zone-0} ...); 1 for none
 * @param zonePolicy              the spill rule of zone-aware picks (its zone is ignored: each gateway
 *                                uses its own); null for picks over the whole farm
 * @param heavyClientShare        share of clients that cost {@code heavyClientCostFactor} x the CPU of the others
 * @param heavyClientCostFactor   CPU cost of a heavy client relative to a light one; &gt;= 1
 * @param rebalance               the rebalancer's policy, run by the same controller as a gateway's
 *                                ({@link io.farmgate.scoring.rebalance.RebalanceController}); null for none
 * @param clients                 how clients come back after a close or a failed attempt
 */
public record SimulationConfig(
        int hosts,
        int gateways,
        long heartbeatIntervalMillis,
        long refreshIntervalMillis,
        double arrivalsPerSecond,
        double meanLifetimeSeconds,
        int capacity,
        double cpuCostPerConnection,
        List<Integer> hostCapacities,
        List<Double> hostCpuCosts,
        List<FarmChange> events,
        PickerKind picker,
        long seed,
        long durationSeconds,
        long warmupSeconds,
        SnapshotPolicy policy,
        int zones,
        ZonePolicy zonePolicy,
        double heavyClientShare,
        double heavyClientCostFactor,
        RebalancePolicy rebalance,
        CooperatingClients clients) {

    static final int MAX_HOSTS = 10_000;
    static final int MAX_GATEWAYS = 10_000;
    /** Keeps one run within minutes: expected arrivals over the whole run. */
    static final double MAX_EXPECTED_ARRIVALS = 500_000_000.0;
    /** About a year: keeps millisecond arithmetic far from overflow. */
    static final long MAX_DURATION_SECONDS = 31_536_000L;
    /** Keeps the per-interval statistics within memory. */
    static final long MAX_INTERVALS = 10_000_000L;

    public SimulationConfig {
        check(hosts >= 1 && hosts <= MAX_HOSTS, "hosts", hosts, "in [1, " + MAX_HOSTS + "]");
        check(gateways >= 1 && gateways <= MAX_GATEWAYS, "gateways", gateways, "in [1, " + MAX_GATEWAYS + "]");
        check(heartbeatIntervalMillis > 0, "heartbeatIntervalMillis", heartbeatIntervalMillis, "> 0");
        check(refreshIntervalMillis > 0, "refreshIntervalMillis", refreshIntervalMillis, "> 0");
        check(arrivalsPerSecond > 0 && Double.isFinite(arrivalsPerSecond), "arrivalsPerSecond", arrivalsPerSecond,
                "> 0");
        check(meanLifetimeSeconds > 0 && Double.isFinite(meanLifetimeSeconds), "meanLifetimeSeconds",
                meanLifetimeSeconds, "> 0");
        check(capacity > 0, "capacity", capacity, "> 0");
        check(cpuCostPerConnection >= 0 && Double.isFinite(cpuCostPerConnection), "cpuCostPerConnection",
                cpuCostPerConnection, ">= 0");
        hostCapacities = List.copyOf(Objects.requireNonNull(hostCapacities, "hostCapacities"));
        hostCpuCosts = List.copyOf(Objects.requireNonNull(hostCpuCosts, "hostCpuCosts"));
        check(hostCapacities.isEmpty() || hostCapacities.size() == hosts, "hostCapacities",
                hostCapacities.size() + " values", "none, or one per host: " + hosts);
        for (int c : hostCapacities) {
            check(c > 0, "hostCapacities", c, "each > 0");
        }
        check(hostCpuCosts.isEmpty() || hostCpuCosts.size() == hosts, "hostCpuCosts",
                hostCpuCosts.size() + " values", "none, or one per host: " + hosts);
        for (double c : hostCpuCosts) {
            check(c >= 0 && Double.isFinite(c), "hostCpuCosts", c, "each >= 0");
        }
        Objects.requireNonNull(picker, "picker");
        check(durationSeconds > 0 && durationSeconds <= MAX_DURATION_SECONDS, "durationSeconds", durationSeconds,
                "in [1, " + MAX_DURATION_SECONDS + "]");
        check(durationSeconds * 1000L / heartbeatIntervalMillis <= MAX_INTERVALS, "heartbeatIntervalMillis",
                heartbeatIntervalMillis, ">= durationSeconds x 1000 / " + MAX_INTERVALS);
        check(warmupSeconds >= 0 && warmupSeconds < durationSeconds, "warmupSeconds", warmupSeconds,
                "in [0, durationSeconds: " + durationSeconds + ")");
        check(arrivalsPerSecond * durationSeconds <= MAX_EXPECTED_ARRIVALS, "arrivalsPerSecond x durationSeconds",
                arrivalsPerSecond * durationSeconds, "<= " + (long) MAX_EXPECTED_ARRIVALS);
        Objects.requireNonNull(policy, "policy");
        long needed = heartbeatIntervalMillis + refreshIntervalMillis;
        check(policy.staleAfterMillis() >= needed, "policy.staleAfterMillis", policy.staleAfterMillis(),
                ">= heartbeatIntervalMillis + refreshIntervalMillis = " + needed + ", or live hosts look stale");
        events = resolve(Objects.requireNonNull(events, "events"), hosts, durationSeconds * 1000L);
        check(zones >= 1 && zones <= hosts, "zones", zones, "in [1, hosts: " + hosts + "]");
        check(heavyClientShare >= 0 && heavyClientShare <= 1, "heavyClientShare", heavyClientShare, "in [0, 1]");
        check(heavyClientCostFactor >= 1 && heavyClientCostFactor <= 1000, "heavyClientCostFactor",
                heavyClientCostFactor, "in [1, 1000]");
        Objects.requireNonNull(clients, "clients");
    }

    /** Zone of initial or joined host number {@code i} (round-robin); empty without zones. */
    public String zoneOf(int i) {
        return zones == 1 ? "" : "zone-" + (i % zones);
    }

    /** The standard scenario of docs/balance.md: 32 hosts, 8 gateways, 2,000 arrivals/s, one join at 10 min. */
    public static SimulationConfig standard() {
        return builder().events(List.of(FarmChange.join(600_000L))).build();
    }

    /** A builder holding the standard scenario's figures, without events. */
    public static Builder builder() {
        return new Builder();
    }

    /** The same scenario with another picker. */
    public SimulationConfig withPicker(PickerKind kind) {
        return toBuilder().picker(kind).build();
    }

    /** A builder holding this config's values. */
    public Builder toBuilder() {
        return new Builder()
                .hosts(hosts).gateways(gateways)
                .heartbeatIntervalMillis(heartbeatIntervalMillis).refreshIntervalMillis(refreshIntervalMillis)
                .arrivalsPerSecond(arrivalsPerSecond).meanLifetimeSeconds(meanLifetimeSeconds)
                .capacity(capacity).cpuCostPerConnection(cpuCostPerConnection)
                .hostCapacities(hostCapacities).hostCpuCosts(hostCpuCosts)
                .events(events).picker(picker).seed(seed)
                .durationSeconds(durationSeconds).warmupSeconds(warmupSeconds)
                .policy(policy).zones(zones).zonePolicy(zonePolicy)
                .heavyClients(heavyClientShare, heavyClientCostFactor).rebalance(rebalance).clients(clients);
    }

    /** Capacity of initial host {@code i}. */
    public int capacityOf(int i) {
        return hostCapacities.isEmpty() ? capacity : hostCapacities.get(i);
    }

    /** CPU cost per connection of initial host {@code i}. */
    public double cpuCostOf(int i) {
        return hostCpuCosts.isEmpty() ? cpuCostPerConnection : hostCpuCosts.get(i);
    }

    /** Name of initial host {@code i}. */
    public static String hostName(int i) {
        return "host-" + i;
    }

    /** Sorts the events, names anonymous joins, and checks each one makes sense when it happens. */
    private static List<FarmChange> resolve(List<FarmChange> events, int hosts, long durationMillis) {
        List<FarmChange> sorted = new ArrayList<>(events);
        sorted.sort((a, b) -> Long.compare(a.atMillis(), b.atMillis()));
        Set<String> known = new HashSet<>();
        Set<String> present = new HashSet<>();
        for (int i = 0; i < hosts; i++) {
            known.add(hostName(i));
            present.add(hostName(i));
        }
        int nextNumber = hosts;
        List<FarmChange> resolved = new ArrayList<>(sorted.size());
        for (FarmChange e : sorted) {
            Objects.requireNonNull(e, "events");
            if (e.atMillis() >= durationMillis) {
                throw new IllegalArgumentException("events: '" + e + "' (expected: before the end of the run, "
                        + DurationText.format(durationMillis) + ")");
            }
            String id = e.hostId();
            if (e.kind() == FarmChange.Kind.SCALE_IN) {
                if (e.count() >= present.size()) {
                    throw new IllegalArgumentException("events: '" + e + "' (expected: fewer than the "
                            + present.size() + " hosts in the farm then)");
                }
                resolved.add(e);
                continue;
            }
            if (e.kind() == FarmChange.Kind.RESTART) {
                if (!present.contains(id)) {
                    throw new IllegalArgumentException("events: '" + e + "' (expected: " + id
                            + " in the farm when it restarts)");
                }
                resolved.add(e);
                continue;
            }
            if (e.kind() == FarmChange.Kind.JOIN) {
                if (id.isEmpty()) {
                    while (known.contains(hostName(nextNumber))) {
                        nextNumber++;
                    }
                    id = hostName(nextNumber);
                }
                if (present.contains(id)) {
                    throw new IllegalArgumentException("events: '" + e + "' (expected: " + id
                            + " not in the farm when it joins)");
                }
                present.add(id);
                known.add(id);
            } else if (!present.remove(id)) {
                throw new IllegalArgumentException("events: '" + e + "' (expected: " + id
                        + " in the farm when it leaves)");
            }
            resolved.add(new FarmChange(e.kind(), id, e.atMillis()));
        }
        return List.copyOf(resolved);
    }

    private static void check(boolean ok, String field, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(field + ": " + value + " (expected: " + expected + ")");
        }
    }

    /** Collects a config; {@link #build()} validates it. Starts from the standard scenario's figures. */
    public static final class Builder {
        private int hosts = 32;
        private int gateways = 8;
        private long heartbeatIntervalMillis = 1_000;
        private Long refreshIntervalMillis;
        private double arrivalsPerSecond = 2_000;
        private double meanLifetimeSeconds = 300;
        private int capacity = 50_000;
        private double cpuCostPerConnection = 1.0 / 50_000;
        private List<Integer> hostCapacities = List.of();
        private List<Double> hostCpuCosts = List.of();
        private List<FarmChange> events = List.of();
        private PickerKind picker = PickerKind.TWO_CHOICE;
        private long seed = 1;
        private long durationSeconds = 1_200;
        private long warmupSeconds = 60;
        private SnapshotPolicy policy;
        private SlowStart slowStart = SlowStart.DEFAULT;
        private int zones = 1;
        private ZonePolicy zonePolicy;
        private double heavyClientShare;
        private double heavyClientCostFactor = 1.0;
        private RebalancePolicy rebalance;
        private CooperatingClients clients = CooperatingClients.DEFAULT;

        public Builder zones(int value) {
            zones = value;
            return this;
        }

        /** Null: picks over the whole farm. */
        public Builder zonePolicy(ZonePolicy value) {
            zonePolicy = value;
            return this;
        }

        public Builder heavyClients(double share, double costFactor) {
            heavyClientShare = share;
            heavyClientCostFactor = costFactor;
            return this;
        }

        /** Null: no rebalancer. */
        public Builder rebalance(RebalancePolicy value) {
            rebalance = value;
            return this;
        }

        public Builder clients(CooperatingClients value) {
            clients = value;
            return this;
        }

        private Builder() {
        }

        public Builder hosts(int value) {
            hosts = value;
            return this;
        }

        public Builder gateways(int value) {
            gateways = value;
            return this;
        }

        public Builder heartbeatIntervalMillis(long value) {
            heartbeatIntervalMillis = value;
            return this;
        }

        /** Unset: the heartbeat interval. */
        public Builder refreshIntervalMillis(long value) {
            refreshIntervalMillis = value;
            return this;
        }

        public Builder arrivalsPerSecond(double value) {
            arrivalsPerSecond = value;
            return this;
        }

        public Builder meanLifetimeSeconds(double value) {
            meanLifetimeSeconds = value;
            return this;
        }

        public Builder capacity(int value) {
            capacity = value;
            return this;
        }

        public Builder cpuCostPerConnection(double value) {
            cpuCostPerConnection = value;
            return this;
        }

        public Builder hostCapacities(List<Integer> value) {
            hostCapacities = value;
            return this;
        }

        public Builder hostCpuCosts(List<Double> value) {
            hostCpuCosts = value;
            return this;
        }

        public Builder events(List<FarmChange> value) {
            events = value;
            return this;
        }

        public Builder picker(PickerKind value) {
            picker = value;
            return this;
        }

        public Builder seed(long value) {
            seed = value;
            return this;
        }

        public Builder durationSeconds(long value) {
            durationSeconds = value;
            return this;
        }

        public Builder warmupSeconds(long value) {
            warmupSeconds = value;
            return this;
        }

        /** Unset: the default score and {@link #slowStart}, stale after three heartbeat intervals. */
        public Builder policy(SnapshotPolicy value) {
            policy = value;
            return this;
        }

        /** The slow start of the default policy; ignored when {@link #policy} is set. */
        public Builder slowStart(SlowStart value) {
            slowStart = Objects.requireNonNull(value, "slowStart");
            return this;
        }

        public SimulationConfig build() {
            long refresh = refreshIntervalMillis != null ? refreshIntervalMillis : heartbeatIntervalMillis;
            SnapshotPolicy p = policy != null ? policy
                    : new SnapshotPolicy(Math.max(1L, 3 * Math.max(heartbeatIntervalMillis, refresh)),
                            ScoreFormula.DEFAULT, slowStart);
            return new SimulationConfig(hosts, gateways, heartbeatIntervalMillis, refresh, arrivalsPerSecond,
                    meanLifetimeSeconds, capacity, cpuCostPerConnection, hostCapacities, hostCpuCosts, events,
                    picker, seed, durationSeconds, warmupSeconds, p, zones, zonePolicy, heavyClientShare,
                    heavyClientCostFactor, rebalance, clients);
        }
    }
}
