package io.farmgate.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.farmgate.cli.FarmCheck.HostStatus;
import io.farmgate.registry.RegistryConfig;
import io.farmgate.registry.RegistryConnection;
import io.farmgate.registry.RegistryException;
import io.farmgate.registry.RegistryReading;
import io.farmgate.registry.RegistryReading.SkippedRecord;
import io.farmgate.scoring.HostState;
import io.farmgate.scoring.SnapshotPolicy;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code farmgate check}: reads a farm's registry, read-only, and says whether it can be trusted. */
@Command(name = "check",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        header = "Reads a farm's registry as a gateway would and reports what is wrong with it.",
        description = {
            "Read-only. Reads the registry twice, --watch-millis apart, and prints every host",
            "(state, load, heartbeat age and whether its sequence moves, clock skew), the records",
            "a gateway would skip as corrupt or from a newer farmgate, draining hosts and targets,",
            "and the leader lease holder. Exit 0 healthy; 1 with one 'problem:' line per problem",
            "(also when Redis cannot be read); 2 for a bad command line. See docs/operations.md.",
            ""},
        footer = {"", "Example: farmgate check --redis redis://10.0.0.2:6379 --farm chat --watch-millis 2500"})
final class CheckCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Mixin
    LoggingOptions logging;

    @Mixin
    FarmReaderOptions farmReader;

    @Option(names = "--watch-millis", defaultValue = "1500", paramLabel = "MS",
            description = "Time between the two readings; longer than the agents' heartbeat interval, 1-600000 "
                    + "(default: ${DEFAULT-VALUE}).")
    long watchMillis;

    @Option(names = "--max-skew-millis", defaultValue = "5000", paramLabel = "MS",
            description = "An agent clock further than this from this machine's is a problem, >= 0 "
                    + "(default: ${DEFAULT-VALUE}).")
    long maxSkewMillis;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    Clock clock = Clock.systemUTC();

    /** The registry settings after checking this command's own options; throws IllegalArgumentException naming a bad field. */
    RegistryConfig validatedRegistryConfig() {
        if (watchMillis < 1 || watchMillis > 600_000) {
            throw new IllegalArgumentException("watchMillis: " + watchMillis + " (expected: in [1, 600000])");
        }
        if (maxSkewMillis < 0) {
            throw new IllegalArgumentException("maxSkewMillis: " + maxSkewMillis + " (expected: >= 0)");
        }
        return farmReader.registryConfig();
    }

    @Override
    public Integer call() throws InterruptedException {
        RegistryConfig registryConfig;
        SnapshotPolicy policy;
        RegistryConnection connection;
        try {
            registryConfig = validatedRegistryConfig();
            policy = farmReader.snapshotPolicy();
            connection = RegistryConnection.open(registryConfig);  // a bad URI or CA file is a usage error
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        FarmCheck check;
        try (connection) {
            RegistryReading first = RegistryReading.read(connection, clock);
            // A fixed interval, not a wait for a condition: the sequences must get the chance to move.
            Thread.sleep(watchMillis);
            RegistryReading second = RegistryReading.read(connection, clock);
            check = FarmCheck.judge(registryConfig.farm(), first, second, policy, maxSkewMillis);
        } catch (RegistryException e) {
            String problem = "cannot read the registry at " + registryConfig.maskedRedisUri() + ": " + e.getMessage();
            if (json) {
                out.println(toJson(Map.of("farm", registryConfig.farm(), "healthy", false, "problems", List.of(problem))));
            } else {
                out.println("problem: " + problem);
            }
            return 1;
        }
        if (json) {
            out.println(toJson(asJson(registryConfig, check)));
        } else {
            printText(out, registryConfig, check);
        }
        return check.healthy() ? 0 : 1;
    }

    private static void printText(PrintWriter out, RegistryConfig registry, FarmCheck check) {
        out.printf(Locale.ROOT, "farm %s on %s, read twice %d ms apart%n", registry.farm(), registry.maskedRedisUri(),
                check.watchMillis());
        long eligible = check.hosts().stream().filter(h -> h.eligibility().eligible()).count();
        out.printf(Locale.ROOT, "hosts: %d, %d eligible%n", check.hosts().size(), eligible);
        for (HostStatus h : check.hosts()) {
            out.printf(Locale.ROOT, "  %-20s %-11s %d/%d connections, cpu %.2f, sequence %s, reported %s ago by its clock,"
                            + " skew %s%s%s  %s%n",
                    h.id(), h.eligibility().name().toLowerCase(Locale.ROOT), h.report().connections(),
                    h.report().capacity(), h.report().cpu(), sequence(h), seconds(h.reportedAgeMillis()), skew(h),
                    h.draining() ? (h.operator().draining() ? ", drained by an operator" : ", draining itself") : "",
                    h.operator().hasTarget() ? ", target " + h.operator().targetConnections() + " connections" : "",
                    h.report().url());
        }
        if (!check.expired().isEmpty()) {
            out.println("expired, not yet removed from the host set: " + String.join(", ", check.expired()));
        }
        out.println("skipped records: " + check.skipped().size());
        for (SkippedRecord s : check.skipped()) {
            out.println("  " + s.where() + (s.newerVersion() ? " (newer farmgate)" : "") + ": " + s.problem());
        }
        out.println("leader: " + check.leader().orElse("none (no gateway holds the rebalancer lease)"));
        for (String problem : check.problems()) {
            out.println("problem: " + problem);
        }
        if (check.healthy()) {
            out.println("ok");
        }
    }

    private static String sequence(HostStatus h) {
        if (!h.seenTwice()) {
            return h.report().sequence() + " (new)";
        }
        return h.sequenceBefore() + " -> " + h.report().sequence() + (h.moved() ? "" : " (NOT MOVING)");
    }

    private static String skew(HostStatus h) {
        return h.skewLowMillis() == null ? "unknown"
                : seconds(h.skewLowMillis()) + ".." + seconds(h.skewHighMillis());
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    private static Map<String, Object> asJson(RegistryConfig registry, FarmCheck check) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("farm", registry.farm());
        root.put("healthy", check.healthy());
        root.put("watchMillis", check.watchMillis());
        root.put("hosts", check.hosts().stream().map(h -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("hostId", h.id());
            m.put("url", h.report().url());
            m.put("address", h.report().address());
            m.put("eligibility", h.eligibility().name().toLowerCase(Locale.ROOT));
            m.put("connections", h.report().connections());
            m.put("capacity", h.report().capacity());
            m.put("cpu", h.report().cpu());
            m.put("drainingItself", h.report().state() == HostState.DRAINING);
            m.put("drainedByOperator", h.operator().draining());
            m.put("targetConnections", h.operator().hasTarget() ? h.operator().targetConnections() : null);
            m.put("sequenceBefore", h.seenTwice() ? h.sequenceBefore() : null);
            m.put("sequence", h.report().sequence());
            m.put("sequenceMoving", h.seenTwice() ? h.moved() : null);
            m.put("reportedAgeMillis", h.reportedAgeMillis());
            m.put("skewLowMillis", h.skewLowMillis());
            m.put("skewHighMillis", h.skewHighMillis());
            return m;
        }).toList());
        root.put("gone", check.gone());
        root.put("expired", check.expired());
        root.put("skipped", check.skipped().stream().map(s -> Map.of("where", s.where(), "problem", s.problem(),
                "newerVersion", s.newerVersion())).toList());
        root.put("leader", check.leader().orElse(null));
        root.put("problems", check.problems());
        return root;
    }

    private static String toJson(Object value) {
        try {
            return new ObjectMapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the check as JSON", e);
        }
    }
}
