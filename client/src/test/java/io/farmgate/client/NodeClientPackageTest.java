package io.farmgate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.farmgate.testing.ExternalTool;
import io.farmgate.testing.RequiredTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs the tests of the npm package {@code @farmgate/client} ({@code node/client}, {@code node --test}) during the
 * Maven build: the Node client against real servers, and the check that the script-tag build in this module's
 * resources ({@code farmgate-client.js}, the gateway's {@code /v1/client.js}) is a fresh build of the package's
 * source. Skipped, saying why, without Node 20+ (Debian packages {@code nodejs} and {@code npm}) or without the
 * package's {@code node_modules} ({@code npm ci} in {@code node/client}, which {@code .ci/run} does); with
 * {@code FARMGATE_REQUIRE_ALL_TOOLS=1} those fail instead.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NodeClientPackageTest {

    private static final Path PACKAGE = repositoryRoot().resolve("node/client");

    @RegisterExtension
    static final RequiredTools nodeAndModules = new RequiredTools(ExternalTool.NODE)
            .andFile(PACKAGE.resolve("node_modules/ws"),
                    "node/client/node_modules missing (npm package: ws, socket.io; run npm ci in node/client)")
            .andFile(PACKAGE.resolve("node_modules/socket.io"),
                    "node/client/node_modules/socket.io missing (npm package: socket.io; run npm ci in node/client)");

    @Test
    void nodeTestsOfTheNpmPackagePass() throws IOException, InterruptedException {
        Path pkg = PACKAGE;
        String node = ExternalTool.NODE.require().toString();
        require(majorVersion(Path.of(node)) >= 20, "node on PATH is older than 20 (Node.js 20+ needed for node/client)");

        List<String> command = new ArrayList<>(List.of(node, "--test", "--test-concurrency=1"));
        try (Stream<Path> files = Files.list(pkg.resolve("test"))) {
            files.map(f -> "test/" + f.getFileName()).filter(f -> f.endsWith(".test.mjs")).sorted().forEach(command::add);
        }
        Path log = Files.createTempFile("node-client-test", ".log");
        try {
            Process run = new ProcessBuilder(command).directory(pkg.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            boolean ended = run.waitFor(4, TimeUnit.MINUTES);
            if (!ended) {
                run.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(ended).as("node --test in node/client ended within 4 minutes:%n%s", output).isTrue();
            assertThat(run.exitValue()).as("node --test in node/client:%n%s", output).isZero();
            assertThat(output).contains("# fail 0").doesNotContain("# pass 0");
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static void require(boolean present, String message) {
        if ("1".equals(System.getenv("FARMGATE_REQUIRE_ALL_TOOLS"))) {
            assertThat(present).as(message + " (FARMGATE_REQUIRE_ALL_TOOLS=1)").isTrue();
        }
        assumeTrue(present, message);
    }

    private static int majorVersion(Path node) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(node.toString(), "--version").redirectErrorStream(true).start();
            String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return version.matches("v\\d+\\..*") ? Integer.parseInt(version.substring(1, version.indexOf('.'))) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private static Path repositoryRoot() {
        for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("node/client"))) {
                return p;
            }
        }
        throw new IllegalStateException("no node/client above " + System.getProperty("user.dir"));
    }
}
