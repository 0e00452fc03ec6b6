package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.farmgate.testing.FreePort;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The built jar as operators run it: its version, JSON logs on stderr, the exit code after SIGTERM. */
class ExecutableJarIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ProcessBuilder farmgate(String... args) {
        Path jar = Path.of(System.getProperty("farmgate.jar", "target/farmgate.jar"));
        assertThat(jar).as("built by the package phase").isRegularFile();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    @Test
    void versionPrintsTheProjectVersionFromTheManifest() throws Exception {
        Process p = farmgate("--version").redirectErrorStream(true).start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertThat(p.exitValue()).isZero();
            assertThat(text).matches("farmgate \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void agentWithJsonLogFormatWritesEveryStderrLineAsAJsonObject() throws Exception {
        // Redis and the backend port are both closed: the sidecar logs warnings about each and keeps trying.
        Process p = farmgate("agent", "--redis", "redis://127.0.0.1:" + FreePort.pick(), "--farm", "f",
                "--host-id", "json-logs", "--port", Integer.toString(FreePort.pick()), "--log-format", "json")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            CompletableFuture<List<String>> firstLines = CompletableFuture.supplyAsync(() -> {
                List<String> lines = new ArrayList<>();
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while (lines.size() < 2 && (line = r.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the process was stopped: return what was read
                }
                return lines;
            });
            List<String> lines = firstLines.get(60, TimeUnit.SECONDS);
            assertThat(lines).hasSize(2);
            for (String line : lines) {
                JsonNode event = JSON.readTree(line);
                assertThat(event.isObject()).as(line).isTrue();
                assertThat(event.get("level").asText()).as(line).isIn("INFO", "WARN", "ERROR");
                assertThat(event.get("formattedMessage").asText()).as(line).isNotBlank();
            }
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void agentStoppedBySigtermShutsDownAndExitsWith143AsDocumented() throws Exception {
        Process p = farmgate("agent", "--redis", "redis://127.0.0.1:" + FreePort.pick(), "--farm", "f",
                "--host-id", "sigterm", "--port", Integer.toString(FreePort.pick()))
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<String> started = CompletableFuture.supplyAsync(() -> {
                try {
                    String line;
                    while ((line = out.readLine()) != null) {
                        if (line.contains("watching port")) {
                            return line;
                        }
                    }
                } catch (IOException e) {
                    // fall through
                }
                return null;
            });
            assertThat(started.get(60, TimeUnit.SECONDS)).as("the agent printed its start line").isNotNull();
            p.destroy(); // SIGTERM on Linux
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            // docs/operations.md: 143 = 128 + SIGTERM, the JVM's exit after its shutdown hooks ran.
            assertThat(p.exitValue()).isEqualTo(143);
        } finally {
            p.destroyForcibly();
        }
    }
}
