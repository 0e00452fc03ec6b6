package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.farmgate.registry.FarmKeys;
import io.farmgate.registry.HeartbeatCodec;
import io.farmgate.registry.OperatorStore;
import io.farmgate.registry.RegistryConfig;
import io.farmgate.registry.RegistryConnection;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.testing.ExternalTool;
import io.farmgate.testing.FreePort;
import io.farmgate.testing.RedisServerExtension;
import io.farmgate.testing.RequiredTools;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example backend pod of deploy/kubernetes terminated as Kubernetes terminates it, with real
 * processes: the backend container's command (compose/node-backend's sidecar-server.js under the manifest's
 * {@code sh -c "echo $$ > ... && exec node sidecar-server.js"}) and the sidecar's {@code farmgate agent}
 * command line, both as the manifest has them but for what a test must make local (ports, the pid
 * file's directory, Redis, the pod's name and address) and with every duration scaled from the
 * manifest's 30 s drain period down to 3 s. Both get SIGTERM at once, as the kubelet sends it.
 * Needs node and the npm package ws ({@code cd compose/node-backend && npm install}); skipped without.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KubernetesPodDrainTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static final Path NODE_BACKEND = ExampleCommand.repositoryRoot().resolve("compose/node-backend");

    @RegisterExtension
    static final RequiredTools nodeAndWs = new RequiredTools(ExternalTool.NODE).andFile(NODE_BACKEND.resolve("node_modules/ws"),
            "compose/node-backend/node_modules/ws missing (npm package: ws; run npm install in compose/node-backend)");
    private static final long DRAIN_MILLIS = 3_000;
    private static final int CLIENTS = 10;
    private static final String HOST_ID = "chat-backend-test-0";
    private static final Duration START_WAIT = Duration.ofSeconds(45);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Process> processes = new ArrayList<>();
    private final List<Client> clients = new ArrayList<>();
    private FarmKeys farm;

    @AfterEach
    void stop() throws InterruptedException {
        for (Client c : clients) {
            if (c.socket != null) {
                c.socket.abort();
            }
        }
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** A WebSocket client that remembers when it was closed, and with which code. */
    private static final class Client implements WebSocket.Listener {
        final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
        volatile long closedAtNanos;
        WebSocket socket;

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closedAtNanos = System.nanoTime();
            closeCode.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closedAtNanos = System.nanoTime();
            closeCode.completeExceptionally(error);
        }
    }

    /** The container's environment with what the kubelet would fill in made local to this test. */
    private Map<String, String> environment(Container c, UnaryOperator<String> localize) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar e : c.getEnv()) {
            String value;
            if (e.getValueFrom() == null) {
                value = localize.apply(e.getValue());
            } else if (e.getValueFrom().getSecretKeyRef() != null) {
                assertThat(e.getValueFrom().getSecretKeyRef().getKey()).as(e.getName()).isEqualTo("redis-uri");
                value = redis.uri();
            } else {
                value = switch (e.getValueFrom().getFieldRef().getFieldPath()) {
                    case "metadata.name" -> HOST_ID;
                    case "status.podIP" -> "127.0.0.1";
                    default -> throw new AssertionError("field " + e.getValueFrom().getFieldRef().getFieldPath());
                };
            }
            env.put(e.getName(), value);
        }
        return env;
    }

    private Process start(List<String> command, Map<String, String> env, Path workDir, String log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith(ConfigDefaults.ENV_PREFIX)); // only the pod's own
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private HostReport heartbeat() {
        Object json = redis.command("GET", farm.host(HOST_ID));
        return json == null ? null : HeartbeatCodec.decode(HOST_ID, (String) json).value();
    }

    private static long millisSince(long startNanos, long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos - startNanos);
    }

    @Test
    void podTerminationMarksTheHostDrainingShedsEveryClientWith1012OverTheDrainPeriodThenExitsWithinTheGrace()
            throws Exception {
        Path node = ExternalTool.NODE.require();

        PodSpec pod = KubernetesManifests.deployment("overlays/example/backend.yaml", "chat-backend")
                .getSpec().getTemplate().getSpec();
        Container backend = KubernetesManifests.container(pod, "backend");
        Container sidecar = KubernetesManifests.container(pod, "farmgate-agent");
        AgentCommand agentAsShipped = (AgentCommand) Farmgate.commandLine().parseArgs(sidecar.getArgs().toArray(String[]::new))
                .subcommand().commandSpec().userObject();
        farm = new FarmKeys(agentAsShipped.agent.farm);
        String wsPort = KubernetesManifests.environment(backend).get("PORT");
        String hookPort = KubernetesManifests.environment(backend).get("HOOK_PORT");
        String pidDir = agentAsShipped.pidFile.getParent().toString();
        double scale = (double) DRAIN_MILLIS / agentAsShipped.agent.drainPeriodMillis;
        long graceMillis = Math.round(pod.getTerminationGracePeriodSeconds() * 1000 * scale);
        int localWsPort = FreePort.pick();
        int localHookPort = FreePort.pick();
        UnaryOperator<String> localize = text -> text.replace(pidDir, dir.toString())
                .replaceAll("\\b" + wsPort + "\\b", Integer.toString(localWsPort))
                .replaceAll("\\b" + hookPort + "\\b", Integer.toString(localHookPort));

        // The backend container: its command and environment, DRAIN_WAIT_MS scaled like the drain period.
        Map<String, String> backendEnv = environment(backend, localize);
        backendEnv.put("DRAIN_WAIT_MS", Long.toString(Math.round(Long.parseLong(backendEnv.get("DRAIN_WAIT_MS")) * scale)));
        List<String> backendCommand = backend.getCommand().stream().map(localize).toList();
        assertThat(backendCommand.get(0)).isEqualTo("sh");
        Process server = start(backendCommand, backendEnv, NODE_BACKEND, "backend.log");

        // The sidecar container: farmgate agent with the manifest's arguments, the drain period scaled.
        List<String> agentArgs = new ArrayList<>(sidecar.getArgs().stream().map(localize).toList());
        agentArgs.set(agentArgs.indexOf("--drain-period-millis") + 1, Long.toString(DRAIN_MILLIS));
        List<String> agentCommand = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Farmgate.class.getName()));
        agentCommand.addAll(agentArgs);
        Process agent = start(agentCommand, environment(sidecar, localize), dir, "agent.log");

        await().atMost(START_WAIT).untilAsserted(() -> {
            assertThat(server.isAlive()).as("backend; log:%n%s", Files.readString(dir.resolve("backend.log"))).isTrue();
            assertThat(agent.isAlive()).as("agent; log:%n%s", Files.readString(dir.resolve("agent.log"))).isTrue();
            assertThat(heartbeat()).as("heartbeat").isNotNull();
        });
        // The pid file names the node process itself (exec kept the shell's pid): its CPU is what is measured.
        assertThat(Files.readString(dir.resolve(agentAsShipped.pidFile.getFileName())).trim()).isEqualTo(Long.toString(server.pid()));
        for (int i = 0; i <= CLIENTS; i++) {
            Client c = new Client();
            c.socket = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + localWsPort + "/chat"), c)
                    .get(10, TimeUnit.SECONDS);
            clients.add(c);
        }
        await().atMost(START_WAIT).until(() -> heartbeat() != null && heartbeat().connections() == CLIENTS + 1);
        // A pod that has run a while has used its shed hook before: one shed order through the hook
        // (an operator's target) brings this agent's hook calls to that state, so the drain below
        // measures the drain and not a cold JVM's first HTTP request.
        try (RegistryConnection connection = RegistryConnection.open(RegistryConfig.defaults(redis.uri(),
                agentAsShipped.agent.farm).withCommandTimeoutMillis(10_000))) { // a busy machine, not a slow Redis
            OperatorStore operators = new OperatorStore(connection, Clock.systemUTC());
            operators.setTarget(HOST_ID, CLIENTS);
            await().atMost(START_WAIT).until(() -> clients.stream().filter(c -> c.closeCode.isDone()).count() == 1);
            operators.clear(HOST_ID);
        }
        Client shed = clients.stream().filter(c -> c.closeCode.isDone()).findFirst().orElseThrow();
        assertThat(shed.closeCode).isCompletedWithValue(1012);
        clients.remove(shed);
        await().atMost(START_WAIT).until(() -> heartbeat().connections() == CLIENTS);

        CompletableFuture<Long> agentExit = agent.onExit().thenApply(p -> System.nanoTime());
        CompletableFuture<Long> serverExit = server.onExit().thenApply(p -> System.nanoTime());
        long sigterm = System.nanoTime();
        server.destroy(); // SIGTERM to both containers' processes at once, as the kubelet sends it
        agent.destroy();

        await().atMost(Duration.ofMillis(DRAIN_MILLIS)).pollInterval(Duration.ofMillis(10))
                .until(() -> heartbeat() != null && heartbeat().state() == HostState.DRAINING);
        assertThat(agent.waitFor(graceMillis + 5_000, TimeUnit.MILLISECONDS)).as("agent exited").isTrue();
        assertThat(server.waitFor(graceMillis + 5_000, TimeUnit.MILLISECONDS)).as("backend exited").isTrue();

        assertThat(clients).allSatisfy(c -> assertThat(c.closeCode).isCompletedWithValue(1012));
        List<Long> closedAt = clients.stream().map(c -> millisSince(sigterm, c.closedAtNanos)).sorted().toList();
        // Spread over the drain period, not all at once (as the backend's own SIGTERM handling would
        // close stragglers at DRAIN_WAIT_MS): the agent gives each client a random moment in the first
        // 80 % of the period; 10 such moments span less than 1/10 of the period with p < 1e-7. Closes
        // that fall due while a hook call is slow (a loaded machine) go out together with the next.
        assertThat(closedAt.get(CLIENTS - 1) - closedAt.get(0)).as("closes at %s ms", closedAt).isGreaterThan(DRAIN_MILLIS / 10);
        // Every client was closed by the agent's drain, none by the backend's own deadline.
        assertThat(closedAt.get(CLIENTS - 1)).as("closes at %s ms", closedAt)
                .isLessThan(Long.parseLong(backendEnv.get("DRAIN_WAIT_MS")));
        // The agent waited for its clients to go, then left; both exited within the (scaled) grace period.
        System.out.printf("closes at %s ms after SIGTERM; agent exit %d ms, backend exit %d ms; grace %d ms%n", closedAt,
                millisSince(sigterm, agentExit.join()), millisSince(sigterm, serverExit.join()), graceMillis);
        assertThat(millisSince(sigterm, agentExit.join())).isGreaterThanOrEqualTo(closedAt.get(CLIENTS - 1)).isLessThan(graceMillis);
        assertThat(millisSince(sigterm, serverExit.join())).isLessThan(graceMillis);
        assertThat(agent.exitValue()).as("143: the JVM's exit after a SIGTERM it handled").isEqualTo(143);
        assertThat(server.exitValue()).isZero();
        assertThat(heartbeat()).as("heartbeat removed at the end of the drain").isNull();
        assertThat(redis.command("ZSCORE", farm.hosts(), HOST_ID)).isNull();
    }
}
