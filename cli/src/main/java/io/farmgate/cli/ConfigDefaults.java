package io.farmgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where an option's value comes from when it is not on the command line: first the environment
 * variable {@code FARMGATE_<OPTION>} ({@code --admin-token} reads {@code FARMGATE_ADMIN_TOKEN}),
 * then the YAML file given with {@code --config} (a key under the command's own section, then
 * at the top level; {@code admin-token} and {@code adminToken} both match), then the built-in
 * default. A flag always wins.
 */
final class ConfigDefaults implements CommandLine.IDefaultValueProvider {

    static final String ENV_PREFIX = "FARMGATE_";

    private final Map<String, String> environment;
    private final JsonNode yaml;

    ConfigDefaults(Map<String, String> environment, JsonNode yaml) {
        this.environment = Objects.requireNonNull(environment);
        this.yaml = yaml;
    }

    /**
     * Defaults from the environment and from the YAML file named by {@code --config} in
     * {@code args} (or {@code FARMGATE_CONFIG}).
     *
     * @throws ConfigFileException when the file cannot be read or is not a YAML mapping
     */
    static ConfigDefaults from(String[] args, Map<String, String> environment) {
        String file = configFile(args);
        if (file == null) {
            file = environment.get(ENV_PREFIX + "CONFIG");
        }
        return new ConfigDefaults(environment, file == null ? null : readYaml(Path.of(file)));
    }

    /** The value of {@code --config} in {@code args}, or null. */
    static String configFile(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                return args[i + 1];
            }
            if (args[i].startsWith("--config=")) {
                return args[i].substring("--config=".length());
            }
        }
        return null;
    }

    static JsonNode readYaml(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ConfigFileException("config: cannot read " + file + ": no such file");
        } catch (IOException e) {
            throw new ConfigFileException("config: cannot read " + file + ": " + e.getMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return null;
        }
        if (!root.isObject()) {
            throw new ConfigFileException("config: " + file + " (expected: a YAML mapping of option names to values)");
        }
        return root;
    }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        if (!argSpec.isOption()) {
            return null;
        }
        OptionSpec option = (OptionSpec) argSpec;
        String name = option.longestName().replaceFirst("^-+", "");
        if (name.equals("config") || name.equals("help") || name.equals("version")) {
            return null;
        }
        String fromEnv = environment.get(envName(name));
        if (fromEnv != null) {
            return fromEnv;
        }
        if (yaml == null) {
            return null;
        }
        String command = option.command() == null ? null : option.command().name();
        String separator = listSeparator(option);
        String fromSection = command == null ? null : lookup(yaml.get(command), name, separator);
        return fromSection != null ? fromSection : lookup(yaml, name, separator);
    }

    /**
     * What a YAML list's items are joined with for {@code option}: a separator its {@code split} regex splits on
     * (picocli splits a default value as it splits a flag's), so a list gives several values. An option that
     * does not split takes the items joined with ',' as one value, as before.
     */
    static String listSeparator(OptionSpec option) {
        String regex = option.splitRegex();
        if (regex == null || regex.isEmpty()) {
            return ",";
        }
        for (String candidate : List.of(",", ";", " ")) {
            if (Pattern.matches(regex, candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(option.longestName() + ": split " + regex + " (expected: a regex matching ',', ';' or ' ')");
    }

    static String envName(String optionName) {
        return ENV_PREFIX + optionName.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    private static String lookup(JsonNode section, String name, String separator) {
        if (section == null || !section.isObject()) {
            return null;
        }
        JsonNode v = section.get(name);
        if (v == null) {
            v = section.get(camel(name));
        }
        if (v == null || v.isNull() || v.isContainerNode() && !v.isArray()) {
            return null;
        }
        if (v.isArray()) {
            StringBuilder joined = new StringBuilder();
            for (JsonNode item : v) {
                if (joined.length() > 0) {
                    joined.append(separator);
                }
                joined.append(item.asText());
            }
            return joined.toString();
        }
        return v.asText();
    }

    private static String camel(String dashed) {
        StringBuilder out = new StringBuilder(dashed.length());
        boolean upper = false;
        for (char c : dashed.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    /** A configuration file that cannot be used; the message names the file and the problem. */
    static final class ConfigFileException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ConfigFileException(String message) {
            super(message);
        }
    }
}
