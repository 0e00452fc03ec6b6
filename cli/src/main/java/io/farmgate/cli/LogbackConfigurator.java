package io.farmgate.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * farmgate's logging, set up in code when logback starts (found through
 * {@code META-INF/services}): plain lines on stderr at INFO, the web server and Redis libraries
 * at WARN. What a {@code logback.xml} used to say, without logback's XML configurator and the
 * JDK's XML parser: about 600 classes a long-running sidecar does not need (issue 17). A
 * {@code logback.xml} or {@code logback-test.xml} on the class path, or
 * {@code -Dlogback.configurationFile}, still wins: then this steps aside.
 */
public final class LogbackConfigurator extends ContextAwareBase implements Configurator {

    /** The logger name of Jetty's request parser. */
    static final String JETTY_PARSER = "org.eclipse.jetty.http.HttpParser";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        ClassLoader loader = LogbackConfigurator.class.getClassLoader();
        if (System.getProperty("logback.configurationFile") != null || loader.getResource("logback-test.xml") != null
                || loader.getResource("logback.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        apply(context);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** Sets up {@code context} as farmgate ships it. */
    static void apply(LoggerContext context) {
        // Logs go to stderr: stdout carries what a command prints for people (URLs, generated tokens).
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(LogSetup.PLAIN_PATTERN);
        encoder.start();
        stderr.setEncoder(encoder);
        stderr.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(stderr);
        for (String library : LogSetup.QUIET_LIBRARIES) {
            context.getLogger(library).setLevel(Level.WARN);
        }
        // Jetty's parser logs every request header (the admin bearer token too) at DEBUG: pinned so
        // turning org.eclipse.jetty up to DEBUG for a diagnosis does not write the token to the log.
        context.getLogger(JETTY_PARSER).setLevel(Level.INFO);
    }
}
