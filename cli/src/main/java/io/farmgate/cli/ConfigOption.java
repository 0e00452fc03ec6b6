package io.farmgate.cli;

import picocli.CommandLine.Option;

/**
 * The {@code --config} option every command accepts. Its value is read before parsing (see
 * {@link ConfigDefaults#from}); it is declared here so that help shows it and parsing accepts it.
 */
final class ConfigOption {

    @Option(names = "--config", paramLabel = "FILE",
            description = "YAML file of option values (keys as the long option names, top level or under the command's name). "
                    + "Precedence: flag > FARMGATE_<OPTION> environment variable > this file > default.")
    String file;
}
