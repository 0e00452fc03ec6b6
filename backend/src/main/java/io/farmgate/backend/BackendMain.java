package io.farmgate.backend;

import io.farmgate.agent.AgentConfig;
import io.farmgate.agent.FarmAgent;
import io.farmgate.agent.FarmAgentBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs one chat backend as a process until SIGTERM (which drains it) without the full command
 * line: {@code java -cp ... io.farmgate.backend.BackendMain --redis URI --farm NAME --port N ...}.
 * The {@code farmgate backend} command is the documented way; this entry serves tests and
 * scripts that start backends as child processes. Exit code 2 for bad arguments.
 */
public final class BackendMain {

    private static final Set<String> FLAGS = Set.of("redis", "farm", "port", "listen-host", "host-id", "url", "address",
            "zone", "capacity", "token-secret", "drain-period-millis", "heartbeat-interval-millis", "heartbeat-ttl-millis",
            "shed-fraction", "min-shed-per-second", "shed-tick-millis", "room-positions", "room-retention");

    private BackendMain() {
    }

    public static void main(String[] args) {
        BackendConfig config;
        try {
            config = parse(List.of(args));
        } catch (IllegalArgumentException e) {
            System.err.println("farmgate backend: " + e.getMessage());
            System.exit(2);
            return;
        }
        ChatBackend backend = ChatBackend.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(backend::close, "farmgate-backend-shutdown"));
        System.out.println("farmgate backend " + config.agent().hostId() + " ready on port " + backend.port());
        System.out.flush();
    }

    static BackendConfig parse(List<String> args) {
        Map<String, String> v = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--") || !FLAGS.contains(a.substring(2))) {
                throw new IllegalArgumentException("unknown argument '" + a + "' (expected one of --" + String.join(", --", FLAGS.stream().sorted().toList()) + ")");
            }
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException(a + ": missing value");
            }
            v.put(a.substring(2), args.get(++i));
        }
        int port = intOf(v, "port", 0);
        FarmAgentBuilder agent = FarmAgent.builder()
                .redis(v.get("redis"))
                .farm(v.getOrDefault("farm", "demo"))
                .hostId(v.getOrDefault("host-id", "backend-" + port))
                .url(v.getOrDefault("url", "ws://127.0.0.1:" + port))
                .address(v.getOrDefault("address", "127.0.0.1"))
                .zone(v.getOrDefault("zone", ""))
                .capacity(intOf(v, "capacity", 10_000))
                .drainPeriod(Duration.ofMillis(longOf(v, "drain-period-millis", AgentConfig.DEFAULT_DRAIN_PERIOD_MILLIS)))
                .heartbeatInterval(Duration.ofMillis(longOf(v, "heartbeat-interval-millis",
                        AgentConfig.DEFAULT_HEARTBEAT_INTERVAL_MILLIS)))
                .heartbeatTtl(Duration.ofMillis(longOf(v, "heartbeat-ttl-millis", AgentConfig.DEFAULT_HEARTBEAT_TTL_MILLIS)))
                .shedRate(doubleOf(v, "shed-fraction", AgentConfig.DEFAULT_SHED_FRACTION_PER_SECOND),
                        intOf(v, "min-shed-per-second", AgentConfig.DEFAULT_MIN_SHED_PER_SECOND))
                .shedTick(Duration.ofMillis(longOf(v, "shed-tick-millis", AgentConfig.DEFAULT_SHED_TICK_MILLIS)));
        String positions = v.getOrDefault("room-positions", "true");
        if (!positions.equals("true") && !positions.equals("false")) {
            throw new IllegalArgumentException("--room-positions: '" + positions + "' (expected: true or false)");
        }
        return new BackendConfig(v.getOrDefault("listen-host", "127.0.0.1"), port, v.get("token-secret"), 5,
                agent.buildConfig(), Boolean.parseBoolean(positions),
                intOf(v, "room-retention", BackendConfig.DEFAULT_ROOM_RETENTION));
    }

    private static int intOf(Map<String, String> v, String flag, int fallback) {
        return (int) longOf(v, flag, fallback);
    }

    private static long longOf(Map<String, String> v, String flag, long fallback) {
        String s = v.get(flag);
        if (s == null) {
            return fallback;
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + flag + ": '" + s + "' (expected: a whole number)");
        }
    }

    private static double doubleOf(Map<String, String> v, String flag, double fallback) {
        String s = v.get(flag);
        if (s == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + flag + ": '" + s + "' (expected: a number)");
        }
    }
}
