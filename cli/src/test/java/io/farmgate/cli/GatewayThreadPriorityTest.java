package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real {@code farmgate gateway} process with the options the launcher adds as root: its background
 * threads (registry, rebalancer, drain watch, admin API) run at nice 19, its public event loops and
 * the JIT compilers at normal priority, and no thread is raised above it. Read from
 * {@code /proc}, as the scheduler sees them. No Redis is needed: the gateway starts without one.
 */
@Timeout(90)
class GatewayThreadPriorityTest {

    private static final Path PROC = Path.of("/proc");
    private Process gateway;

    @AfterEach
    void stop() throws InterruptedException {
        if (gateway != null) {
            gateway.destroy();
            if (!gateway.waitFor(20, TimeUnit.SECONDS)) {
                gateway.destroyForcibly();
            }
        }
    }

    @Test
    void backgroundThreadsRunBelowThePublicEventLoopsAndTheJit() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(PROC.resolve("self/task")), "needs Linux's /proc");
        int ownNice = nice(PROC.resolve("self/stat"));
        boolean root = ((Integer) Files.getAttribute(PROC.resolve("self"), "unix:uid")) == 0;
        int unusedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            unusedPort = s.getLocalPort(); // the registry is never there: the gateway serves 503 and retries
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(GatewayCommand.LAUNCHER_JAVA_OPTS.split(" ")));
        command.addAll(List.of(GatewayCommand.LAUNCHER_ROOT_JAVA_OPTS.split(" ")));
        command.addAll(List.of("-Xmx128m", "-cp", System.getProperty("java.class.path"), Farmgate.class.getName(),
                "gateway", "--redis", "redis://127.0.0.1:" + unusedPort, "--farm", "priority",
                "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--admin-token", "priority-test-token-0123"));
        gateway = new ProcessBuilder(command).redirectErrorStream(true).start();
        StringBuilder log = new StringBuilder();
        CompletableFuture<Void> listening = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (log) {
                        log.append(line).append('\n');
                    }
                    if (line.startsWith("gateway listening on")) {
                        listening.complete(null);
                    }
                }
            } catch (IOException e) {
                listening.completeExceptionally(e);
            }
        }, "gateway-output");
        reader.setDaemon(true);
        reader.start();
        listening.get(60, TimeUnit.SECONDS);

        Path tasks = PROC.resolve(Long.toString(gateway.pid())).resolve("task");
        int loopNice = root ? 0 : ownNice;
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Map<String, List<Integer>> byName = threadNices(tasks);
            assertThat(byName).as("threads (comm -> nice) of the gateway; its output:%n%s", log)
                    .containsKeys("farmgate-public", "farmgate-snapsh", "farmgate-rebala", "farmgate-drain-",
                            "farmgate-redis-", "C2 CompilerThre", "C1 CompilerThre");
            assertThat(byName.get("farmgate-public")).allMatch(n -> n == loopNice);
            assertThat(byName.get("C2 CompilerThre")).allMatch(n -> n == loopNice);
            assertThat(byName.get("C1 CompilerThre")).allMatch(n -> n == loopNice);
            for (String background : List.of("farmgate-snapsh", "farmgate-rebala", "farmgate-drain-", "farmgate-redis-",
                    "lettuce-epollEv", "lettuce-eventEx", "JettyServerThre")) {
                assertThat(byName.getOrDefault(background, List.of())).as(background).allMatch(n -> n == 19);
            }
            assertThat(byName.values().stream().flatMap(List::stream)).as("no thread raised").allMatch(n -> n >= loopNice);
        });
    }

    /** comm (the first 15 characters of a thread's name) to the nice values of the threads with it. */
    private static Map<String, List<Integer>> threadNices(Path tasks) throws IOException {
        Map<String, List<Integer>> byName = new HashMap<>();
        try (Stream<Path> list = Files.list(tasks)) {
            for (Path task : list.toList()) {
                try {
                    String comm = Files.readString(task.resolve("comm")).trim();
                    byName.computeIfAbsent(comm, k -> new ArrayList<>()).add(nice(task.resolve("stat")));
                } catch (IOException ended) {
                    // the thread ended between listing and reading
                }
            }
        }
        return byName;
    }

    /** Field 19 of a {@code stat} file; the name in parentheses may hold spaces, so count after its ')'. */
    private static int nice(Path stat) throws IOException {
        String s = Files.readString(stat);
        String[] fields = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[16]);
    }
}
