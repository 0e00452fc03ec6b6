package io.farmgate.cli;

import picocli.CommandLine.Option;

/**
 * The {@code --log-format} and {@code --log-level} options every command accepts; applied by
 * {@link LogSetup} before the command runs, so the command's own first lines already follow them.
 */
final class LoggingOptions {

    /** How log lines are written to stderr. */
    enum LogFormat { plain, json }

    /** The least severe level written. */
    enum LogLevel { error, warn, info, debug, trace }

    @Option(names = "--log-format", defaultValue = "plain", paramLabel = "plain|json",
            description = "Logs on stderr: plain text, or one JSON object per line (default: ${DEFAULT-VALUE}).")
    LogFormat format = LogFormat.plain;

    @Option(names = "--log-level", defaultValue = "info", paramLabel = "LEVEL",
            description = "Least severe level logged: error, warn, info, debug, trace; the web server and Redis "
                    + "libraries stay at warn or above (default: ${DEFAULT-VALUE}).")
    LogLevel level = LogLevel.info;
}
