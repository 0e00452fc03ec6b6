package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** What {@code farmgate <command> --help} and {@code farmgate --version} promise to operators. */
class CommandHelpTest {

    private static List<String> commands() {
        return Farmgate.commandLine().getSubcommands().keySet().stream().filter(name -> !name.equals("help")).toList();
    }

    private static String help(String command) {
        CommandLine cl = Farmgate.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        int code = cl.execute(command, "--help");
        assertThat(code).as("%s --help exit code", command).isZero();
        // Help wraps at 80 columns: compare words, not line breaks.
        return out.toString().replaceAll("\\s+", " ");
    }

    /** Options with a built-in value other than off/empty: their help line must show it. */
    private static boolean hasShowableDefault(OptionSpec option) {
        String d = option.defaultValue();
        if (d == null || d.isEmpty()) {
            return false;
        }
        boolean flag = option.arity().max() == 0 || option.type() == boolean.class || option.type() == Boolean.class;
        return !(flag && d.equals("false"));
    }

    @Test
    void everyOptionWithABuiltInDefaultShowsItInHelp() {
        List<String> missing = new ArrayList<>();
        for (String command : commands()) {
            CommandLine sub = Farmgate.commandLine().getSubcommands().get(command);
            for (OptionSpec option : sub.getCommandSpec().options()) {
                // description() is already interpolated: ${DEFAULT-VALUE} has become the value.
                if (hasShowableDefault(option)
                        && !String.join(" ", option.description()).contains(option.defaultValue())) {
                    missing.add(command + " " + option.longestName() + " (default " + option.defaultValue() + ")");
                }
            }
        }
        assertThat(missing).as("options whose --help hides their default").isEmpty();
    }

    @Test
    void everyCommandsHelpListsEveryOption() {
        for (String command : commands()) {
            String text = help(command);
            CommandLine sub = Farmgate.commandLine().getSubcommands().get(command);
            for (OptionSpec option : sub.getCommandSpec().options()) {
                if (!option.hidden()) {
                    assertThat(text).as("%s --help", command).contains(option.longestName());
                }
            }
        }
    }

    @Test
    void everyCommandTakesConfigAndBothLoggingOptions() {
        for (String command : commands()) {
            assertThat(help(command)).as("%s --help", command)
                    .contains("--config", "--log-format", "--log-level", "plain|json");
        }
    }

    @Test
    void helpShowsTheDefaultValueItself() {
        assertThat(help("gateway")).contains("Default: 0.0.0.0:8080", "Default: two-choice");
        assertThat(help("dns")).contains("default: 5)");
    }

    @Test
    void topLevelHelpDocumentsPrecedenceAndExitCodes() {
        CommandLine cl = Farmgate.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("--help")).isZero();
        assertThat(out.toString().replaceAll("\\s+", " ")).contains("flag > FARMGATE_<OPTION> > --config file > default",
                "0 ok, 1 failure at run time, 2 bad command line or configuration");
    }

    @Test
    void versionPrintsTheNameAndAVersionAndExitsZero() {
        CommandLine cl = Farmgate.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("--version")).isZero();
        // Run from classes there is no jar manifest: "dev"; the jar's version is checked by ExecutableJarIT.
        assertThat(out.toString().trim()).isEqualTo("farmgate dev");
    }

    @Test
    void unknownOptionExitsWithUsageCodeAndNamesIt() {
        CommandLine cl = Farmgate.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute("simulate", "--no-such-option")).isEqualTo(Farmgate.EXIT_USAGE);
        assertThat(err.toString()).contains("--no-such-option", "farmgate simulate --help");
    }

    @Test
    void missingSubcommandExitsWithUsageCode() {
        CommandLine cl = Farmgate.commandLine();
        cl.setErr(new PrintWriter(new StringWriter()));
        assertThat(cl.execute()).isEqualTo(Farmgate.EXIT_USAGE);
    }

    @Test
    void badLogFormatExitsWithUsageCodeNamingTheOptionAndTheChoices() {
        StringWriter err = new StringWriter();
        CommandLine cl = Farmgate.commandLine(new ConfigDefaults(Map.of(), null));
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute("simulate", "--log-format", "xml")).isEqualTo(Farmgate.EXIT_USAGE);
        assertThat(err.toString()).contains("--log-format", "plain", "json", "xml");
    }
}
