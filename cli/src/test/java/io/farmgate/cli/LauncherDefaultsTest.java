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
 * The JVM options the {@code farmgate} launcher gives {@code agent} and {@code gateway} are the
 * ones their {@code --help} states, and this JVM accepts them.
 */
@Timeout(60)
class LauncherDefaultsTest {

    private static final Path LAUNCHER = ExampleCommand.repositoryRoot().resolve("farmgate");
    private static final Pattern AGENT_LINE = Pattern.compile("(?m)^  agent\\) defaults=\"([^\"]*)\" ;;$");

    private static final Pattern GATEWAY_LINE = Pattern.compile("(?m)^  gateway\\) defaults=\"([^\"]*)\" ;;$");
    private static final Pattern ROOT_GATEWAY_LINE = Pattern.compile("(?m)^root_gateway=\"([^\"]*)\"$");
    private static final Path BENCH_FARM_LIB = ExampleCommand.repositoryRoot().resolve("bench/farm-lib.sh");

    private static String launcherAgentOptions() throws IOException {
        Matcher m = AGENT_LINE.matcher(Files.readString(LAUNCHER));
        assertThat(m.find()).as("an 'agent) defaults=\"...\" ;;' line in %s", LAUNCHER).isTrue();
        return m.group(1);
    }

    private static String launcherGatewayOptions() throws IOException {
        Matcher m = GATEWAY_LINE.matcher(Files.readString(LAUNCHER));
        assertThat(m.find()).as("a 'gateway) defaults=\"...\" ;;' line in %s", LAUNCHER).isTrue();
        return m.group(1);
    }

    @Test
    void theLauncherGivesTheGatewayTheOptionsItsHelpStatesAndTheBenchmarksUseThem() throws IOException {
        assertThat(launcherGatewayOptions()).isEqualTo(GatewayCommand.LAUNCHER_JAVA_OPTS);
        CommandLine cl = Farmgate.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("gateway", "--help")).isZero();
        assertThat(out.toString().replaceAll("\\s+", " ")).contains(GatewayCommand.LAUNCHER_JAVA_OPTS, "FARMGATE_JAVA_OPTS");
        // The benchmarks start `java -jar` themselves: they must measure what the launcher runs.
        assertThat(Files.readString(BENCH_FARM_LIB)).contains(GatewayCommand.LAUNCHER_JAVA_OPTS);
    }

    @Test
    void thisJvmAcceptsTheGatewayOptions() throws Exception {
        assertThisJvmAccepts(launcherGatewayOptions());
    }

    @Test
    void asRootTheLauncherAddsThePriorityOptionsItsHelpStatesAndTheBenchmarksUseThem() throws IOException {
        String launcher = Files.readString(LAUNCHER);
        Matcher m = ROOT_GATEWAY_LINE.matcher(launcher);
        assertThat(m.find()).as("a 'root_gateway=\"...\"' line in %s", LAUNCHER).isTrue();
        assertThat(m.group(1)).isEqualTo(GatewayCommand.LAUNCHER_ROOT_JAVA_OPTS);
        assertThat(launcher).contains("if [ \"${1:-}\" = gateway ] && [ \"$(id -u)\" = 0 ]; then defaults=\"$defaults $root_gateway\"; fi");
        CommandLine cl = Farmgate.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("gateway", "--help")).isZero();
        assertThat(out.toString().replaceAll("\\s+", " ")).contains("as root also with -XX:ThreadPriorityPolicy=1");
        assertThat(Files.readString(BENCH_FARM_LIB)).contains(GatewayCommand.LAUNCHER_ROOT_JAVA_OPTS);
    }

    @Test
    void thisJvmAcceptsThePriorityOptions() throws Exception {
        assertThisJvmAccepts(GatewayCommand.LAUNCHER_JAVA_OPTS + " " + GatewayCommand.LAUNCHER_ROOT_JAVA_OPTS);
    }

    private static void assertThisJvmAccepts(String options) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(options.split(" ")));
        command.add("-version");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
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
        assertThisJvmAccepts(launcherAgentOptions());
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
