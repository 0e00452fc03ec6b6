package io.farmgate.scoring.simulation;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.OperatorState;
import io.farmgate.scoring.rebalance.RebalanceAction;
import io.farmgate.scoring.rebalance.RebalanceController;
import io.farmgate.scoring.rebalance.ScaleDownChoice;
import io.farmgate.scoring.simulation.SimulationResult.FleetFigures;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * A discrete-event simulation of a farm behind several gateways that pick from stale data, to
 * see how a picker balances load, whether it herds, and how the fleet rides through joins,
 * failures, deploys and scale changes. Pure: no threads, no clock, no I/O; the result is a
 * function of the {@link SimulationConfig}, seed included.
 *
 * <p>The model, in short (docs/balance.md has the whole of it): clients arrive as a Poisson
 * stream, each at a uniformly random gateway, which picks with its own picker from its own
 * snapshot and records the assignment in its own ledger. Connections live an exponential time.
 * Hosts heartbeat every interval at staggered phases; each gateway rebuilds its snapshot from
 * the registry's latest reports and operator states at its own staggered phase. The farm starts
 * in steady state.
 *
 * <p>The rebalancer is the production {@link RebalanceController}, run every
 * {@link #REBALANCE_PERIOD_MILLIS} on its own snapshot chain; its targets go into the registry's
 * operator states, and hosts shed toward them at the agent's pace ({@link #SHED_FRACTION_PER_SECOND}
 * of their connections per second, at least one). Drained hosts close their clients over
 * {@link #DRAIN_PERIOD_MILLIS}. Closed clients come back as the cooperating clients do
 * ({@link CooperatingClients}).
 *
 * <p>Because lifetimes are exponential (memoryless), the next close is due after an exponential
 * time at rate {@code open / meanLifetime} and hits a uniformly random open connection: exactly
 * the same process as scheduling every connection's end, without a queue of a million entries.
 */
public final class FarmSimulator {

    /** The gateway's default rebalance period. */
    public static final long REBALANCE_PERIOD_MILLIS = 5_000;
    /** The gateway's default settle time: two periods. */
    public static final long REBALANCE_SETTLE_MILLIS = 10_000;
    /** The agent's default pace toward a target. */
    public static final double SHED_FRACTION_PER_SECOND = 0.05;
    /** The agent's default drain period. */
    public static final long DRAIN_PERIOD_MILLIS = 30_000;
    /** Max/mean at or below this counts as balanced. */
    public static final double BALANCED = 1.10;

    private final SimulationConfig config;
    private final RebalanceHook rebalancer;

    /** A simulator with the config's rebalancer, if it has one. */
    public FarmSimulator(SimulationConfig config) {
        this(config, config.rebalance() == null ? null
                : RebalanceHook.of(new RebalanceController(config.rebalance(), REBALANCE_SETTLE_MILLIS)));
    }

    /** A simulator that asks {@code rebalancer} what to do every {@link #REBALANCE_PERIOD_MILLIS}. */
    public FarmSimulator(SimulationConfig config, RebalanceHook rebalancer) {
        this.config = Objects.requireNonNull(config, "config");
        this.rebalancer = rebalancer;
    }

    /** Runs the scenario from the start; each call gives the same result. */
    public SimulationResult run() {
        return new Run(config, rebalancer).execute();
    }

    private enum TickKind { HEARTBEAT, REFRESH, FARM_CHANGE, SAMPLE, REBALANCE }

    /** A scheduled event; {@code order} keeps events of the same millisecond in scheduling order. */
    private record Tick(long atMillis, long order, TickKind kind, int target, int epoch) {
    }

    /** What happens to a draining host once it is empty. */
    private enum AfterDrain { NONE, RESTART, LEAVE }

    /** The state of one run. */
    private static final class Run {
        private final SimulationConfig config;
        private final RebalanceHook rebalancer;
        private final CooperatingClients clients;
        private final SplittableRandom traffic;
        private final SplittableRandom phases;
        private final SimulatedHosts hosts;
        private final SimulatedGateway[] gateways;
        private final BalanceMeter meter;
        private final ReconnectQueue reconnects = new ReconnectQueue();
        private final PriorityQueue<Tick> ticks = new PriorityQueue<>(
                (a, b) -> a.atMillis != b.atMillis ? Long.compare(a.atMillis, b.atMillis) : Long.compare(a.order, b.order));
        private final Map<String, OperatorState> operators = new HashMap<>();
        private final long heartbeatMillis;
        private final long endMillis;
        private final double arrivalsPerMilli;
        private final double lifetimeMillis;
        private final long[] requestsPerSecond;
        private final int[] closedOut = new int[1];
        private AfterDrain[] afterDrain = new AfterDrain[0];
        private int[] drainStartConnections = new int[0];
        private FarmSnapshot rebalancerView;
        private long order;
        private long arrivals;
        private long reconnectCount;
        private long placed;
        private long retried;
        private long abandoned;
        private long moved;
        private long closedByFarm;
        private long noHost;
        private long firstChangeMillis = -1;
        private long minimumToMove;
        private long openAtFirstChange;
        private long scaleInAtMillis = -1;
        private int scaleInLeft;
        private long scaleInDoneMillis = -1;
        private int hostNumber;

        Run(SimulationConfig config, RebalanceHook rebalancer) {
            this.config = config;
            this.rebalancer = rebalancer;
            this.clients = config.clients();
            this.hosts = new SimulatedHosts(config.heavyClientCostFactor());
            SplittableRandom root = new SplittableRandom(config.seed());
            this.traffic = root.split();
            this.phases = root.split();
            this.gateways = new SimulatedGateway[config.gateways()];
            for (int g = 0; g < gateways.length; g++) {
                gateways[g] = new SimulatedGateway(config.picker(), root.split(), config.policy(),
                        config.zonePolicy() == null || config.zones() == 1 ? null
                                : config.zonePolicy().withZone(config.zoneOf(g)));
            }
            this.heartbeatMillis = config.heartbeatIntervalMillis();
            this.endMillis = config.durationSeconds() * 1_000L;
            this.arrivalsPerMilli = config.arrivalsPerSecond() / 1_000.0;
            this.lifetimeMillis = config.meanLifetimeSeconds() * 1_000.0;
            this.meter = new BalanceMeter(config.warmupSeconds() * 1_000L, heartbeatMillis);
            this.requestsPerSecond = new long[(int) config.durationSeconds() + 1];
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
                        // No draw without heavy clients: the standard run's random stream stays as it was.
                        boolean heavy = config.heavyClientShare() > 0 && traffic.nextDouble() < config.heavyClientShare();
                        attempt(now, 0, heavy);
                    } else {
                        hosts.closeRandom(traffic);
                    }
                } else if (nextReconnect <= nextTick && nextReconnect < endMillis) {
                    now = nextReconnect;
                    int polled = reconnects.pollAttempts();
                    int failedBefore = polled & ~ReconnectQueue.HEAVY;
                    if (failedBefore == 0) {
                        reconnectCount++;
                    }
                    attempt(now, failedBefore, (polled & ReconnectQueue.HEAVY) != 0);
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
                    arrivals, reconnectCount, placed, retried, abandoned, meter.ratioSamples(), fleet());
        }

        private FleetFigures fleet() {
            long from = config.warmupSeconds();
            long peak = 0;
            long sum = 0;
            int n = 0;
            for (long s = from; s < config.durationSeconds(); s++) {
                peak = Math.max(peak, requestsPerSecond[(int) s]);
                sum += requestsPerSecond[(int) s];
                n++;
            }
            double peakOverMean = sum == 0 ? Double.NaN : peak / ((double) sum / n);
            OptionalDouble toBalance = firstChangeMillis < 0 || meter.balancedAgainMillis() < 0
                    ? OptionalDouble.empty() : OptionalDouble.of((meter.balancedAgainMillis() - firstChangeMillis) / 1e3);
            OptionalDouble drain = scaleInDoneMillis < 0 ? OptionalDouble.empty()
                    : OptionalDouble.of((scaleInDoneMillis - scaleInAtMillis) / 1e3);
            double movesPerClient = openAtFirstChange == 0 ? 0.0 : (double) closedByFarm / openAtFirstChange;
            return new FleetFigures(minimumToMove, toBalance, peakOverMean, noHost, meter.cpuRatioP50(),
                    movesPerClient, drain, meter.ratioMaxAfterBalanced());
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
                int slot = addHost(SimulationConfig.hostName(i), cap, config.cpuCostOf(i), false, initial);
                for (int k = 0; k < initial && config.heavyClientShare() > 0; k++) {
                    if (traffic.nextDouble() < config.heavyClientShare()) {
                        // Re-label some of the initial connections as heavy clients.
                        hosts.shed(slot, 1, traffic, closedOut);
                        hosts.accept(slot, true);
                    }
                }
                hosts.heartbeat(slot, 0L);
                scheduleHeartbeat(slot, 1 + phases.nextLong(heartbeatMillis));
            }
            hostNumber = config.hosts();
            List<HostReport> reports = hosts.reports();
            long refreshMillis = config.refreshIntervalMillis();
            for (int g = 0; g < gateways.length; g++) {
                gateways[g].refresh(reports, operators, 0L, hosts);
                schedule(1 + phases.nextLong(refreshMillis), TickKind.REFRESH, g, 0);
            }
            rebalancerView = FarmSnapshot.initial(config.policy()).next(reports, operators, 0L);
            List<FarmChange> events = config.events();
            for (int e = 0; e < events.size(); e++) {
                schedule(events.get(e).atMillis(), TickKind.FARM_CHANGE, e, 0);
            }
            schedule(heartbeatMillis, TickKind.SAMPLE, 0, 0);
            if (rebalancer != null) {
                schedule(REBALANCE_PERIOD_MILLIS, TickKind.REBALANCE, 0, 0);
            }
        }

        private int addHost(String id, int cap, double cpuCost, boolean joined, int initial) {
            int number = hosts.slotOf(id) >= 0 ? hosts.slotOf(id) : hosts.slots();
            int slot = hosts.add(id, config.zoneOf(number), cap, cpuCost, joined, initial);
            if (afterDrain.length <= slot) {
                afterDrain = Arrays.copyOf(afterDrain, Math.max(slot + 1, afterDrain.length * 2));
                drainStartConnections = Arrays.copyOf(drainStartConnections, afterDrain.length);
            }
            afterDrain[slot] = AfterDrain.NONE;
            operators.remove(id);
            return slot;
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
                    gateways[t.target].refresh(hosts.reports(), operators, t.atMillis, hosts);
                    schedule(t.atMillis + config.refreshIntervalMillis(), TickKind.REFRESH, t.target, 0);
                }
                case FARM_CHANGE -> farmChange(config.events().get(t.target), t.atMillis);
                case SAMPLE -> {
                    agents(t.atMillis);
                    meter.sample(t.atMillis, hosts, firstChangeMillis, reconnects.size() <= hosts.open() / 100);
                    schedule(t.atMillis + heartbeatMillis, TickKind.SAMPLE, 0, 0);
                }
                case REBALANCE -> {
                    rebalance(t.atMillis);
                    schedule(t.atMillis + REBALANCE_PERIOD_MILLIS, TickKind.REBALANCE, 0, 0);
                }
            }
        }

        /** One heartbeat interval of every agent: shed toward targets, drain, leave or restart when empty. */
        private void agents(long nowMillis) {
            double seconds = heartbeatMillis / 1_000.0;
            for (int s = 0; s < hosts.slots(); s++) {
                if (!hosts.present(s)) {
                    continue;
                }
                String id = hosts.id(s);
                OperatorState op = operators.get(id);
                if (op == null) {
                    continue;
                }
                int c = hosts.connections(s);
                int toClose;
                if (op.draining()) {
                    toClose = (int) Math.ceil(drainStartConnections[s] * heartbeatMillis / (double) DRAIN_PERIOD_MILLIS);
                } else if (op.hasTarget() && c > op.targetConnections()) {
                    int pace = Math.max(1, (int) Math.floor(SHED_FRACTION_PER_SECOND * c * seconds));
                    toClose = Math.min(pace, c - op.targetConnections());
                } else {
                    toClose = 0;
                }
                if (toClose > 0) {
                    int heavyClosed = hosts.shed(s, toClose, traffic, closedOut);
                    comeBack(closedOut[0], heavyClosed, nowMillis, clients.firstRetryWindowMillis());
                    if (!op.draining()) {
                        moved += closedOut[0];
                    }
                }
                if (op.draining() && hosts.connections(s) == 0) {
                    emptied(s, nowMillis);
                }
            }
        }

        private void emptied(int slot, long nowMillis) {
            String id = hosts.id(slot);
            AfterDrain next = afterDrain[slot];
            hosts.remove(slot);
            operators.remove(id);
            if (next == AfterDrain.RESTART) {
                int again = addHost(id, hosts.capacity(slot), config.cpuCostPerConnection(), true, 0);
                hosts.heartbeat(again, nowMillis);
                scheduleHeartbeat(again, nowMillis + heartbeatMillis);
            } else if (next == AfterDrain.LEAVE && --scaleInLeft == 0) {
                scaleInDoneMillis = nowMillis;
            }
        }

        private void farmChange(FarmChange e, long nowMillis) {
            boolean first = firstChangeMillis < 0;
            if (first) {
                firstChangeMillis = nowMillis;
                openAtFirstChange = hosts.open();
            }
            switch (e.kind()) {
                case JOIN -> {
                    int slot = addHost(e.hostId(), config.capacity(), config.cpuCostPerConnection(), true, 0);
                    hosts.heartbeat(slot, nowMillis);
                    scheduleHeartbeat(slot, nowMillis + heartbeatMillis);
                    hostNumber++;
                }
                case LEAVE -> {
                    int slot = hosts.slotOf(e.hostId());
                    if (slot >= 0 && hosts.present(slot)) {
                        int heavy = hosts.heavy(slot);
                        int closed = hosts.remove(slot);
                        operators.remove(e.hostId());
                        // Every connection broken at once (1006): the clients' lost-host window spreads them.
                        comeBack(closed, heavy, nowMillis, clients.lostHostRetryWindowMillis());
                    }
                }
                case RESTART -> drain(hosts.slotOf(e.hostId()), AfterDrain.RESTART, nowMillis);
                case SCALE_IN -> {
                    FarmSnapshot view = rebalancerView.next(hosts.reports(), operators, nowMillis);
                    List<String> chosen = ScaleDownChoice.hostsToDrain(view, e.count());
                    scaleInAtMillis = nowMillis;
                    scaleInLeft = chosen.size();
                    for (String id : chosen) {
                        drain(hosts.slotOf(id), AfterDrain.LEAVE, nowMillis);
                    }
                }
            }
            if (nowMillis == firstChangeMillis) {
                // Changes of the same instant (a scale-out's joins) count as one.
                minimumToMove = minimumToMove();
            }
        }

        private void drain(int slot, AfterDrain then, long nowMillis) {
            if (slot < 0 || !hosts.present(slot)) {
                return;
            }
            afterDrain[slot] = then;
            hosts.leaving(slot, true);
            drainStartConnections[slot] = hosts.connections(slot);
            operators.put(hosts.id(slot), OperatorState.DEFAULT.withDraining(true, nowMillis));
        }

        /** The fewest connections that must move for every host to be within {@link #BALANCED} x the mean utilisation. */
        private long minimumToMove() {
            double capacity = 0;
            for (int s = 0; s < hosts.slots(); s++) {
                if (hosts.present(s) && !draining(s)) {
                    capacity += hosts.capacity(s);
                }
            }
            if (capacity == 0) {
                return 0;
            }
            double meanUtilisation = hosts.open() / capacity;
            long sum = 0;
            for (int s = 0; s < hosts.slots(); s++) {
                if (hosts.present(s) && !draining(s)) {
                    sum += Math.max(0, (long) Math.ceil(hosts.connections(s) - BALANCED * meanUtilisation * hosts.capacity(s)));
                }
            }
            return sum;
        }

        private boolean draining(int slot) {
            OperatorState op = operators.get(hosts.id(slot));
            return op != null && op.draining();
        }

        private void rebalance(long nowMillis) {
            rebalancerView = rebalancerView.next(hosts.reports(), operators, nowMillis);
            for (RebalanceAction a : rebalancer.actions(rebalancerView, nowMillis)) {
                OperatorState before = operators.getOrDefault(a.hostId(), OperatorState.DEFAULT);
                if (a.kind() == RebalanceAction.Kind.SET_TARGET) {
                    operators.put(a.hostId(), before.withTarget(a.targetConnections(), nowMillis));
                } else if (before.hasTarget()) {
                    operators.put(a.hostId(), before.withTarget(OperatorState.NO_TARGET, nowMillis));
                }
            }
        }

        /** Closed clients come back through the gateways after a first-retry delay uniform over {@code windowMillis}. */
        private void comeBack(int closed, int heavy, long nowMillis, long windowMillis) {
            closedByFarm += closed;
            for (int i = 0; i < closed; i++) {
                reconnects.add(nowMillis + traffic.nextDouble() * windowMillis, 0, i < heavy);
            }
        }

        /** One client's attempt at a random gateway; a failure waits as the cooperating client does. */
        private void attempt(double nowMillis, int failedBefore, boolean heavy) {
            int second = (int) (nowMillis / 1_000.0);
            if (second < requestsPerSecond.length) {
                requestsPerSecond[second]++;
            }
            SimulatedGateway gateway = gateways[traffic.nextInt(gateways.length)];
            int slot = gateway.pick(traffic.nextLong());
            if (slot >= 0 && hosts.accept(slot, heavy)) {
                placed++;
                meter.placed(slot);
                return;
            }
            int failures = failedBefore + 1;
            if (failures >= clients.maxFailures()) {
                abandoned++;
                return;
            }
            retried++;
            double delay;
            if (slot < 0) {
                noHost++;
                delay = clients.retryAfterDelayMillis(traffic.nextDouble());
            } else {
                delay = clients.failureDelayMillis(failures, traffic.nextDouble());
            }
            reconnects.add(nowMillis + delay, failures, heavy);
        }

        private void scheduleHeartbeat(int slot, long atMillis) {
            schedule(atMillis, TickKind.HEARTBEAT, slot, hosts.epoch(slot));
        }

        private void schedule(long atMillis, TickKind kind, int target, int epoch) {
            ticks.add(new Tick(atMillis, order++, kind, target, epoch));
        }
    }
}
