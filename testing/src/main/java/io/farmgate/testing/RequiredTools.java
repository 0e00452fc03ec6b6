package io.farmgate.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Skips a whole test class, before any of its set-up runs, unless every listed tool is on PATH
 * (under {@code FARMGATE_REQUIRE_ALL_TOOLS=1} the class fails instead):
 * <pre>{@code @RegisterExtension static final RequiredTools tools = new RequiredTools(ExternalTool.DIG);}</pre>
 * Use it rather than {@link ExternalTool#require()} in {@code @BeforeAll}: surefire counts a class
 * skipped by a condition as skipped tests, but drops a class aborted in {@code @BeforeAll} from its
 * report altogether, and {@code .ci/run} relies on the count to prove nothing was skipped.
 */
public final class RequiredTools implements ExecutionCondition {

    private final Supplier<ToolCheck> check;
    private final List<ExternalTool> tools;
    private final Map<Path, String> files;

    public RequiredTools(ExternalTool... tools) {
        this(ToolCheck::ofThisProcess, List.of(tools), Map.of());
    }

    /** @param check where to look, asked anew for each class (tests of this class inject it) */
    RequiredTools(Supplier<ToolCheck> check, List<ExternalTool> tools, Map<Path, String> files) {
        this.check = check;
        this.tools = List.copyOf(tools);
        this.files = Map.copyOf(files);
    }

    /**
     * Also requires {@code file} (e.g. what {@code npm install} makes) to exist, reporting
     * {@code missingMessage} when it does not.
     */
    public RequiredTools andFile(Path file, String missingMessage) {
        Map<Path, String> more = new LinkedHashMap<>(files);
        more.put(file, missingMessage);
        return new RequiredTools(check, tools, more);
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        ToolCheck toolCheck = check.get();
        String missing = Stream.concat(
                        tools.stream().filter(t -> toolCheck.find(t).isEmpty()).map(ExternalTool::missingMessage),
                        files.entrySet().stream().filter(f -> !Files.exists(f.getKey())).map(Map.Entry::getValue))
                .collect(Collectors.joining("; "));
        if (missing.isEmpty()) {
            return ConditionEvaluationResult.enabled("present: " + tools.stream().map(ExternalTool::command).toList()
                    + " " + files.keySet());
        }
        if (toolCheck.strict()) {
            toolCheck.require(false, missing);  // throws the failure, which JUnit reports on the class
        }
        return ConditionEvaluationResult.disabled(missing);
    }
}
