package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Runs the built executable jar as users do: {@code java -jar farmgate.jar simulate ...}. */
class SimulateJarIT {

    private static final long TIMEOUT_SECONDS = 120;

    @Test
    void builtJarSimulatesASmallFarmAndExitsZero() throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("farmgate.jar", "target/farmgate.jar"));
        assertThat(jar).as("built by the package phase").isRegularFile();
        Path output = Files.createTempFile("farmgate-simulate", ".txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-jar", jar.toString(), "simulate",
                "--duration", "90s", "--hosts", "8", "--gateways", "2", "--arrivals-per-second", "300",
                "--mean-lifetime", "60s", "--picker", "two-choice,least-score"))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        try {
            boolean exited = p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            String text = Files.readString(output, StandardCharsets.UTF_8);

            assertThat(exited).as("exited within %d s:%n%s", TIMEOUT_SECONDS, text).isTrue();
            assertThat(p.exitValue()).as(text).isZero();
            assertThat(text).contains("farmgate simulate: 8 hosts, 2 gateways")
                    .containsPattern("(?m)^two-choice\\s+\\d+\\.\\d{3}\\s+\\d+\\.\\d{3}\\s+\\d+\\.\\d{2}\\s+\\d+\\.\\d{2}\\s+n/a$")
                    .containsPattern("(?m)^least-score\\s+\\d+\\.\\d{3}\\s+\\d+\\.\\d{3}\\s+\\d+\\.\\d{2}\\s+\\d+\\.\\d{2}\\s+n/a$");
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(output);
        }
    }
}
