package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every {@code farmgate} command line in README.md, docs/ and compose/ Markdown is run through the
 * real command line: examples must parse and validate as written; synopses (with placeholders) must
 * name real commands and options. The compose and systemd files are checked by ComposeFilesTest, the
 * demo's printed walk-through by DemoWalkthroughTest.
 */
class DocExamplesTest {

    private static final Path ROOT = ExampleCommand.repositoryRoot();
    private static final Set<String> SUBCOMMANDS = Farmgate.commandLine().getSubcommands().keySet();

    private static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>();
        docs.add(ROOT.resolve("README.md"));
        for (String dir : List.of("docs", "compose")) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(dir))) {
                // npm ci puts third-party packages (with their own READMEs) under node_modules: not ours.
                files.filter(f -> f.toString().endsWith(".md"))
                        .filter(f -> !ROOT.relativize(f).toString().contains("node_modules"))
                        .sorted().forEach(docs::add);
            }
        }
        return docs;
    }

    private static List<DocExamples.Example> examples() throws IOException {
        List<DocExamples.Example> all = new ArrayList<>();
        for (Path doc : documents()) {
            all.addAll(DocExamples.find(doc, ROOT.relativize(doc).toString(), SUBCOMMANDS));
        }
        return all;
    }

    @Test
    void everyFarmgateExampleInTheDocsParsesAndValidatesAsWritten() throws IOException {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (DocExamples.Example e : examples()) {
            if (e.synopsis()) {
                continue;
            }
            checked++;
            try {
                ExampleCommand.check(e.where(), e.args(), e.environment(), null);
            } catch (AssertionError bad) {
                failures.add(bad.getMessage());
            }
        }
        assertThat(failures).as("examples that no longer parse").isEmpty();
        assertThat(checked).as("examples found").isGreaterThanOrEqualTo(15);
    }

    @Test
    void everySynopsisNamesARealCommandAndItsRealOptions() throws IOException {
        List<String> failures = new ArrayList<>();
        for (DocExamples.Example e : examples()) {
            if (!e.synopsis() || e.args().get(0).startsWith("-")) {
                continue;
            }
            CommandLine sub = Farmgate.commandLine().getSubcommands().get(e.args().get(0));
            if (sub == null) {
                failures.add(e.where() + ": no command " + e.args().get(0));
                continue;
            }
            for (String word : e.args()) {
                String option = word.replaceFirst("=.*", "");
                if (option.startsWith("--") && sub.getCommandSpec().findOption(option) == null) {
                    failures.add(e.where() + ": farmgate " + e.args().get(0) + " has no " + option);
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void everyCommandHasAtLeastOneCheckedExampleInTheDocs() throws IOException {
        Set<String> covered = new java.util.TreeSet<>();
        for (DocExamples.Example e : examples()) {
            if (!e.synopsis()) {
                covered.add(e.args().get(0));
            }
        }
        assertThat(covered).containsAll(SUBCOMMANDS.stream().filter(s -> !s.equals("help")).toList());
    }

    @Test
    void synopsisIsToldApartFromAnExample() {
        List<DocExamples.Example> found = new ArrayList<>();
        DocExamples.parse("t", "farmgate gateway --redis URI --farm NAME --listen HOST:PORT", SUBCOMMANDS, found, false);
        DocExamples.parse("t", "FARMGATE_FARM=chat ./farmgate dns --zone farm.example.com  # a comment", SUBCOMMANDS, found, false);
        DocExamples.parse("t", "farmgate simulate: 32 hosts, 8 gateways", SUBCOMMANDS, found, false);
        DocExamples.parse("t", "farmgate agent", SUBCOMMANDS, found, false);

        assertThat(found).hasSize(3);
        assertThat(found.get(2).synopsis()).as("a bare command name").isTrue();
        assertThat(found.get(0).synopsis()).isTrue();
        assertThat(found.get(1).synopsis()).isFalse();
        assertThat(found.get(1).args()).containsExactly("dns", "--zone", "farm.example.com");
        assertThat(found.get(1).environment()).containsEntry("FARMGATE_FARM", "chat");
    }

    @Test
    void aMistypedOptionInAnExampleFailsTheCheck() {
        List<DocExamples.Example> found = new ArrayList<>();
        DocExamples.parse("t", "farmgate simulate --pickers two-choice", SUBCOMMANDS, found, false);
        DocExamples.Example e = found.get(0);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> ExampleCommand.check(e.where(), e.args(), e.environment(), null))
                .isInstanceOf(AssertionError.class).hasMessageContaining("--pickers");
    }

    @Test
    void readmeStartsWithTheDemoThenTheTestSuite() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        Matcher block = Pattern.compile("(?s)```sh\\n(.*?)```").matcher(readme);
        assertThat(block.find()).isTrue();
        List<String> commands = block.group(1).lines().map(DocExamples::stripComment).toList();
        assertThat(commands).startsWith("./farmgate demo", "mvn -B verify");
    }

    @Test
    void everyRelativeLinkInTheDocsPointsToAnExistingFile() throws IOException {
        Pattern link = Pattern.compile("\\]\\(([^)#\\s]+)(#[^)]*)?\\)");
        List<String> broken = new ArrayList<>();
        for (Path doc : documents()) {
            Matcher m = link.matcher(Files.readString(doc));
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("[a-z]+:.*") || !target.matches("[\\w./-]+")) {
                    continue; // http:, https:, mailto:, or a regular expression in the text
                }
                if (!Files.exists(doc.getParent().resolve(target))) {
                    broken.add(ROOT.relativize(doc) + " -> " + target);
                }
            }
        }
        assertThat(broken).isEmpty();
    }

    @Test
    void everyYamlConfigExampleInTheDocsUsesRealOptionsAndValidates() throws IOException {
        Pattern yamlBlock = Pattern.compile("(?s)```yaml\\n(.*?)```");
        int checked = 0;
        for (Path doc : documents()) {
            Matcher m = yamlBlock.matcher(Files.readString(doc));
            while (m.find()) {
                Path file = Files.createTempFile("farmgate-doc", ".yaml");
                try {
                    Files.writeString(file, m.group(1));
                    com.fasterxml.jackson.databind.JsonNode yaml = ConfigDefaults.readYaml(file);
                    List<String> sections = new ArrayList<>();
                    yaml.fieldNames().forEachRemaining(sections::add);
                    for (String name : sections) {
                        CommandLine sub = Farmgate.commandLine().getSubcommands().get(name);
                        if (sub == null || !yaml.get(name).isObject()) {
                            continue; // a top-level option, shared by the commands
                        }
                        yaml.get(name).fieldNames().forEachRemaining(key -> assertThat(sub.getCommandSpec()
                                .findOption("--" + key)).as("%s: %s has --%s", doc.getFileName(), name, key).isNotNull());
                        ExampleCommand.check(doc.getFileName() + " yaml, command " + name, List.of(name), Map.of(), yaml);
                        checked++;
                    }
                } finally {
                    Files.deleteIfExists(file);
                }
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(2);
    }

    @Test
    void readmeLinksTheOperatorDocs() throws IOException {
        assertThat(Files.readString(ROOT.resolve("README.md"))).contains("docs/architecture.md", "docs/operations.md",
                "docs/tuning.md", "docs/comparison.md", "compose/README.md");
    }

    @Test
    void exampleEnvironmentMapIsPassedToTheCommandLine() {
        // FARMGATE_REDIS and FARMGATE_FARM satisfy the required --redis and --farm of gateway.
        ExampleCommand.check("t", List.of("gateway"), Map.of("FARMGATE_REDIS", "redis://127.0.0.1:6379",
                "FARMGATE_FARM", "chat"), null);
    }
}
