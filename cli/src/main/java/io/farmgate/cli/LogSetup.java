package io.farmgate.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.util.List;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Points logback's stderr appender (set up by {@link LogbackConfigurator}) at the format and level
 * a command was given. The plain pattern here is the one it starts with, so switching back restores it.
 */
final class LogSetup {

    static final String PLAIN_PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n";

    /** Libraries that are chatty at info; they log at warn or above whatever --log-level says. */
    static final List<String> QUIET_LIBRARIES = List.of("org.eclipse.jetty", "io.javalin", "io.lettuce", "io.netty");

    private LogSetup() {
    }

    /**
     * Applies the logging options of the command about to run (the last subcommand of the parse);
     * commands without them leave logging as it is.
     */
    static void applyFor(CommandLine.ParseResult parseResult) {
        CommandLine.ParseResult last = parseResult;
        while (last.hasSubcommand()) {
            last = last.subcommand();
        }
        for (CommandLine.Model.CommandSpec mixin : last.commandSpec().mixins().values()) {
            if (mixin.userObject() instanceof LoggingOptions options) {
                apply(options.format, options.level);
                return;
            }
        }
    }

    /** Sets the stderr format and the root level; safe to call again. */
    static void apply(LoggingOptions.LogFormat format, LoggingOptions.LogLevel level) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return; // another SLF4J binding: it is configured its own way
        }
        Level root = Level.toLevel(level.name(), Level.INFO);
        context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(root);
        Level quiet = root.isGreaterOrEqual(Level.WARN) ? root : Level.WARN;
        for (String library : QUIET_LIBRARIES) {
            context.getLogger(library).setLevel(quiet);
        }
        for (var it = context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders(); it.hasNext(); ) {
            Appender<ILoggingEvent> appender = it.next();
            if (appender instanceof ConsoleAppender<ILoggingEvent> console) {
                console.stop();
                console.setEncoder(encoder(format, context));
                console.start();
            }
        }
    }

    private static Encoder<ILoggingEvent> encoder(LoggingOptions.LogFormat format, LoggerContext context) {
        if (format == LoggingOptions.LogFormat.json) {
            JsonEncoder json = new JsonEncoder();
            json.setContext(context);
            // The context block repeats the same birth date and properties on every line: noise for a log shipper.
            json.setWithContext(false);
            json.setWithArguments(false);
            json.setWithMessage(false);
            json.setWithFormattedMessage(true);
            json.start();
            return json;
        }
        PatternLayoutEncoder plain = new PatternLayoutEncoder();
        plain.setContext(context);
        plain.setPattern(PLAIN_PATTERN);
        plain.start();
        return plain;
    }
}
