package io.farmgate.cli;

import io.farmgate.scoring.ScoreFormula;
import io.farmgate.scoring.SlowStart;
import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.scoring.pick.PickerKind;
import io.farmgate.scoring.simulation.CooperatingClients;
import io.farmgate.scoring.simulation.DurationText;
import io.farmgate.scoring.simulation.FarmChange;
import io.farmgate.scoring.simulation.FarmSimulator;
import io.farmgate.scoring.simulation.SimulationConfig;
import io.farmgate.scoring.simulation.Scenario;
import io.farmgate.scoring.simulation.SimulationResult;
import io.farmgate.scoring.simulation.SimulationResult.FleetFigures;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code farmgate simulate}: runs the farm simulator for one or more pickers and prints a table. */
@Command(name = "simulate",
        header = "The farm simulator: balance and herding of every picker, no network.",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Simulates a farm behind gateways that pick from heartbeat-old data and",
            "prints, per picker:",
            "  max/mean p50, max  the most loaded host's utilisation over the mean,",
            "                     sampled every heartbeat after the warm-up",
            "  herd factor        the largest share of one interval's new clients one",
            "                     host took, times the number of hosts (1 = perfect,",
            "                     N = one host took all; joined hosts excluded)",
            "  joined peak        a joined host's highest per-interval arrival rate",
            "                     over the per-host mean",
            "  moved              connections moved by rebalancing (n/a: no rebalancer;",
            "                     --scenario runs the gateway's)",
            "With --scenario, also: the fewest moves the change needed, seconds until",
            "max/mean <= 1.10 again, the busiest second's gateway requests over the mean,",
            "503s, CPU max/mean, closes per client, the scale-in's drain time, clients",
            "that gave up.",
            "Durations take a unit: 500ms, 30s, 10m, 1h. The model: docs/balance.md.",
            ""},
        footer = {"", "Example: farmgate simulate --picker two-choice,least-score --duration 5m",
                "         farmgate simulate --scenario host-failure --picker two-choice,random --json"})
