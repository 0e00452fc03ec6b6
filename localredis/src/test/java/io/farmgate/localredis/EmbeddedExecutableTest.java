package io.farmgate.localredis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The fallback for machines without redis-server on PATH. */
class EmbeddedExecutableTest {

    @Test
    void embeddedBinaryIsExtractedAndRuns() throws IOException, InterruptedException {
        Path binary = RedisServerProcess.embeddedExecutable();
        try {
            assertThat(Files.isExecutable(binary)).isTrue();
            Process version = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
            assertThat(version.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                    .contains("Redis server v=");
        } finally {
            Files.deleteIfExists(binary);
            Files.deleteIfExists(binary.getParent());
        }
    }
}
