package io.farmgate.scoring.simulation;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * A discrete-event simulation of a farm behind several gateways that pick from stale data, to
 * see how a picker balances load and whether it herds. Pure: no threads, no clock, no I/O; the
 * result is a function of the {@link SimulationConfig}, seed included.
 *
 * <p>The model, in short (docs/balance.md has the whole of it): clients arrive as a Poisson
 * stream, each at a uniformly random gateway, which picks with its own picker from its own
 * snapshot and records the assignment in its own ledger. Connections live an exponential time.
 * Hosts heartbeat every interval at staggered phases; each gateway rebuilds its snapshot from
 * the registry's latest reports at its own staggered phase. The farm starts in steady state.
 *
 * <p>Because lifetimes are exponential (memoryless), the next close is due after an exponential
 * time at rate {@code open / meanLifetime} and hits a uniformly random open connection: exactly
 * the same process as scheduling every connection's end, without a queue of 600,000 entries.
 * The event queue holds only the periodic events (heartbeats, refreshes, samples), the farm
 * events and the clients due to reconnect.
 */
public final class FarmSimulator {

    /** A client gives up after this many failed picks (no eligible host, host full or gone). */
    public static final int MAX_ATTEMPTS = 5;

    private final SimulationConfig config;
    private final RebalanceHook rebalancer;

    /** A simulator without a rebalancer. */
    public FarmSimulator(SimulationConfig config) {
        this(config, null);
    }

    /** A simulator that asks {@code rebalancer} for shed orders once per heartbeat interval. */
    public FarmSimulator(SimulationConfig config, RebalanceHook rebalancer) {
        this.config = Objects.requireNonNull(config, "config");
        this.rebalancer = rebalancer;
    }

    /** Runs the scenario from the start; each call gives the same result. */
    public SimulationResult run() {
        return new Run(config, rebalancer).execute();
    }

    private enum TickKind { HEARTBEAT, REFRESH, FARM_EVENT, SAMPLE }

    /** A scheduled event; {@code order} keeps events of the same millisecond in scheduling order. */
    private record Tick(long atMillis, long order, TickKind kind, int target, int epoch) {
    }

    /** The state of one run. */
    private static final class Run {
        private final SimulationConfig config;
        private final RebalanceHook rebalancer;
        private final SplittableRandom traffic;
        private final SplittableRandom phases;
        private final SimulatedHosts hosts = new SimulatedHosts();
        private final SimulatedGateway[] gateways;
        private final BalanceMeter meter;
        private final ReconnectQueue reconnects = new ReconnectQueue();
        private final PriorityQueue<Tick> ticks = new PriorityQueue<>(
                (a, b) -> a.atMillis != b.atMillis ? Long.compare(a.atMillis, b.atMillis) : Long.compare(a.order, b.order));
        private final long heartbeatMillis;
        private final long endMillis;
        private final double arrivalsPerMilli;
        private final double lifetimeMillis;
        private FarmSnapshot rebalancerView;
        private long order;
        private long arrivals;
        private long reconnectCount;
        private long placed;
        private long retried;
        private long abandoned;
        private long moved;

        Run(SimulationConfig config, RebalanceHook rebalancer) {
            this.config = config;
            this.rebalancer = rebalancer;
            SplittableRandom root = new SplittableRandom(config.seed());
            this.traffic = root.split();
            this.phases = root.split();
            this.gateways = new SimulatedGateway[config.gateways()];
            for (int g = 0; g < gateways.length; g++) {
                gateways[g] = new SimulatedGateway(config.picker().create(root.split()), config.policy());
            }
            this.heartbeatMillis = config.heartbeatIntervalMillis();
            this.endMillis = config.durationSeconds() * 1_000L;
            this.arrivalsPerMilli = config.arrivalsPerSecond() / 1_000.0;
            this.lifetimeMillis = config.meanLifetimeSeconds() * 1_000.0;
            this.meter = new BalanceMeter(config.warmupSeconds() * 1_000L, heartbeatMillis);
        }

        SimulationResult execute() {
            start();
            double now = 0;
            while (true) {
                double nextTick = ticks.isEmpty() ? Double.POSITIVE_INFINITY : ticks.peek().atMillis;
                double nextReconnect = reconnects.peekDueMillis();
                double rate = arrivalsPerMilli + hosts.open() / lifetimeMillis;
                // Memoryless: redrawing after every scheduled event leaves the process unchanged.
                double nextRandom = now + traffic.nextExponential() / rate;
                if (nextRandom < nextTick && nextRandom < nextReconnect && nextRandom < endMillis) {
                    now = nextRandom;
                    if (traffic.nextDouble() * rate < arrivalsPerMilli) {
                        arrivals++;
                        attempt(now, 0);
                    } else {
                        hosts.closeRandom(traffic);
                    }
                } else if (nextReconnect <= nextTick && nextReconnect < endMillis) {
                    now = nextReconnect;
                    int failedBefore = reconnects.pollAttempts();
                    if (failedBefore == 0) {
                        reconnectCount++;
                    }
                    attempt(now, failedBefore);
                } else if (nextTick <= endMillis) {
                    Tick t = ticks.poll();
                    now = t.atMillis;
                    handle(t);
                } else {
                    break;
                }
            }
            return new SimulationResult(config.picker(), meter.ratioP50(), meter.ratioMax(), meter.herdFactor(),
                    Double.isNaN(meter.joinedPeak()) ? OptionalDouble.empty() : OptionalDouble.of(meter.joinedPeak()),
                    rebalancer == null ? OptionalLong.empty() : OptionalLong.of(moved),
                    arrivals, reconnectCount, placed, retried, abandoned, meter.ratioSamples());
        }

