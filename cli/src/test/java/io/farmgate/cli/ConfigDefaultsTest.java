package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

class ConfigDefaultsTest {

    @TempDir
    Path dir;

    @Command(name = "probe")
    static final class Probe implements Runnable {
        @Mixin
        ConfigOption config;

        @Option(names = "--admin-token", defaultValue = "built-in")
        String adminToken;

        @Option(names = "--port", defaultValue = "80")
        int port;

        @Override
        public void run() {
        }
    }

    private Probe parse(Map<String, String> env, String... args) {
        Probe probe = new Probe();
        CommandLine cl = new CommandLine(probe);
        cl.setDefaultValueProvider(ConfigDefaults.from(args, env));
        cl.parseArgs(args);
        return probe;
    }

    private Path yaml(String text) throws IOException {
        Path f = dir.resolve("farmgate.yaml");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void builtInDefaultAppliesWhenNothingElseIsGiven() {
        assertThat(parse(Map.of()).adminToken).isEqualTo("built-in");
    }

    @Test
    void environmentVariableOverridesTheBuiltInDefault() {
        assertThat(parse(Map.of("FARMGATE_ADMIN_TOKEN", "from-env")).adminToken).isEqualTo("from-env");
    }

    @Test
    void flagOverridesTheEnvironment() {
        assertThat(parse(Map.of("FARMGATE_ADMIN_TOKEN", "from-env"), "--admin-token", "from-flag").adminToken)
                .isEqualTo("from-flag");
    }

    @Test
    void yamlFileFillsOptionsInDashedOrCamelCase() throws IOException {
        Path f = yaml("adminToken: from-yaml\nport: 8080\n");
        Probe p = parse(Map.of(), "--config", f.toString());
        assertThat(p.adminToken).isEqualTo("from-yaml");
        assertThat(p.port).isEqualTo(8080);
    }

    @Test
    void commandSectionOfTheYamlFileWinsOverTheTopLevel() throws IOException {
        Path f = yaml("port: 1\nprobe:\n  port: 2\n");
        assertThat(parse(Map.of(), "--config=" + f).port).isEqualTo(2);
    }

    @Test
    void environmentOverridesTheYamlFile() throws IOException {
        Path f = yaml("admin-token: from-yaml\n");
        assertThat(parse(Map.of("FARMGATE_ADMIN_TOKEN", "from-env"), "--config", f.toString()).adminToken)
                .isEqualTo("from-env");
    }

    @Test
    void missingConfigFileIsAClearError() {
        assertThatThrownBy(() -> ConfigDefaults.from(new String[] {"--config", dir.resolve("nope.yaml").toString()}, Map.of()))
                .hasMessageStartingWith("config: cannot read");
    }

    @Test
    void yamlThatIsNotAMappingIsAClearError() throws IOException {
        Path f = yaml("- just\n- a list\n");
        assertThatThrownBy(() -> ConfigDefaults.from(new String[] {"--config", f.toString()}, Map.of()))
                .hasMessageContaining("expected: a YAML mapping");
    }

    @Test
    void badConfigFileMakesFarmgateExitWithUsageCode() {
        int code = Farmgate.run(new String[] {"--config", dir.resolve("nope.yaml").toString(), "--version"}, Map.of());
        assertThat(code).isEqualTo(Farmgate.EXIT_USAGE);
    }
}
