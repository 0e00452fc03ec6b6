package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.farmgate.testing.ExternalTool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * compose/ without a container engine (CI has none): the compose file's structure, the files it
 * names, the farmgate command lines in it and in the systemd units (parsed and validated by the real
 * command line, so a renamed flag breaks this test, not a deployment), and the published ports.
 * The compose file uses YAML merge keys ({@code <<: *farmgate}); SnakeYAML, which Jackson's YAML
 * module is built on, resolves them, Jackson's tree model does not.
 */
class ComposeFilesTest {

    private static final Path ROOT = ExampleCommand.repositoryRoot();
    private static final Path COMPOSE = ROOT.resolve("compose");
    private static final Path SYSTEMD = COMPOSE.resolve("systemd");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z0-9_]+)(?::?[-?][^}]*)?}");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> compose() throws IOException {
        return (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions()))
                .load(Files.readString(COMPOSE.resolve("docker-compose.yml")));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> services() throws IOException {
        return (Map<String, Map<String, Object>>) compose().get("services");
    }

    /** KEY=VALUE lines of an env file; comments and blank lines skipped. */
    static Map<String, String> envFile(Path file) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            int eq = t.indexOf('=');
            assertThat(eq).as("%s: %s", file, line).isPositive();
            env.put(t.substring(0, eq), t.substring(eq + 1));
        }
        return env;
    }

    /** Compose's ${VAR}, ${VAR:?message}, ${VAR:-default}, filled from .env.example. */
    private static String interpolate(String text) throws IOException {
        Map<String, String> env = envFile(COMPOSE.resolve(".env.example"));
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            assertThat(env).as("variable %s of the compose file", m.group(1)).containsKey(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(env.get(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static boolean runsFarmgate(Map<String, Object> service) {
        return "farmgate:dev".equals(service.get("image"));
    }

    @SuppressWarnings("unchecked")
    private static List<String> command(Map<String, Object> service) {
        return (List<String>) service.get("command");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> environment(Map<String, Object> service) throws IOException {
        Map<String, String> env = new HashMap<>();
        Object e = service.get("environment");
        if (e instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                env.put(entry.getKey().toString(), interpolate(String.valueOf(entry.getValue())));
            }
        }
        return env;
    }

    @Test
    void composeFileDefinesTheWholeFarm() throws IOException {
        Map<String, Map<String, Object>> services = services();
        assertThat(services).containsKeys("redis", "gateway-1", "gateway-2", "dns-1", "dns-2",
                "java-1", "java-2", "java-3", "node-1");
        // The Node backend carries @farmgate/agent in-process: no sidecar service.
        assertThat(services.values().stream().filter(ComposeFilesTest::runsFarmgate)
                .map(s -> command(s).get(0))).containsExactlyInAnyOrder(
                        "gateway", "gateway", "dns", "dns", "backend", "backend", "backend");
    }

    @Test
    void everyServiceHasAnImageOrBuildAHealthcheckAndARestartPolicy() throws IOException {
        services().forEach((name, s) -> {
            assertThat(s.containsKey("image") || s.containsKey("build")).as("%s: image or build", name).isTrue();
            assertThat(s.get("restart")).as("%s: restart", name).isIn("always", "unless-stopped", "on-failure");
            assertThat(s.get("healthcheck")).as("%s: healthcheck", name).isInstanceOf(Map.class);
            assertThat(((Map<?, ?>) s.get("healthcheck")).get("test")).as("%s: healthcheck test", name).isNotNull();
        });
    }

    @Test
    void everyBuildContextAndDockerfileExists() throws IOException {
        services().forEach((name, s) -> {
            if (s.get("build") instanceof Map<?, ?> build) {
                Path context = COMPOSE.resolve(build.get("context").toString()).normalize();
                assertThat(context).as("%s: build context", name).isDirectory();
                Object dockerfile = build.get("dockerfile");
                assertThat(context.resolve(dockerfile == null ? "Dockerfile" : dockerfile.toString()))
                        .as("%s: Dockerfile", name).isRegularFile();
            }
        });
    }

    @Test
    void farmgateDockerfileBuildsTheJarTheEntrypointRuns() throws IOException {
        String dockerfile = Files.readString(COMPOSE.resolve("Dockerfile"));
        assertThat(dockerfile).contains("AS build", "-pl cli -am",
                "COPY --from=build /src/cli/target/farmgate.jar", "ENTRYPOINT [\"java\", \"-jar\", \"farmgate.jar\"]");
        // The path the image copies is the one the cli module builds.
        assertThat(Files.readString(ROOT.resolve("cli/pom.xml"))).contains("<finalName>farmgate</finalName>");
    }

    @Test
    void nodeBackendFilesExistPinWs8AndUseTheAgentPackageOfThisRepository() throws IOException {
        Path dir = COMPOSE.resolve("node-backend");
        assertThat(dir.resolve("server.js")).isRegularFile();
        assertThat(Files.readString(dir.resolve("server.js"))).contains("require('@farmgate/agent')", "startAgent(");
        JsonNode pkg = new ObjectMapper().readTree(dir.resolve("package.json").toFile());
        assertThat(pkg.path("dependencies").path("ws").asText()).matches("8\\.\\d+\\.\\d+");
        String agentDependency = pkg.path("dependencies").path("@farmgate/agent").asText();
        assertThat(agentDependency).startsWith("file:");
        assertThat(dir.resolve(agentDependency.substring("file:".length())).resolve("package.json")).isRegularFile();
        // The image is built from the repository root and copies the agent package and the server.
        assertThat(Files.readString(dir.resolve("Dockerfile"))).contains("COPY node/agent/src",
                "COPY compose/node-backend/server.js", "COPY compose/node-backend/package.json");
        Map<String, Object> build = (Map<String, Object>) services().get("node-1").get("build");
        assertThat(COMPOSE.resolve(build.get("context").toString()).normalize()).isEqualTo(ROOT.normalize());
    }

    @Test
    void nodeServerIsValidJavaScript() throws Exception {
        Path node = ExternalTool.NODE.require();
        Process p = new ProcessBuilder(node.toString(), "--check", COMPOSE.resolve("node-backend/server.js").toString())
                .redirectErrorStream(true).start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(output).isZero();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void everyVariableOfTheComposeFileHasAValueInTheEnvExample() throws IOException {
        String text = Files.readString(COMPOSE.resolve("docker-compose.yml"));
        Matcher m = VARIABLE.matcher(text);
        int found = 0;
        while (m.find()) {
            found++;
        }
        assertThat(found).as("the secrets come from the env file").isGreaterThanOrEqualTo(2);
        assertThat(interpolate(text)).doesNotContain("${");
        assertThat(envFile(COMPOSE.resolve(".env.example"))).containsKeys("FARMGATE_ADMIN_TOKEN", "FARMGATE_TOKEN_SECRET");
    }

    @Test
    void everyFarmgateCommandOfTheComposeFileParsesAndValidates() throws IOException {
        int checked = 0;
        for (Map.Entry<String, Map<String, Object>> e : services().entrySet()) {
            if (runsFarmgate(e.getValue())) {
                ExampleCommand.check("compose service " + e.getKey(), command(e.getValue()), environment(e.getValue()), null);
                checked++;
            }
        }
        assertThat(checked).isEqualTo(7);
    }

    @Test
    void nodeBackendJoinsTheFarmOfTheOtherServicesWithItsPublishedUrl() throws IOException {
        Map<String, String> nodeEnv = environment(services().get("node-1"));
        List<String> java = command(services().get("java-1"));
        assertThat(nodeEnv.get("FARMGATE_REDIS")).isEqualTo(java.get(java.indexOf("--redis") + 1));
        assertThat(nodeEnv.get("FARMGATE_FARM")).isEqualTo(java.get(java.indexOf("--farm") + 1));
        assertThat(nodeEnv.get("FARMGATE_URL")).isEqualTo("ws://127.0.0.1:" + nodeEnv.get("PORT"));
        assertThat(services().get("node-1").get("ports").toString()).contains(nodeEnv.get("PORT") + ":" + nodeEnv.get("PORT"));
    }

    @Test
    void publishedHostPortsDoNotCollide() throws IOException {
        Map<String, String> owners = new HashMap<>();
        for (Map.Entry<String, Map<String, Object>> e : services().entrySet()) {
            Object ports = e.getValue().get("ports");
            if (!(ports instanceof List<?> list)) {
                continue;
            }
            for (Object port : list) {
                String spec = port.toString();
                String protocol = spec.contains("/") ? spec.substring(spec.indexOf('/') + 1) : "tcp";
                String[] parts = spec.replaceAll("/.*", "").split(":");
                assertThat(parts.length).as("%s: %s (expected: [ip:]host:container)", e.getKey(), spec).isBetween(2, 3);
                String hostPort = parts[parts.length - 2] + "/" + protocol;
                String previous = owners.put(hostPort, e.getKey());
                assertThat(previous).as("host port %s published by %s and %s", hostPort, previous, e.getKey()).isNull();
            }
        }
        assertThat(owners).containsKeys("8080/tcp", "5353/udp", "5353/tcp", "9004/tcp");
    }

    @Test
    void staticAddressesAreUniqueAndInsideTheFarmSubnet() throws IOException {
        List<String> addresses = new ArrayList<>();
        services().forEach((name, s) -> {
            if (s.get("networks") instanceof Map<?, ?> nets && nets.get("farm") instanceof Map<?, ?> farm) {
                addresses.add(farm.get("ipv4_address").toString());
            }
        });
        assertThat(addresses).doesNotHaveDuplicates().allMatch(a -> a.startsWith("172.28.0."));
        assertThat(compose().toString()).contains("172.28.0.0/24");
    }

    // ---- systemd units ----

    /** The farmgate arguments of a unit's ExecStart: continuation lines joined, everything up to the jar dropped. */
    static List<String> execStartArgs(Path unit, String instance) throws IOException {
        String text = Files.readString(unit).replace("\\\n", " ");
        Matcher m = Pattern.compile("(?m)^ExecStart=(.*)$").matcher(text);
        assertThat(m.find()).as("%s: ExecStart", unit).isTrue();
        String line = m.group(1).replace("%i", instance).replace("%l", "web1").replace("%H", "web1");
        List<String> words = List.of(line.trim().split("\\s+"));
        int jar = words.indexOf("/opt/farmgate/farmgate.jar");
        assertThat(jar).as("%s runs /opt/farmgate/farmgate.jar", unit).isPositive();
        assertThat(words.get(jar - 1)).isEqualTo("-jar");
        return words.subList(jar + 1, words.size());
    }

    private static List<Path> units() throws IOException {
        try (Stream<Path> files = Files.list(SYSTEMD)) {
            return files.filter(f -> f.toString().endsWith(".service")).sorted().toList();
        }
    }

    @Test
    void systemdUnitsForGatewayDnsAndAgentExist() throws IOException {
        assertThat(units().stream().map(p -> p.getFileName().toString()))
                .contains("farmgate-gateway.service", "farmgate-dns.service", "farmgate-agent@.service");
    }

    @Test
    void everyUnitReadsTheExampleEnvironmentFileRestartsAndCountsSigtermExitAsSuccess() throws IOException {
        for (Path unit : units()) {
            String text = Files.readString(unit);
            assertThat(text).as(unit.toString())
                    .contains("EnvironmentFile=/etc/farmgate/farmgate.env", "Restart=always", "SuccessExitStatus=143", "[Install]");
        }
        assertThat(envFile(SYSTEMD.resolve("farmgate.env.example")))
                .containsKeys("FARMGATE_REDIS", "FARMGATE_FARM", "FARMGATE_ADMIN_TOKEN");
    }

    @Test
    void everyUnitsExecStartParsesAndValidatesWithTheExampleEnvironmentAndConfig() throws IOException {
        Map<String, String> env = envFile(SYSTEMD.resolve("farmgate.env.example"));
        for (Path unit : units()) {
            List<String> args = execStartArgs(unit, "8080");
            String config = ConfigDefaults.configFile(args.toArray(String[]::new));
            JsonNode yaml = null;
            if (config != null) {
                // /etc/farmgate/agent-8080.yaml is shipped as compose/systemd/agent-8080.yaml.
                Path example = SYSTEMD.resolve(Path.of(config).getFileName().toString());
                assertThat(example).as("%s: example of %s", unit, config).isRegularFile();
                yaml = ConfigDefaults.readYaml(example);
            }
            ExampleCommand.check(unit.getFileName().toString(), args, env, yaml);
        }
    }

    @Test
    void exampleYamlConfigUsesOnlyRealOptionsOfItsCommand() throws IOException {
        JsonNode yaml = ConfigDefaults.readYaml(SYSTEMD.resolve("agent-8080.yaml"));
        var options = Farmgate.commandLine().getSubcommands().get("agent").getCommandSpec().options().stream()
                .map(o -> o.longestName().replaceFirst("^--", "")).toList();
        assertThat(yaml.fieldNames()).toIterable().containsOnly("agent");
        assertThat(yaml.get("agent").fieldNames()).toIterable().isNotEmpty().allMatch(options::contains);
    }
}
