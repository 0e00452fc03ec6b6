package io.farmgate.testing;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A program outside the JDK that a test runs, and the package that brings it. A test asks for it
 * with {@link #require()} before using it: on a machine without it (only Java and Maven) the test
 * is skipped with a message naming the program and the package, or fails when
 * {@code FARMGATE_REQUIRE_ALL_TOOLS=1} is set, as {@code .ci/run} does (see {@link ToolCheck}).
 *
 * @param command the file name looked up on PATH, e.g. {@code dig}
 * @param source where it comes from, e.g. {@code Debian package: dnsutils}
 */
public record ExternalTool(String command, String source) {

    public static final ExternalTool DIG = debian("dig", "dnsutils");
    public static final ExternalTool CURL = debian("curl", "curl");
    public static final ExternalTool BASH = debian("bash", "bash");
    public static final ExternalTool KILL = debian("kill", "procps");
    public static final ExternalTool CHROMIUM = debian("chromium", "chromium");
    public static final ExternalTool CHROMEDRIVER = debian("chromedriver", "chromium-driver");
    public static final ExternalTool NODE = debian("node", "nodejs");
    public static final ExternalTool NPM = debian("npm", "npm");
    /** The compiler of the dns module's batched-UDP JNI library (its build also accepts cc or clang). */
    public static final ExternalTool GCC = debian("gcc", "gcc");

    /** Every tool some test of the suite asks for: the list {@code ToolCheckTest} hides and checks. */
    public static final List<ExternalTool> USED_BY_THE_SUITE =
            List.of(DIG, CURL, BASH, KILL, CHROMIUM, CHROMEDRIVER, NODE, NPM, GCC);

    public ExternalTool {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(source, "source");
        if (command.isBlank() || command.contains("/")) {
            throw new IllegalArgumentException("command: '" + command + "' (expected: a file name without '/')");
        }
    }

    /** A tool from the Debian package {@code packageName}. */
    public static ExternalTool debian(String command, String packageName) {
        return new ExternalTool(command, "Debian package: " + packageName);
    }

    /**
     * The tool's path on this process's PATH; skips the calling test (or fails it under
     * {@code FARMGATE_REQUIRE_ALL_TOOLS=1}) when it is missing.
     */
    public Path require() {
        return ToolCheck.ofThisProcess().require(this);
    }

    /** The tool's path on this process's PATH, if it is there; never skips. */
    public Optional<Path> find() {
        return ToolCheck.ofThisProcess().find(this);
    }

    /** What a test says when the tool is missing: {@code dig not found on PATH (Debian package: dnsutils)}. */
    public String missingMessage() {
        return command + " not found on PATH (" + source + ")";
    }
}
