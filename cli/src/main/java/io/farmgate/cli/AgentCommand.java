package io.farmgate.cli;

import io.farmgate.agent.Sidecar;
import io.farmgate.agent.SidecarConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code farmgate agent}: the sidecar that makes a backend in any language part of a farm. */
@Command(name = "agent",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        header = "Sidecar agent for a backend in any language: counts, heartbeats, sheds.",
        description = {
            "Runs beside a backend written in any language: counts its ESTABLISHED",
            "TCP connections on --port (from /proc/net/tcp and tcp6), measures the CPU",
            "of --pid / --pid-file (else of the whole host), heartbeats to Redis, and",
            "sheds by calling the backend's hook: --shed-url gets",
            "POST {\"count\": N, \"closeCode\": 1012}. SIGTERM drains the backend",
            "through the hook over --drain-period-millis, then leaves the farm.",
            "Protocol and a Node.js example: docs/agent.md.",
            "",
            "JVM: the farmgate launcher starts this command with lean settings,",
            "  " + AgentCommand.LAUNCHER_JAVA_OPTS_WRAPPED,
            "Options in FARMGATE_JAVA_OPTS come after them and win. What the agent",
            "costs: docs/benchmarks.md.",
            ""},
        footer = {"", "Example: farmgate agent --redis redis://10.0.0.2:6379 --farm chat --host-id chat-1 \\",
                "           --url ws://10.0.0.5:8080 --address 10.0.0.5 --port 8080 --capacity 20000 \\",
                "           --pid-file /run/chat.pid --shed-url http://127.0.0.1:8080/farmgate/shed"})
final class AgentCommand implements Callable<Integer> {

    /** The JVM options the {@code farmgate} launcher gives this command; LauncherDefaultsTest keeps them equal. */
    static final String LAUNCHER_JAVA_OPTS = "-XX:+UseSerialGC -Xms8m -Xmx32m -XX:MinHeapFreeRatio=10"
            + " -XX:MaxHeapFreeRatio=30 -Xss256k -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1"
            + " -XX:ReservedCodeCacheSize=16m -XX:MaxMetaspaceSize=64m -XX:MaxDirectMemorySize=16m"
            + " -XX:-UsePerfData -Dio.netty.allocator.type=unpooled -Dio.lettuce.core.jfr=false";

    static final String LAUNCHER_JAVA_OPTS_WRAPPED = "-XX:+UseSerialGC -Xms8m -Xmx32m -XX:MinHeapFreeRatio=10%n"
            + "  -XX:MaxHeapFreeRatio=30 -Xss256k -XX:TieredStopAtLevel=1%n"
            + "  -XX:CICompilerCount=1 -XX:ReservedCodeCacheSize=16m%n"
            + "  -XX:MaxMetaspaceSize=64m -XX:MaxDirectMemorySize=16m -XX:-UsePerfData%n"
            + "  -Dio.netty.allocator.type=unpooled -Dio.lettuce.core.jfr=false";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Mixin
    LoggingOptions logging;

    @Mixin
    AgentOptions agent;

    @Option(names = "--port", defaultValue = "0", paramLabel = "N",
            description = "The backend's local port, 1-65535, required: its ESTABLISHED connections are counted "
                    + "(default: ${DEFAULT-VALUE}, which is refused).")
    int port;

    @Option(names = "--pid", defaultValue = "0", paramLabel = "PID",
            description = "Process whose CPU is measured (default: ${DEFAULT-VALUE}, the whole host).")
    long pid;

    @Option(names = "--pid-file", paramLabel = "FILE",
            description = "File holding that process id, re-read every sample so restarts are followed.")
    Path pidFile;

    @Option(names = "--shed-url", paramLabel = "URL",
            description = "The backend's shed hook. Without it, shed orders are logged, not obeyed.")
    String shedUrl;

    @Option(names = "--shed-timeout-millis", defaultValue = "2000", paramLabel = "MS",
            description = "Longest wait for one hook call (default: ${DEFAULT-VALUE}).")
    long shedTimeoutMillis;

    @Override
    public Integer call() throws InterruptedException {
        SidecarConfig sidecarConfig;
        try {
            sidecarConfig = new SidecarConfig(agent.toConfig(port), port, pid, pidFile, shedUri(), shedTimeoutMillis);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Sidecar sidecar = Sidecar.start(sidecarConfig);
        spec.commandLine().getOut().printf("farmgate agent %s: watching port %d, heartbeats to farm %s%n",
                sidecarConfig.agent().hostId(), port, sidecarConfig.agent().farm());
        spec.commandLine().getOut().flush();
        UntilShutdown.await(sidecar, "farmgate-agent-shutdown");
        return 0;
    }

    URI shedUri() {
        if (shedUrl == null || shedUrl.isBlank()) {
            return null;
        }
        try {
            return new URI(shedUrl);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("shedUrl: '" + shedUrl + "' (expected: an http:// or https:// URL)");
        }
    }
}
