package io.farmgate.cli;

import io.farmgate.registry.RegistryConfig;
import io.farmgate.scoring.ScoreFormula;
import io.farmgate.scoring.SlowStart;
import io.farmgate.scoring.SnapshotPolicy;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options of a command that reads the farm from the registry (gateway, dns): where Redis is,
 * which farm, how the agents heartbeat, and how the snapshot judges hosts.
 */
final class FarmReaderOptions {

    @Option(names = "--redis", required = true, paramLabel = "URI",
            description = "Registry: redis://, rediss://, redis-sentinel://, redis-cluster:// URI.")
    String redis;

    @Option(names = "--redis-ca-file", paramLabel = "FILE",
            description = "PEM CA certificate(s) a rediss:// registry's certificate must chain to, instead of the JVM's trust store.")
    Path redisCaFile;

    @Option(names = "--farm", required = true, paramLabel = "NAME", description = "Farm name (a-z, 0-9, '-').")
    String farm;

    @Option(names = "--refresh-millis", defaultValue = "250", paramLabel = "MS",
            description = "How often the snapshot is re-read from Redis. Default: ${DEFAULT-VALUE}.")
    long refreshMillis;

    @Option(names = "--heartbeat-interval-millis", defaultValue = "1000", paramLabel = "MS",
            description = "The agents' heartbeat interval. Default: ${DEFAULT-VALUE}.")
    long heartbeatIntervalMillis;

    @Option(names = "--heartbeat-ttl-millis", defaultValue = "3000", paramLabel = "MS",
            description = "The agents' heartbeat expiry; a host whose heartbeat stops for this long gets no clients. Default: ${DEFAULT-VALUE}.")
    long heartbeatTtlMillis;

    @Option(names = "--slow-start-millis", defaultValue = "30000", paramLabel = "MS",
            description = "Ramp of a host that joins or comes back; 0 turns slow start off. Default: ${DEFAULT-VALUE}.")
    long slowStartMillis;

    @Option(names = "--score-connection-weight", defaultValue = "0.7", paramLabel = "W",
            description = "Weight of connections/capacity in the load score, >= 0. Default: ${DEFAULT-VALUE}.")
    double scoreConnectionWeight;

    @Option(names = "--score-cpu-weight", defaultValue = "0.3", paramLabel = "W",
            description = "Weight of the CPU average in the load score, >= 0; 0 scores by connections alone. "
                    + "Default: ${DEFAULT-VALUE}.")
    double scoreCpuWeight;

    /** The registry settings; throws IllegalArgumentException naming a bad field. */
    RegistryConfig registryConfig() {
        return RegistryConfig.defaults(redis, farm)
                .withHeartbeat(heartbeatIntervalMillis, heartbeatTtlMillis)
                .withRefreshIntervalMillis(refreshMillis)
                .withRedisCaFile(redisCaFile);
    }

    /** How snapshots judge hosts; throws IllegalArgumentException naming a bad field. */
    SnapshotPolicy snapshotPolicy() {
        return new SnapshotPolicy(heartbeatTtlMillis, new ScoreFormula(scoreConnectionWeight, scoreCpuWeight),
                slowStartMillis == 0 ? SlowStart.OFF : new SlowStart(slowStartMillis, SlowStart.DEFAULT.floor()));
    }
}