final class SimulateCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ConfigOption config;

    @CommandLine.Mixin
    LoggingOptions logging;

    @Option(names = "--hosts", defaultValue = "32", paramLabel = "N",
            description = "Hosts at the start, in steady state (default: ${DEFAULT-VALUE}).")
    int hosts;

    @Option(names = "--gateways", defaultValue = "8", paramLabel = "N",
            description = "Gateways, each with its own snapshot, ledger and picker (default: ${DEFAULT-VALUE}).")
    int gateways;

    @Option(names = "--heartbeat-interval", defaultValue = "1s", paramLabel = "DURATION",
            description = "How often every host heartbeats, at staggered phases (default: ${DEFAULT-VALUE}).")
    String heartbeatInterval;

    @Option(names = "--refresh-interval", paramLabel = "DURATION",
            description = "How often every gateway rebuilds its snapshot, at staggered phases "
                    + "(default: the heartbeat interval).")
    String refreshInterval;

    @Option(names = "--arrivals-per-second", defaultValue = "2000", paramLabel = "RATE",
            description = "New clients per second, a Poisson stream (default: ${DEFAULT-VALUE}).")
    double arrivalsPerSecond;

    @Option(names = "--mean-lifetime", defaultValue = "300s", paramLabel = "DURATION",
            description = "Mean connection lifetime, exponential (default: ${DEFAULT-VALUE}).")
    String meanLifetime;

    @Option(names = "--capacity", defaultValue = "50000", paramLabel = "N",
            description = "Connections a host accepts, unless --host-capacities says otherwise; "
                    + "also the capacity of joining hosts (default: ${DEFAULT-VALUE}).")
    int capacity;

    @Option(names = "--cpu-cost-per-connection", defaultValue = "0.00002", paramLabel = "SHARE",
            description = "CPU share one connection costs; cpu = connections x cost, at most 1 "
                    + "(default: ${DEFAULT-VALUE}).")
    double cpuCostPerConnection;

    @Option(names = "--host-capacities", split = ",", paramLabel = "N",
            description = "Capacity of each initial host, comma-separated, one per host (heterogeneous farm).")
    List<Integer> hostCapacities;

    @Option(names = "--host-cpu-costs", split = ",", paramLabel = "SHARE",
            description = "CPU cost per connection of each initial host, comma-separated, one per host.")
    List<Double> hostCpuCosts;

    @Option(names = "--event", paramLabel = "EVENT",
            description = "A farm event, repeatable: join@10m, join:host-40@600s, leave:host-3@900s; "
                    + "'none' for no event (default: one empty host joins halfway through).")
    List<String> events;

    @Option(names = "--picker", split = ",", paramLabel = "PICKER",
            description = "Pickers to compare, comma-separated: random, round-robin, least-score, two-choice, "
                    + "bounded-load-rendezvous (default: all five).")
    List<String> pickers;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N",
            description = "Seed of the random source; the same seed gives the same figures (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--duration", defaultValue = "20m", paramLabel = "DURATION",
            description = "Simulated time, whole seconds (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--warmup", paramLabel = "DURATION",
            description = "Balance and herding are measured after this, whole seconds "
                    + "(default: 60s, or a quarter of --duration when that is shorter).")
    String warmup;

    @Option(names = "--slow-start-window", defaultValue = "30s", paramLabel = "DURATION",
            description = "Slow-start ramp of joining hosts; 0s turns it off (default: ${DEFAULT-VALUE}).")
    String slowStartWindow;

    @Option(names = "--slow-start-floor", defaultValue = "0.1", paramLabel = "SHARE",
            description = "Share factor a joining host starts from, in (0, 1] (default: ${DEFAULT-VALUE}).")
    double slowStartFloor;

    @Option(names = "--scenario", paramLabel = "NAME",
            description = "A fleet scenario, with the rebalancer on: steady, join, host-failure, rolling-restart, "
                    + "scale-out, scale-in, zone-failure, heavy-clients (docs/balance.md). Replaces --event.")
    String scenario;

    @Option(names = "--cpu-weight", paramLabel = "W",
            description = "Weight of CPU in the score, beside 0.7 for connections; 0 scores by connections only "
                    + "(default: 0.3).")
    Double cpuWeight;

    @Option(names = "--retry-window", defaultValue = "5s", paramLabel = "DURATION",
            description = "The clients' first retry after a shed or drain (1012) is spread over this, as the "
                    + "cooperating client's firstRetryWindowMillis (default: ${DEFAULT-VALUE}).")
    String retryWindow;

    @Option(names = "--lost-host-retry-window", defaultValue = "10s", paramLabel = "DURATION",
            description = "The clients' first retry after their host was lost is spread over this, as the "
                    + "cooperating client's lostHostRetryWindowMillis (default: ${DEFAULT-VALUE}).")
    String lostHostRetryWindow;

    @Option(names = "--json", description = "Print the results as one JSON object instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        SimulationConfig base;
        List<PickerKind> kinds;
        Scenario chosen;
        try {
            chosen = scenario == null ? null : Scenario.fromLabel(scenario);
            if (chosen != null && events != null && !events.isEmpty()) {
                throw new IllegalArgumentException("--event: not with --scenario (the scenario sets the farm's changes)");
            }
            base = config(chosen);
            kinds = pickerKinds();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        if (chosen != null || json) {
            return fleet(base, kinds, chosen);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(describe(base));
        out.println();
        out.printf(Locale.ROOT, "%-24s %12s %12s %12s %12s %8s%n",
                "picker", "max/mean p50", "max/mean max", "herd factor", "joined peak", "moved");
        long started = System.nanoTime();
        List<String> notes = new ArrayList<>();
        for (PickerKind kind : kinds) {
            SimulationResult r = new FarmSimulator(base.withPicker(kind)).run();
            out.printf(Locale.ROOT, "%-24s %12s %12s %12s %12s %8s%n", kind.label(),
                    figure(r.maxOverMeanP50(), 3), figure(r.maxOverMeanMax(), 3), figure(r.herdFactor(), 2),
                    r.joinedPeakRateRatio().isPresent() ? figure(r.joinedPeakRateRatio().getAsDouble(), 2) : "n/a",
                    r.movedByRebalancing().isPresent() ? Long.toString(r.movedByRebalancing().getAsLong()) : "n/a");
            out.flush();
            if (r.retried() > 0 || r.abandoned() > 0) {
                notes.add(String.format(Locale.ROOT,
                        "%s: %d failed attempts retried, %d clients gave up after %d failures in a row",
                        kind.label(), r.retried(), r.abandoned(), base.clients().maxFailures()));
            }
        }
        out.println();
        notes.forEach(out::println);
        out.printf(Locale.ROOT, "simulated %d picker(s) in %.1f s%n", kinds.size(),
                (System.nanoTime() - started) / 1e9);
        out.flush();
        return 0;
    }

    /** The fleet table (or JSON): per picker, every figure of the scenario. */
    private int fleet(SimulationConfig base, List<PickerKind> kinds, Scenario chosen) {
        PrintWriter out = spec.commandLine().getOut();
        long started = System.nanoTime();
        List<SimulationResult> results = new ArrayList<>();
        if (!json) {
            out.println(describe(base));
            out.println("scenario: " + (chosen == null ? "none" : chosen.label()));
            out.println();
            out.printf(Locale.ROOT, "%-24s %8s %8s %6s %7s %7s %9s %9s %6s %7s %7s %7s %6s%n", "picker", "p50", "max",
                    "herd", "moved", "minimum", "balance", "req peak", "503s", "cpu p50", "moves/c", "drain", "gave up");
        }
        for (PickerKind kind : kinds) {
            SimulationResult r = new FarmSimulator(base.withPicker(kind)).run();
            results.add(r);
            if (!json) {
                FleetFigures f = r.fleet();
                out.printf(Locale.ROOT, "%-24s %8s %8s %6s %7s %7d %9s %9s %6d %7s %7s %7s %6d%n", kind.label(),
                        figure(r.maxOverMeanP50(), 3), figure(r.maxOverMeanMax(), 3), figure(r.herdFactor(), 2),
                        r.movedByRebalancing().isPresent() ? Long.toString(r.movedByRebalancing().getAsLong()) : "n/a",
                        f.minimumToMove(), seconds(f.secondsToBalance()), figure(f.requestPeakOverMean(), 2),
                        f.noHost503s(), figure(f.cpuMaxOverMeanP50(), 3), figure(f.movesPerClient(), 2),
                        seconds(f.drainSeconds()), r.abandoned());
                out.flush();
            }
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        if (json) {
            out.println(SimulationJson.of(base, chosen, results, elapsed));
        } else {
            out.println();
            out.printf(Locale.ROOT, "simulated %d picker(s) in %.1f s%n", kinds.size(), elapsed);
        }
        out.flush();
        return 0;
    }

    private static String seconds(java.util.OptionalDouble s) {
        return s.isPresent() ? String.format(Locale.ROOT, "%.0fs", s.getAsDouble()) : "n/a";
    }

    private SimulationConfig config(Scenario chosen) {
        long durationMillis = wholeSeconds("--duration", duration);
        long heartbeatMillis = DurationText.parseMillis("--heartbeat-interval", heartbeatInterval);
        SimulationConfig.Builder b = SimulationConfig.builder()
                .hosts(hosts)
                .gateways(gateways)
                .heartbeatIntervalMillis(heartbeatMillis)
                .arrivalsPerSecond(arrivalsPerSecond)
                .meanLifetimeSeconds(DurationText.parseMillis("--mean-lifetime", meanLifetime) / 1_000.0)
                .capacity(capacity)
                .cpuCostPerConnection(cpuCostPerConnection)
                .hostCapacities(hostCapacities == null ? List.of() : hostCapacities)
                .hostCpuCosts(hostCpuCosts == null ? List.of() : hostCpuCosts)
                .events(chosen != null ? List.of() : farmChanges(durationMillis))
                .seed(seed)
                .durationSeconds(durationMillis / 1_000L)
                .warmupSeconds(warmup == null ? Math.min(60L, durationMillis / 4_000L)
                        : wholeSeconds("--warmup", warmup) / 1_000L)
                .slowStart(new SlowStart(DurationText.parseMillis("--slow-start-window", slowStartWindow),
                        slowStartFloor));
        CooperatingClients clients = CooperatingClients.DEFAULT;
        b.clients(new CooperatingClients(DurationText.parseMillis("--retry-window", retryWindow),
                DurationText.parseMillis("--lost-host-retry-window", lostHostRetryWindow), clients.initialRetryDelayMillis(),
                clients.maxRetryDelayMillis(), clients.retryAfterMillis(), clients.maxFailures()));
        if (refreshInterval != null) {
            b.refreshIntervalMillis(DurationText.parseMillis("--refresh-interval", refreshInterval));
        }
        if (cpuWeight != null) {
            b.policy(new SnapshotPolicy(3 * Math.max(heartbeatMillis, refreshInterval == null ? heartbeatMillis
                    : DurationText.parseMillis("--refresh-interval", refreshInterval)),
                    new ScoreFormula(ScoreFormula.DEFAULT.connectionWeight(), cpuWeight),
                    new SlowStart(DurationText.parseMillis("--slow-start-window", slowStartWindow), slowStartFloor)));
        }
        if (chosen != null) {
            chosen.configure(b, hosts, durationMillis / 1_000L);
        }
        return b.build();
    }

    private List<FarmChange> farmChanges(long durationMillis) {
        if (events == null || events.isEmpty()) {
            return List.of(FarmChange.join(durationMillis / 2));
        }
        if (events.size() == 1 && events.get(0).trim().equalsIgnoreCase("none")) {
            return List.of();
        }
        List<FarmChange> parsed = new ArrayList<>();
        for (String e : events) {
            parsed.add(FarmChange.parse(e));
        }
        return parsed;
    }

    private List<PickerKind> pickerKinds() {
        if (pickers == null || pickers.isEmpty()) {
            return Arrays.asList(PickerKind.values());
        }
        List<PickerKind> kinds = new ArrayList<>();
        for (String p : pickers) {
            PickerKind k = PickerKind.fromLabel(p);
            if (!kinds.contains(k)) {
                kinds.add(k);
            }
        }
        return kinds;
    }

    private static long wholeSeconds(String option, String text) {
        long millis = DurationText.parseMillis(option, text);
        if (millis % 1_000L != 0) {
            throw new IllegalArgumentException(option + ": '" + text + "' (expected: whole seconds, e.g. 90s)");
        }
        return millis;
    }

    private static String describe(SimulationConfig c) {
        String capacities = c.hostCapacities().isEmpty() ? "capacity " + c.capacity()
                : "capacities " + runs(c.hostCapacities());
        String costs = c.hostCpuCosts().isEmpty() ? "cpu/connection " + plain(c.cpuCostPerConnection())
                : "cpu/connection " + runs(c.hostCpuCosts());
        SnapshotPolicy p = c.policy();
        String slowStart = p.slowStart().windowMillis() == 0 ? "off"
                : DurationText.format(p.slowStart().windowMillis()) + " from " + p.slowStart().floor();
        return String.format(Locale.ROOT,
                "farmgate simulate: %d hosts, %d gateways, heartbeat %s, refresh %s, %s arrivals/s, "
                        + "mean lifetime %ss, %s, %s, slow start %s, duration %s, warm-up %s, seed %d%n"
                        + "score: %s x connections/capacity + %s x cpu%n"
                        + "events: %s",
                c.hosts(), c.gateways(), DurationText.format(c.heartbeatIntervalMillis()),
                DurationText.format(c.refreshIntervalMillis()), plain(c.arrivalsPerSecond()),
                plain(c.meanLifetimeSeconds()), capacities, costs, slowStart,
                DurationText.format(c.durationSeconds() * 1_000L), DurationText.format(c.warmupSeconds() * 1_000L),
                c.seed(), weight(p.formula(), true), weight(p.formula(), false),
                c.events().isEmpty() ? "none" : c.events().toString().replaceAll("[\\[\\]]", ""));
    }

    /** Per-host values with repeats folded: {@code 25000 x16, 75000 x16}. */
    private static String runs(List<? extends Number> values) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < values.size()) {
            int j = i;
            while (j < values.size() && values.get(j).equals(values.get(i))) {
                j++;
            }
            sb.append(sb.length() == 0 ? "" : ", ").append(plain(values.get(i).doubleValue()));
            if (j - i > 1) {
                sb.append(" x").append(j - i);
            }
            i = j;
        }
        return sb.toString();
    }

    private static String weight(ScoreFormula f, boolean connections) {
        double total = f.connectionWeight() + f.cpuWeight();
        return plain((connections ? f.connectionWeight() : f.cpuWeight()) / total);
    }

    private static String plain(double v) {
        return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    }

    private static String figure(double v, int decimals) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
