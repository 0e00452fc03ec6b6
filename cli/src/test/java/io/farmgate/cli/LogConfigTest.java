package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The shipped logging setup (LogbackConfigurator): what it writes where, and what it keeps out of the log. */
@Timeout(10)
class LogConfigTest {

    private static LoggerContext shipped() {
        LoggerContext context = new LoggerContext();
        LogbackConfigurator.apply(context);
        return context;
    }

    @Test
    void jettyHeaderDumpStaysOffWhenJettyIsTurnedUpToDebug() {
        LoggerContext context = shipped();

        context.getLogger("org.eclipse.jetty").setLevel(Level.DEBUG);

        // Its DEBUG lines carry every request header, the admin bearer token included.
        assertThat(context.getLogger("org.eclipse.jetty.http.HttpParser").isDebugEnabled()).isFalse();
        assertThat(context.getLogger("org.eclipse.jetty.server").isDebugEnabled()).isTrue();
        context.stop();
    }

    @Test
    void plainLinesGoToStderrAtInfoWithTheLibrariesAtWarn() {
        LoggerContext context = shipped();

        ch.qos.logback.classic.Logger root = context.getLogger(ch.qos.logback.classic.Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.INFO);
        ConsoleAppender<ILoggingEvent> stderr = (ConsoleAppender<ILoggingEvent>) root.getAppender("STDERR");
        assertThat(stderr.getTarget()).isEqualTo("System.err");
        assertThat(((PatternLayoutEncoder) stderr.getEncoder()).getPattern())
                .isEqualTo("%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n");
        for (String library : new String[] {"org.eclipse.jetty", "io.javalin", "io.lettuce", "io.netty"}) {
            assertThat(context.getLogger(library + ".x").isInfoEnabled()).as(library).isFalse();
            assertThat(context.getLogger(library + ".x").isWarnEnabled()).as(library).isTrue();
        }
        assertThat(context.getLogger("io.farmgate.agent.Sidecar").isInfoEnabled()).isTrue();
        assertThat(context.getLogger("io.farmgate.agent.Sidecar").isDebugEnabled()).isFalse();
        context.stop();
    }

    @Test
    void aLogbackTestXmlOnTheClassPathWins() {
        // This test class path has one (src/test/resources): the configurator steps aside for it.
        LogbackConfigurator configurator = new LogbackConfigurator();
        LoggerContext context = new LoggerContext();
        configurator.setContext(context);

        assertThat(configurator.configure(context)).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
        assertThat(context.getLogger(ch.qos.logback.classic.Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext())
                .isFalse();
    }
}
