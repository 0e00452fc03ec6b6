package io.farmgate.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * The suite's tool checks on a PATH that lacks every tool: each one skips (aborts) with a message
 * naming the tool and its package, and fails instead under FARMGATE_REQUIRE_ALL_TOOLS=1.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ToolCheckTest {

    @TempDir
    Path dir;

    private static Map<String, String> env(Path path, String strict) {
        return strict == null ? Map.of("PATH", path.toString())
                : Map.of("PATH", path.toString(), ToolCheck.STRICT_VARIABLE, strict);
    }

    private static Path executable(Path dir, String name) throws IOException {
        Path file = Files.writeString(dir.resolve(name), "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    @Test
    void everyToolOfTheSuiteSkipsNamingItsPackageWhenPathLacksIt() {
        ToolCheck check = ToolCheck.of(env(dir, null));

        assertThat(ExternalTool.USED_BY_THE_SUITE).isNotEmpty();
        for (ExternalTool tool : ExternalTool.USED_BY_THE_SUITE) {
            assertThat(check.find(tool)).isEmpty();
            assertThatThrownBy(() -> check.require(tool)).isExactlyInstanceOf(TestAbortedException.class)
                    .hasMessage(tool.command() + " not found on PATH (" + tool.source() + ")");
        }
        assertThatThrownBy(() -> check.require(ExternalTool.DIG))
                .hasMessage("dig not found on PATH (Debian package: dnsutils)");
        assertThatThrownBy(() -> check.require(ExternalTool.CHROMEDRIVER))
                .hasMessage("chromedriver not found on PATH (Debian package: chromium-driver)");
    }

    @Test
    void underTheStrictSwitchEveryMissingToolFailsWithTheSameMessage() {
        ToolCheck check = ToolCheck.of(env(dir, "1"));

        assertThat(check.strict()).isTrue();
        for (ExternalTool tool : ExternalTool.USED_BY_THE_SUITE) {
            assertThatThrownBy(() -> check.require(tool)).isExactlyInstanceOf(AssertionFailedError.class)
                    .hasMessageStartingWith(tool.missingMessage())
                    .hasMessageContaining("FARMGATE_REQUIRE_ALL_TOOLS=1");
        }
    }

    @Test
    void onlyTheValueOneIsStrict() {
        for (String value : List.of("0", "", "true", "yes")) {
            ToolCheck check = ToolCheck.of(env(dir, value));
            assertThat(check.strict()).as(value).isFalse();
            assertThatThrownBy(() -> check.require(ExternalTool.DIG)).isInstanceOf(TestAbortedException.class);
        }
    }

    @Test
    void findsTheFirstExecutableFileOfThatNameAlongPath() throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Path notExecutable = Files.createDirectory(dir.resolve("plain"));
        Files.writeString(notExecutable.resolve("dig"), "not a program");
        Path directoryNamedDig = Files.createDirectories(dir.resolve("dirs/dig")).getParent();
        Path first = executable(Files.createDirectory(dir.resolve("first")), "dig");
        executable(Files.createDirectory(dir.resolve("second")), "dig");
        String path = String.join(":", empty.toString(), "", notExecutable.toString(), directoryNamedDig.toString(),
                first.getParent().toString(), dir.resolve("second").toString());

        ToolCheck check = ToolCheck.of(Map.of("PATH", path, ToolCheck.STRICT_VARIABLE, "1"));

        assertThat(check.require(ExternalTool.DIG)).isEqualTo(first);
        assertThat(check.find(ExternalTool.CURL)).isEmpty();
    }

    @Test
    void anEnvironmentWithoutPathHasNoTools() {
        assertThatThrownBy(() -> ToolCheck.of(Map.of()).require(ExternalTool.BASH))
                .isInstanceOf(TestAbortedException.class).hasMessage("bash not found on PATH (Debian package: bash)");
    }

    @Test
    void aPrerequisiteThatIsNotAProgramSkipsOrFailsWithItsOwnMessage() {
        ToolCheck.of(env(dir, null)).require(true, "unused");
        assertThatThrownBy(() -> ToolCheck.of(env(dir, null)).require(false, "node_modules/ws missing"))
                .isExactlyInstanceOf(TestAbortedException.class).hasMessage("node_modules/ws missing");
        assertThatThrownBy(() -> ToolCheck.of(env(dir, "1")).require(false, "node_modules/ws missing"))
                .isExactlyInstanceOf(AssertionFailedError.class).hasMessageStartingWith("node_modules/ws missing");
    }

    @Test
    void aToolNameIsAFileNameNotAPath() {
        assertThatThrownBy(() -> ExternalTool.debian("/usr/bin/dig", "dnsutils"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("command: '/usr/bin/dig'");
        assertThatThrownBy(() -> ExternalTool.debian(" ", "x")).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * What JUnit (and so surefire) makes of it: a test class needing a missing tool in
     * {@code @BeforeAll} is aborted, and one guarded by {@link RequiredTools} is skipped before its
     * set-up runs; under the strict switch both fail.
     */
    @Test
    void aClassNeedingAMissingToolIsSkippedByJunitAndFailsWhenStrict() {
        check = ToolCheck.of(env(dir, null));
        assertThat(run(ClassNeedingDig.class)).containsExactly(
                "ToolCheckTest$ClassNeedingDig ABORTED dig not found on PATH (Debian package: dnsutils)");
        assertThat(run(ClassGuardedByRequiredTools.class)).containsExactly("ToolCheckTest$ClassGuardedByRequiredTools"
                + " SKIPPED dig not found on PATH (Debian package: dnsutils); curl not found on PATH (Debian package: curl)");

        check = ToolCheck.of(env(dir, "1"));
        assertThat(run(ClassNeedingDig.class)).singleElement().asString()
                .startsWith("ToolCheckTest$ClassNeedingDig FAILED dig not found on PATH (Debian package: dnsutils)");
        assertThat(run(ClassGuardedByRequiredTools.class)).singleElement().asString()
                .startsWith("ToolCheckTest$ClassGuardedByRequiredTools FAILED")
                .contains("dig not found on PATH (Debian package: dnsutils); curl not found on PATH", "FARMGATE_REQUIRE_ALL_TOOLS=1");
    }

    @Test
    void aClassWhoseToolsAreOnPathRuns() throws IOException {
        executable(dir, "dig");
        executable(dir, "curl");
        check = ToolCheck.of(env(dir, "1"));

        assertThat(run(ClassGuardedByRequiredTools.class)).containsExactly(
                "usesDigAndCurl() FAILED ran", "ToolCheckTest$ClassGuardedByRequiredTools SUCCESSFUL ");
    }

    /** Where the nested classes look for their tools. */
    static ToolCheck check;

    /** Runs {@code testClass} on the JUnit platform; one line per finished or skipped class or test: name, status, message. */
    private static List<String> run(Class<?> testClass) {
        List<String> finished = new ArrayList<>();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass))
                .build(), new TestExecutionListener() {
                    @Override
                    public void executionSkipped(TestIdentifier id, String reason) {
                        finished.add(id.getDisplayName() + " SKIPPED " + reason);
                    }

                    @Override
                    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                        if (id.getParentId().isPresent()) {  // not the engine itself
                            finished.add(id.getDisplayName() + " " + result.getStatus() + " "
                                    + result.getThrowable().map(Throwable::getMessage).orElse(""));
                        }
                    }
                });
        return finished;
    }

    /**
     * Run only through {@link #run} (surefire leaves nested classes alone): uses dig as the suite's
     * tests do, from {@code @BeforeAll}.
     */
    static class ClassNeedingDig {
        @BeforeAll
        static void needsDig() {
            check.require(ExternalTool.DIG);
        }

        @Test
        void usesDig() {
            throw new AssertionError("must not run without dig");
        }
    }

    @Test
    void aRequiredFileIsReportedWithItsOwnMessage() throws IOException {
        check = ToolCheck.of(env(dir, null));
        executable(dir, "node");
        RequiredTools tools = new RequiredTools(() -> check, List.of(ExternalTool.NODE), Map.of())
                .andFile(dir.resolve("node_modules/ws"), "node_modules/ws missing (npm package: ws)");

        assertThat(tools.evaluateExecutionCondition(null).getReason()).hasValue("node_modules/ws missing (npm package: ws)");
        Files.createDirectories(dir.resolve("node_modules/ws"));
        assertThat(tools.evaluateExecutionCondition(null).isDisabled()).isFalse();
    }

    /** Run only through {@link #run}: guarded by {@link RequiredTools}; its test fails to show it ran. */
    static class ClassGuardedByRequiredTools {
        @RegisterExtension
        static final RequiredTools tools = new RequiredTools(() -> check, List.of(ExternalTool.DIG, ExternalTool.CURL), Map.of());

        @Test
        void usesDigAndCurl() {
            throw new AssertionError("ran");
        }
    }
}
