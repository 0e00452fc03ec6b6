package io.farmgate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code farmgate} executable: one jar, one subcommand per component. */
@Command(name = "farmgate",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Connection-routing gateway for farms of WebSocket and other long-lived connection servers.",
        subcommands = {CommandLine.HelpCommand.class, SimulateCommand.class})
public final class Farmgate implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand");
    }

    /** Builds the command line with every subcommand; tests run it in-process. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Farmgate());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
