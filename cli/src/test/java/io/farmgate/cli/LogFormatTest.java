package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * {@code --log-format} and {@code --log-level} as a command applies them: what reaches stderr through
 * SLF4J afterwards, the way every component logs.
 */
class LogFormatTest {

    private static final Logger LOG = LoggerFactory.getLogger("io.farmgate.cli.LogFormatTest");
    private static final ObjectMapper JSON = new ObjectMapper();

    @AfterEach
    void backToTheConfigurationFile() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        new ContextInitializer(context).autoConfig();
    }

    /**
     * Runs a quick command with these arguments and environment, then logs through SLF4J; returns what
     * the console appender wrote. That is stderr with the jar's LogbackConfigurator (ExecutableJarIT checks it);
     * on this test class path a test-jar's logback-test.xml may point it at stdout, so both are caught.
     */
    private static String stderrAfter(Map<String, String> env, Runnable logging, String... args) {
        CommandLine cl = Farmgate.commandLine(ConfigDefaults.from(args, env));
        cl.setOut(new PrintWriter(new StringWriter()));
        PrintStream originalErr = System.err;
        PrintStream originalOut = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setErr(capture);
        System.setOut(capture);
        try {
            assertThat(cl.execute(args)).isZero();
            logging.run();
        } finally {
            System.setErr(originalErr);
            System.setOut(originalOut);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    private static final String[] QUICK = {"simulate", "--duration", "8s", "--hosts", "2", "--gateways", "1",
        "--arrivals-per-second", "5", "--picker", "random"};

    private static String[] quickWith(String... extra) {
        String[] args = new String[QUICK.length + extra.length];
        System.arraycopy(QUICK, 0, args, 0, QUICK.length);
        System.arraycopy(extra, 0, args, QUICK.length, extra.length);
        return args;
    }

    @Test
    void jsonFormatWritesOneParseableObjectPerLineEvenForMultiLineMessagesAndStackTraces() throws Exception {
        String err = stderrAfter(Map.of(), () -> {
            LOG.info("host {} said \"hello\"\nover two lines", "demo-1");
            LOG.warn("refresh failed", new IllegalStateException("redis away"));
        }, quickWith("--log-format", "json"));

        List<String> lines = err.lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).hasSize(2);
        JsonNode first = JSON.readTree(lines.get(0));
        JsonNode second = JSON.readTree(lines.get(1));
        assertThat(first.isObject()).isTrue();
        assertThat(first.get("level").asText()).isEqualTo("INFO");
        assertThat(first.get("loggerName").asText()).isEqualTo("io.farmgate.cli.LogFormatTest");
        assertThat(first.get("formattedMessage").asText()).isEqualTo("host demo-1 said \"hello\"\nover two lines");
        assertThat(second.get("level").asText()).isEqualTo("WARN");
        assertThat(second.get("throwable").toString()).contains("redis away");
    }

    @Test
    void plainFormatIsTheDefault() {
        String err = stderrAfter(Map.of(), () -> LOG.info("plain line"), QUICK);

        assertThat(err).contains("INFO ").contains(" - plain line").doesNotStartWith("{");
    }

    @Test
    void environmentVariableSelectsJson() throws Exception {
        String err = stderrAfter(Map.of("FARMGATE_LOG_FORMAT", "json"), () -> LOG.info("from env"), QUICK);

        assertThat(JSON.readTree(err.strip()).get("formattedMessage").asText()).isEqualTo("from env");
    }

    @Test
    void logLevelWarnLeavesOutInfo() {
        String err = stderrAfter(Map.of(), () -> {
            LOG.info("not wanted");
            LOG.warn("wanted");
        }, quickWith("--log-level", "warn"));

        assertThat(err).contains("wanted").doesNotContain("not wanted");
    }

    @Test
    void logLevelDebugLetsDebugThroughButKeepsLibrariesAtWarn() {
        String err = stderrAfter(Map.of(), () -> {
            LOG.debug("debug detail");
            LoggerFactory.getLogger("io.lettuce.core.RedisClient").info("library chatter");
        }, quickWith("--log-level", "debug"));

        assertThat(err).contains("debug detail").doesNotContain("library chatter");
    }
}
