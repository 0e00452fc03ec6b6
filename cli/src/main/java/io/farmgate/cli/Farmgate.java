package io.farmgate.cli;

import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code farmgate} executable: one jar, one subcommand per component. */
@Command(name = "farmgate",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Connection-routing gateway for farms of WebSocket and other long-lived connection servers.",
        footer = {"",
                "Every option also reads FARMGATE_<OPTION> from the environment and a YAML",
                "file given with --config. Precedence:",
                "  flag > FARMGATE_<OPTION> > --config file > default",
                "Every command takes --log-format plain|json and --log-level LEVEL.",
                "Exit codes: 0 ok, 1 failure at run time, 2 bad command line or configuration.",
                "Stopped by SIGTERM, a long-running command shuts down cleanly, then exits 143.",
                "Docs: README.md, docs/operations.md, docs/tuning.md."},
        subcommands = {CommandLine.HelpCommand.class, DemoCommand.class, DnsCommand.class, SimulateCommand.class, LoadgenCommand.class,
                AgentCommand.class, BackendCommand.class, GatewayCommand.class, CheckCommand.class})
public final class Farmgate implements Runnable {

    /** Exit code for a bad command line or configuration. */
    static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand");
    }

    /** The command line with every subcommand and the given configuration sources. */
    public static CommandLine commandLine(ConfigDefaults defaults) {
        return configured(new CommandLine(new Farmgate()), defaults);
    }

    /**
     * The command line of {@code farmgate agent ...}: the agent command alone under a bare
     * {@code farmgate}. The sidecar runs beside every backend for weeks; building the whole tree
     * would load the other commands' classes (gateway, DNS, load generator, their libraries)
     * for nothing, a few MB of metaspace each (issue 17).
     */
    static CommandLine agentCommandLine(ConfigDefaults defaults) {
        CommandLine cl = new CommandLine(CommandLine.Model.CommandSpec.create().name("farmgate"));
        cl.addSubcommand("agent", new CommandLine(new AgentCommand()));
        return configured(cl, defaults);
    }

    private static CommandLine configured(CommandLine cl, ConfigDefaults defaults) {
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setDefaultValueProvider(defaults);
        cl.setParameterExceptionHandler(Farmgate::shortUsageError);
        cl.setExecutionStrategy(parseResult -> {
            LogSetup.applyFor(parseResult);
            return new CommandLine.RunLast().execute(parseResult);
        });
        return cl;
    }

    /** The command line with built-in defaults only (no environment, no file): for tests. */
    static CommandLine commandLine() {
        return commandLine(new ConfigDefaults(Map.of(), null));
    }

    /** A bad command line: the message and a pointer to --help, not the whole usage text. */
    private static int shortUsageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        cl.getErr().println("farmgate: " + e.getMessage());
        cl.getErr().println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for the options.");
        return EXIT_USAGE;
    }

    /** Runs farmgate with these arguments and environment; returns the exit code. */
    public static int run(String[] args, Map<String, String> environment) {
        ConfigDefaults defaults;
        try {
            defaults = ConfigDefaults.from(args, environment);
        } catch (ConfigDefaults.ConfigFileException e) {
            System.err.println("farmgate: " + e.getMessage());
            return EXIT_USAGE;
        }
        boolean agent = args.length > 0 && args[0].equals("agent");
        return (agent ? agentCommandLine(defaults) : commandLine(defaults)).execute(args);
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv()));
    }
}
