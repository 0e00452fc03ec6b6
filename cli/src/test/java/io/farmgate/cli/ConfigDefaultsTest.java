package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
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

    /** The dns command's config as parsed from {@code args} with this environment (and the file {@code --config} names). */
    private static io.farmgate.dns.DnsConfig dnsConfig(Map<String, String> env, String... args) {
        CommandLine cl = Farmgate.commandLine(ConfigDefaults.from(args, env));
        cl.parseArgs(args);
        DnsCommand dns = cl.getSubcommands().get("dns").getCommand();
        return dns.dnsConfig();
    }

    private static List<String> nameServers(io.farmgate.dns.DnsConfig config) {
        // Names come back absolute (with the root's dot).
        return config.nameServers().stream().map(ns -> ns.name() + "=" + String.join(",", ns.addresses())).toList();
    }

    @Test
    void aYamlListOfNameServersGivesOneNameServerEach() throws IOException {
        Path f = yaml("""
                redis: redis://127.0.0.1:6379
                farm: chat
                dns:
                  zone: farm.example.com
                  name-server:
                    - ns1.farm.example.com=192.0.2.53
                    - ns2.farm.example.com=198.51.100.53,198.51.100.54
                  fallback-address: [192.0.2.10, 192.0.2.11]
                """);
        io.farmgate.dns.DnsConfig config = dnsConfig(Map.of(), "dns", "--config", f.toString());
        assertThat(nameServers(config)).containsExactly("ns1.farm.example.com.=192.0.2.53",
                "ns2.farm.example.com.=198.51.100.53,198.51.100.54");
        assertThat(config.fallbackAddresses()).containsExactly("192.0.2.10", "192.0.2.11");
    }

    @Test
    void severalNameServersInTheEnvironmentAreSeparatedBySemicolons() {
        Map<String, String> env = Map.of("FARMGATE_REDIS", "redis://127.0.0.1:6379", "FARMGATE_FARM", "chat",
                "FARMGATE_ZONE", "farm.example.com",
                "FARMGATE_NAME_SERVER", "ns1.farm.example.com=192.0.2.53;ns2.farm.example.com=198.51.100.53",
                "FARMGATE_FALLBACK_ADDRESS", "192.0.2.10,192.0.2.11");
        io.farmgate.dns.DnsConfig config = dnsConfig(env, "dns");
        assertThat(nameServers(config)).containsExactly("ns1.farm.example.com.=192.0.2.53", "ns2.farm.example.com.=198.51.100.53");
        assertThat(config.fallbackAddresses()).containsExactly("192.0.2.10", "192.0.2.11");
        // A flag still wins, and is repeatable as before.
        io.farmgate.dns.DnsConfig flagged = dnsConfig(env, "dns", "--name-server", "ns3.example.net",
                "--name-server", "ns4.farm.example.com=203.0.113.4");
        assertThat(nameServers(flagged)).containsExactly("ns3.example.net.=", "ns4.farm.example.com.=203.0.113.4");
    }
}
