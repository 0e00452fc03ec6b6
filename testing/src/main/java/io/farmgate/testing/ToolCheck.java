package io.farmgate.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * Decides, from an environment (PATH and {@value #STRICT_VARIABLE}), whether a test's external
 * prerequisites are there. A missing one aborts the test (JUnit reports it skipped, with the
 * reason) unless {@value #STRICT_VARIABLE}{@code =1}, which turns it into a failure so that CI,
 * which installs everything, proves every test ran. Tests normally use {@link ExternalTool#require()};
 * the environment is injectable so that this decision itself is tested.
 */
public final class ToolCheck {

    /** Set to {@code 1} to make a missing tool fail the test instead of skipping it. */
    public static final String STRICT_VARIABLE = "FARMGATE_REQUIRE_ALL_TOOLS";

    private final String path;
    private final boolean strict;

    private ToolCheck(String path, boolean strict) {
        this.path = path;
        this.strict = strict;
    }

    /** Judges by this JVM's own environment (surefire's forked JVMs inherit Maven's). */
    public static ToolCheck ofThisProcess() {
        return of(System.getenv());
    }

    /** Judges by {@code environment}: its {@code PATH} and {@value #STRICT_VARIABLE}. */
    public static ToolCheck of(Map<String, String> environment) {
        return new ToolCheck(environment.getOrDefault("PATH", ""), "1".equals(environment.get(STRICT_VARIABLE)));
    }

    /** Whether a missing prerequisite fails (true) or skips (false). */
    public boolean strict() {
        return strict;
    }

    /** The first executable file named {@code tool.command()} in the PATH's directories. */
    public Optional<Path> find(ExternalTool tool) {
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;  // an empty entry means the working directory; tests never rely on it
            }
            try {
                Path candidate = Path.of(dir, tool.command());
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            } catch (InvalidPathException e) {
                // a malformed PATH entry holds no tool
            }
        }
        return Optional.empty();
    }

    /** The tool's path; skips or fails the calling test with {@link ExternalTool#missingMessage()} when missing. */
    public Path require(ExternalTool tool) {
        Optional<Path> found = find(tool);
        if (found.isEmpty()) {
            missing(tool.missingMessage());
        }
        return found.get();
    }

    /**
     * For a prerequisite that is not a program on PATH (an {@code npm install} done, a library
     * built): skips or fails with {@code message} unless {@code met}.
     */
    public void require(boolean met, String message) {
        if (!met) {
            missing(message);
        }
    }

    private void missing(String message) {
        if (strict) {
            throw new AssertionFailedError(message + " [" + STRICT_VARIABLE + "=1: a missing prerequisite fails]");
        }
        throw new TestAbortedException(message);
    }

    @Override
    public String toString() {
        return "ToolCheck[PATH=" + path + (strict ? ", strict" : "") + "]";
    }
}
