package io.farmgate.cli;

import io.farmgate.agent.AgentConfig;
import io.farmgate.agent.FarmAgent;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The options every command that runs an agent shares ({@code agent}, {@code backend}): the
 * host's identity, where Redis is, and the agent's timing. Checked by {@link AgentConfig}.
 */
final class AgentOptions {

    @Option(names = "--redis", paramLabel = "URI",
            description = "Redis of the farm's registry, e.g. redis://127.0.0.1:6379 (also rediss://, redis-sentinel://, redis-cluster://).")
    String redis;

    @Option(names = "--redis-ca-file", paramLabel = "FILE",
            description = "PEM CA certificate(s) a rediss:// registry's certificate must chain to, instead of the JVM's trust store.")
    java.nio.file.Path redisCaFile;

    @Option(names = "--farm", defaultValue = "demo", paramLabel = "NAME",
            description = "Farm name: 1-63 of a-z, 0-9 and '-' (default: ${DEFAULT-VALUE}).")
    String farm;

    @Option(names = "--host-id", paramLabel = "ID",
            description = "This host's id, one lower-case DNS label (default: <hostname>-<port>).")
    String hostId;

    @Option(names = "--url", paramLabel = "URL",
            description = "Base URL clients are sent to (default: ws://<address>:<port>).")
    String url;

    @Option(names = "--address", defaultValue = "127.0.0.1", paramLabel = "IP",
            description = "IP address the DNS front door answers with (default: ${DEFAULT-VALUE}).")
    String address;

    @Option(names = "--zone", defaultValue = "", paramLabel = "ZONE",
            description = "Placement label (rack, availability zone); may be empty.")
    String zone;

    @Option(names = "--capacity", defaultValue = "10000", paramLabel = "N",
            description = "Most connections the host accepts (default: ${DEFAULT-VALUE}).")
    int capacity;

    @Option(names = "--weight", defaultValue = "1", paramLabel = "W",
            description = "The host's own share of new clients, 1 is normal (default: ${DEFAULT-VALUE}).")
    double weight;

    @Option(names = "--heartbeat-interval-millis", defaultValue = "1000", paramLabel = "MS",
            description = "Heartbeat period; also how often stored operator state is read (default: ${DEFAULT-VALUE}).")
    long heartbeatIntervalMillis;

    @Option(names = "--heartbeat-ttl-millis", defaultValue = "3000", paramLabel = "MS",
            description = "Heartbeat expiry: a host whose agent stops is gone this long after (default: ${DEFAULT-VALUE}).")
    long heartbeatTtlMillis;

    @Option(names = "--cpu-half-life-millis", defaultValue = "10000", paramLabel = "MS",
            description = "Half-life of the CPU moving average (default: ${DEFAULT-VALUE}).")
    long cpuHalfLifeMillis;

    @Option(names = "--drain-period-millis", defaultValue = "30000", paramLabel = "MS",
            description = "Drains and shutdowns spread their 1012 closes over this period (default: ${DEFAULT-VALUE}).")
    long drainPeriodMillis;

    @Option(names = "--shed-fraction", defaultValue = "0.05", paramLabel = "SHARE",
            description = "At most this share of the connections is shed per second toward a target (default: ${DEFAULT-VALUE}).")
    double shedFractionPerSecond;

    @Option(names = "--min-shed-per-second", defaultValue = "1", paramLabel = "N",
            description = "But at least this many per second (default: ${DEFAULT-VALUE}).")
    int minShedPerSecond;

    /** The agent's config for a host serving on {@code port}; throws IllegalArgumentException naming the field. */
    AgentConfig toConfig(int port) {
        String id = hostId != null ? hostId : defaultHostId(port);
        String base = url != null ? url : "ws://" + (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
        return FarmAgent.builder()
                .redis(redis)
                .redisCaFile(redisCaFile)
                .farm(farm)
                .hostId(id)
                .url(base)
                .address(address)
                .zone(zone)
                .capacity(capacity)
                .weight(weight)
                .heartbeatInterval(Duration.ofMillis(heartbeatIntervalMillis))
                .heartbeatTtl(Duration.ofMillis(heartbeatTtlMillis))
                .cpuHalfLife(Duration.ofMillis(cpuHalfLifeMillis))
                .drainPeriod(Duration.ofMillis(drainPeriodMillis))
                .shedRate(shedFractionPerSecond, minShedPerSecond)
                .buildConfig();
    }

    /** The machine's name made into a DNS label, plus the port: unique per host and port. */
    static String defaultHostId(int port) {
        String name;
        try {
            name = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            name = "host";
        }
        String label = name.toLowerCase(Locale.ROOT).split("\\.")[0].replaceAll("[^a-z0-9-]", "-")
                .replaceAll("^-+|-+$", "");
        if (label.isEmpty()) {
            label = "host";
        }
        String suffix = "-" + port;
        if (label.length() + suffix.length() > 63) {
            label = label.substring(0, 63 - suffix.length()).replaceAll("-+$", "");
        }
        return label + suffix;
    }
}
