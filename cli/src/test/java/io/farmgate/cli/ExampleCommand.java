package io.farmgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.farmgate.agent.SidecarConfig;
import io.farmgate.backend.BackendConfig;
import io.farmgate.gateway.ListenAddress;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * Checks a {@code farmgate} command line written in a document, compose file or unit file the way
 * farmgate itself would take it: parsed by the real picocli command line (unknown options, bad
 * numbers and missing required options fail), then, for the long-running commands, turned into the
 * component's config record, which validates every field. Nothing is started.
 */
final class ExampleCommand {

    private ExampleCommand() {
    }

    /** The repository root, found from the module directory tests run in. */
    static Path repositoryRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("cli"))
                    && Files.isRegularFile(p.resolve("README.md"))) {
                return p;
            }
        }
        throw new IllegalStateException("no repository root above " + dir);
    }

    /**
     * Parses and validates {@code args} (without the leading {@code farmgate}) with this environment
     * and YAML file content (may be null).
     *
     * @throws AssertionError naming the command line and what is wrong with it
     */
    static void check(String where, List<String> args, Map<String, String> environment, JsonNode yaml) {
        CommandLine cl = Farmgate.commandLine(new ConfigDefaults(environment, yaml));
        try {
            CommandLine.ParseResult parsed = cl.parseArgs(args.toArray(String[]::new));
            CommandLine.ParseResult last = parsed;
            while (last.hasSubcommand()) {
                last = last.subcommand();
            }
            validate(last.commandSpec().userObject());
        } catch (CommandLine.ParameterException | IllegalArgumentException | NullPointerException e) {
            throw new AssertionError(where + ": farmgate " + String.join(" ", args) + "\n  -> " + e.getMessage(), e);
        }
    }

    private static void validate(Object command) {
        if (command instanceof GatewayCommand g) {
            g.gatewayConfig(new PrintWriter(Writer.nullWriter()));
            g.rebalancerConfig();
            g.registryConfig();
            g.snapshotPolicy();
        } else if (command instanceof DnsCommand d) {
            d.dnsConfig();
            ListenAddress.parse("metricsListen", d.metricsListen);
            d.farmReader.registryConfig();
            d.farmReader.snapshotPolicy();
        } else if (command instanceof AgentCommand a) {
            new SidecarConfig(a.agent.toConfig(a.port), a.port, a.pid, a.pidFile, a.shedUri(), a.shedTimeoutMillis);
        } else if (command instanceof BackendCommand b) {
            new BackendConfig(b.listenHost, b.port, b.tokenSecret, b.tokenSkewSeconds, b.agent.toConfig(b.port));
        } else if (command instanceof CheckCommand c) {
            c.validatedRegistryConfig();
            c.farmReader.snapshotPolicy();
        } else if (command instanceof DemoCommand d) {
            ListenAddress.parse("listen", d.listen);
            ListenAddress.parse("adminListen", d.adminListen);
            ListenAddress.parse("dnsListen", d.dnsListen);
        }
        // loadgen and simulate check their values when they run; parsing covers their options here.
    }
}
