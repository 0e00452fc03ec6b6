package io.farmgate.cli;

import io.farmgate.client.FrontDoor;
import io.farmgate.client.LoadGenerator;
import io.farmgate.client.LoadReport;
import io.farmgate.client.LoadgenConfig;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code farmgate loadgen}: many cooperating clients through a gateway, and a report of where they landed and what got lost. */
@Command(name = "loadgen", mixinStandardHelpOptions = true,
        description = {"Opens N cooperating clients through the gateway, keeps them for the duration while they chat, "
                + "then prints clients per host (max/mean), assignments per second, reconnects by cause, "
                + "messages sent/received/lost, broadcasts expected/delivered/missed by room position (and gaps) "
                + "and assignment latency p50/p99.",
                "Loopback or your own farm only: it is a load test."},
        footer = {"", "Durations: 500ms, 30s, 2m, 1h, or ISO-8601 (PT30S); a bare number is seconds.",
                "Exit codes: 0 nothing lost or missed and every client connected at the end, 1 messages lost, "
                        + "broadcasts missed or clients failed, "
                        + "2 bad command line or configuration."})
final class LoadgenCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Mixin
    LoggingOptions logging;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--gateway", required = true, split = ",", paramLabel = "URL[,URL...]",
            description = "The gateway's public base URL, e.g. http://127.0.0.1:8080; several, comma-separated, and a client "
                    + "asks the next at once when one cannot be reached.")
    java.util.List<URI> gateways;

    @Option(names = "--clients", defaultValue = "100", paramLabel = "N", description = "Clients to open (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--duration", defaultValue = "30s", paramLabel = "D", converter = DurationConverter.class,
            description = "How long the run lasts, ramp included (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--ramp", paramLabel = "R", converter = DurationConverter.class,
            description = "Clients start evenly over this time (default: a tenth of the duration, at most 5s).")
    Duration ramp;

    @Option(names = "--message-rate", defaultValue = "10", paramLabel = "M",
            description = "Chat messages per second across all clients (default: ${DEFAULT-VALUE}).")
    double messageRate;

    @Option(names = "--front-door", defaultValue = "assign", paramLabel = "assign|redirect",
            description = "GET /v1/assign (JSON, as browsers do) or follow the 307 (default: ${DEFAULT-VALUE}).")
    FrontDoor frontDoor;

    @Option(names = "--path", defaultValue = "", paramLabel = "PATH",
            description = "WebSocket path on the hosts, e.g. /chat (default: the host's URL as assigned).")
    String path;

    @Option(names = "--retry-window", defaultValue = "5s", paramLabel = "D", converter = DurationConverter.class,
            description = "Each client's first retry after a shed, drain or rebalance (close 1012) is spread over this; "
                    + "1013 waits one such window first (default: ${DEFAULT-VALUE}).")
    Duration retryWindow;

    @Option(names = "--lost-host-retry-window", defaultValue = "10s", paramLabel = "D", converter = DurationConverter.class,
            description = "Each client's first retry after its host was lost (connection broken without a close frame, "
                    + "1006, 1011, or 1001 from a stopping backend) is spread over this (default: ${DEFAULT-VALUE}).")
    Duration lostHostRetryWindow;

    @Option(names = "--settle", defaultValue = "10s", paramLabel = "D", converter = DurationConverter.class,
            description = "After the duration, how long to wait for reconnects and confirmations before counting (default: ${DEFAULT-VALUE}).")
    Duration settle;

    @Option(names = "--progress-interval", defaultValue = "1s", paramLabel = "D", converter = DurationConverter.class,
            description = "How often the progress line is printed to stderr (default: ${DEFAULT-VALUE}).")
    Duration progressInterval;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the clients' random sources, to repeat a run (default: random).")
    Long seed;

    @Override
    public Integer call() throws InterruptedException {
        long durationMillis = duration.toMillis();
        long rampMillis = ramp != null ? ramp.toMillis() : Math.min(5_000, durationMillis / 10);
        long runSeed = seed != null ? seed : ThreadLocalRandom.current().nextLong();
        LoadgenConfig loadgen;
        try {
            loadgen = new LoadgenConfig(gateways, clients, durationMillis, rampMillis, messageRate, frontDoor, path,
                    retryWindow.toMillis(), lostHostRetryWindow.toMillis(), settle.toMillis(), progressInterval.toMillis(), runSeed);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "loadgen: " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        out.printf(Locale.ROOT, "farmgate loadgen: %d clients for %.1f s (ramp %.1f s, %s msg/s) through %s, seed %d%n",
                clients, durationMillis / 1_000.0, rampMillis / 1_000.0, messageRate, String.join(", ", gateways.stream().map(URI::toString).toList()), runSeed);
        out.flush();
        LoadReport report = new LoadGenerator(loadgen).run(line -> {
            err.println(line);
            err.flush();
        });
        out.print(report.format());
        out.flush();
        return report.passed() ? 0 : 1;
    }

    /** Reads 500ms, 30s, 2m, 1h, a bare number of seconds, or ISO-8601. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        private static final Pattern SHORT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

        @Override
        public Duration convert(String value) {
            String text = value.trim().toLowerCase(Locale.ROOT);
            Matcher m = SHORT.matcher(text);
            if (m.matches()) {
                double amount = Double.parseDouble(m.group(1));
                String unit = m.group(2) == null ? "s" : m.group(2);
                double millis = switch (unit) {
                    case "ms" -> amount;
                    case "m" -> amount * 60_000;
                    case "h" -> amount * 3_600_000;
                    default -> amount * 1_000;
                };
                return Duration.ofMillis(Math.round(millis));
            }
            try {
                return Duration.parse(value.trim());
            } catch (java.time.format.DateTimeParseException e) {
                throw new CommandLine.TypeConversionException(
                        "'" + value + "' (expected: a duration such as 500ms, 30s, 2m, 1h or PT30S)");
            }
        }
    }
}
