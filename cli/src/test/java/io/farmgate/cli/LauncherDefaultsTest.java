package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * The lean JVM options the {@code farmgate} launcher gives {@code agent} are the ones its
 * {@code --help} states, and this JVM accepts them.
 */
@Timeout(60)
class LauncherDefaultsTest {

    private static final Path LAUNCHER = ExampleCommand.repositoryRoot().resolve("farmgate");
    private static final Pattern AGENT_LINE = Pattern.compile("(?m)^  agent\\) defaults=\"([^\"]*)\" ;;$");

    private static String launcherAgentOptions() throws IOException {
        Matcher m = AGENT_LINE.matcher(Files.readString(LAUNCHER));
        assertThat(m.find()).as("an 'agent) defaults=\"...\" ;;' line in %s", LAUNCHER).isTrue();
        return m.group(1);
    }

    @Test
    void theLauncherGivesTheAgentTheOptionsItsHelpStates() throws IOException {
        assertThat(launcherAgentOptions()).isEqualTo(AgentCommand.LAUNCHER_JAVA_OPTS);
        CommandLine cl = Farmgate.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("agent", "--help")).isZero();
        String help = out.toString().replaceAll("\\s+", " ");
        assertThat(help).contains(AgentCommand.LAUNCHER_JAVA_OPTS, "FARMGATE_JAVA_OPTS");
        // FARMGATE_JAVA_OPTS comes after the defaults, so that its options win.
        String launcher = Files.readString(LAUNCHER);
        assertThat(launcher).contains("exec java $defaults ${FARMGATE_JAVA_OPTS:-} -jar");
    }

    @Test
    void thisJvmAcceptsTheAgentOptions() throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(launcherAgentOptions().split(" ")));
        command.add("-version");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
    }

    @Test
    void theAgentAloneParsesAndHelpsLikeTheWholeTree() {
        ConfigDefaults defaults = new ConfigDefaults(Map.of(), null);
        CommandLine alone = Farmgate.agentCommandLine(defaults);
        assertThat(alone.getSubcommands().keySet()).containsExactly("agent");
        assertThat(output(alone, "agent", "--help")).isEqualTo(output(Farmgate.commandLine(defaults), "agent", "--help"))
                .contains("Usage: farmgate agent");
        StringWriter err = new StringWriter();
        alone.setErr(new PrintWriter(err));
        assertThat(alone.execute("agent", "--capacity", "many")).isEqualTo(Farmgate.EXIT_USAGE);
        assertThat(err.toString()).contains("--capacity", "Try 'farmgate agent --help'");
    }

    private static String output(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute(args)).isZero();
        return out.toString();
    }
}