        /** The farm in steady state at time 0: each host holds its capacity share of arrivals x lifetime. */
        private void start() {
            long totalCapacity = 0;
            for (int i = 0; i < config.hosts(); i++) {
                totalCapacity += config.capacityOf(i);
            }
            double population = config.arrivalsPerSecond() * config.meanLifetimeSeconds();
            for (int i = 0; i < config.hosts(); i++) {
                int cap = config.capacityOf(i);
                int initial = (int) Math.min(cap, Math.round(population * cap / totalCapacity));
                int slot = hosts.add(SimulationConfig.hostName(i), cap, config.cpuCostOf(i), false, initial);
                hosts.heartbeat(slot, 0L);
                scheduleHeartbeat(slot, 1 + phases.nextLong(heartbeatMillis));
            }
            List<HostReport> reports = hosts.reports();
            long refreshMillis = config.refreshIntervalMillis();
            for (int g = 0; g < gateways.length; g++) {
                gateways[g].refresh(reports, 0L, hosts);
                schedule(1 + phases.nextLong(refreshMillis), TickKind.REFRESH, g, 0);
            }
            rebalancerView = FarmSnapshot.initial(config.policy()).next(reports, Map.of(), 0L);
            List<FarmEvent> events = config.events();
            for (int e = 0; e < events.size(); e++) {
                schedule(events.get(e).atMillis(), TickKind.FARM_EVENT, e, 0);
            }
            schedule(heartbeatMillis, TickKind.SAMPLE, 0, 0);
        }

        private void handle(Tick t) {
            switch (t.kind) {
                case HEARTBEAT -> {
                    if (hosts.present(t.target) && hosts.epoch(t.target) == t.epoch) {
                        hosts.heartbeat(t.target, t.atMillis);
                        scheduleHeartbeat(t.target, t.atMillis + heartbeatMillis);
                    }
                }
                case REFRESH -> {
                    gateways[t.target].refresh(hosts.reports(), t.atMillis, hosts);
                    schedule(t.atMillis + config.refreshIntervalMillis(), TickKind.REFRESH, t.target, 0);
                }
                case FARM_EVENT -> farmEvent(config.events().get(t.target), t.atMillis);
                case SAMPLE -> {
                    meter.sample(t.atMillis, hosts);
                    if (rebalancer != null) {
                        rebalance(t.atMillis);
                    }
                    schedule(t.atMillis + heartbeatMillis, TickKind.SAMPLE, 0, 0);
                }
            }
        }

        private void farmEvent(FarmEvent e, long nowMillis) {
            if (e.kind() == FarmEvent.Kind.JOIN) {
                int slot = hosts.add(e.hostId(), config.capacity(), config.cpuCostPerConnection(), true, 0);
                hosts.heartbeat(slot, nowMillis);
                scheduleHeartbeat(slot, nowMillis + heartbeatMillis);
            } else {
                int closed = hosts.remove(hosts.slotOf(e.hostId()));
                comeBack(closed, nowMillis);
            }
        }

        private void rebalance(long nowMillis) {
            rebalancerView = rebalancerView.next(hosts.reports(), Map.of(), nowMillis);
            Map<String, Integer> orders = rebalancer.shedOrders(rebalancerView, nowMillis);
            if (orders == null) {
                return;
            }
            for (Map.Entry<String, Integer> o : orders.entrySet()) {
                int slot = hosts.slotOf(o.getKey());
                if (slot >= 0 && hosts.present(slot) && o.getValue() != null) {
                    int closed = hosts.shed(slot, o.getValue());
                    moved += closed;
                    comeBack(closed, nowMillis);
                }
            }
        }

        /** Closed clients reconnect through the gateways, spread over one heartbeat interval (jitter). */
        private void comeBack(int clients, long nowMillis) {
            for (int i = 0; i < clients; i++) {
                reconnects.add(nowMillis + traffic.nextDouble() * heartbeatMillis, 0);
            }
        }

        /** One client at a random gateway; a failed pick is retried after up to one interval, a few times. */
        private void attempt(double nowMillis, int failedBefore) {
            SimulatedGateway gateway = gateways[traffic.nextInt(gateways.length)];
            int slot = gateway.pick(traffic.nextLong());
            if (slot >= 0 && hosts.accept(slot)) {
                placed++;
                meter.placed(slot);
                return;
            }
            if (failedBefore + 1 >= MAX_ATTEMPTS) {
                abandoned++;
            } else {
                retried++;
                reconnects.add(nowMillis + traffic.nextDouble() * heartbeatMillis, failedBefore + 1);
            }
        }

        private void scheduleHeartbeat(int slot, long atMillis) {
            schedule(atMillis, TickKind.HEARTBEAT, slot, hosts.epoch(slot));
        }

        private void schedule(long atMillis, TickKind kind, int target, int epoch) {
            ticks.add(new Tick(atMillis, order++, kind, target, epoch));
        }
    }
}
