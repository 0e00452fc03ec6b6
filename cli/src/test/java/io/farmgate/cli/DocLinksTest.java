package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The documents stand alone: every relative link in every Markdown file of the repository (outside
 * build output and node_modules) points to a file or directory inside the repository, and every
 * {@code #anchor} into a Markdown file names one of its headings, slugged as GitHub does.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DocLinksTest {

    private static final Path ROOT = ExampleCommand.repositoryRoot().normalize();
    private static final Set<String> SKIPPED_DIRECTORIES = Set.of("target", "node_modules", ".git", ".idea", ".vscode");
    private static final Pattern FENCE = Pattern.compile("(?ms)^ {0,3}(```|~~~).*?^ {0,3}\\1[^\\n]*$");
    private static final Pattern CODE_SPAN = Pattern.compile("`[^`\\n]*`");
    private static final Pattern INLINE_LINK = Pattern.compile("!?\\[(?:[^\\[\\]]|\\[[^\\]]*\\])*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern REFERENCE_LINK = Pattern.compile("(?m)^ {0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s+\"[^\"]*\")?\\s*$");
    private static final Pattern HEADING = Pattern.compile("(?m)^ {0,3}#{1,6}[ \\t]+(.*?)[ \\t]*#*[ \\t]*$");

    static List<Path> markdownFiles() throws IOException {
        try (Stream<Path> files = Files.walk(ROOT)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".md"))
                    .filter(f -> ROOT.relativize(f).toString().isEmpty() || Stream.of(ROOT.relativize(f).toString().split("/"))
                            .noneMatch(SKIPPED_DIRECTORIES::contains))
                    .sorted().toList();
        }
    }

    /** Markdown without fenced code blocks and code spans, where nothing is a link. */
    static String prose(String markdown) {
        return CODE_SPAN.matcher(FENCE.matcher(markdown).replaceAll("")).replaceAll("");
    }

    /** Link targets as written, in order. */
    static List<String> links(String markdown) {
        String text = prose(markdown);
        List<String> targets = new ArrayList<>();
        for (Pattern p : List.of(INLINE_LINK, REFERENCE_LINK)) {
            Matcher m = p.matcher(text);
            while (m.find()) {
                targets.add(m.group(1));
            }
        }
        return targets;
    }

    /** GitHub's anchors for the headings of {@code markdown}, with -1, -2... for repeated ones. */
    static Set<String> anchors(String markdown) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        Matcher m = HEADING.matcher(FENCE.matcher(markdown).replaceAll(""));
        while (m.find()) {
            String slug = slug(m.group(1));
            int n = seen.merge(slug, 1, Integer::sum) - 1;
            anchors.add(n == 0 ? slug : slug + "-" + n);
        }
        return anchors;
    }

    /** GitHub's heading slug: link text kept, lower case, punctuation dropped, spaces to '-'. */
    static String slug(String heading) {
        String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replaceAll("<[^>]+>", "");
        return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}\\p{Mn}\\p{Pc} -]", "").replace(' ', '-');
    }

    @Test
    void everyRelativeLinkResolvesInsideTheRepositoryAndEveryAnchorToAHeading() throws IOException {
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path doc : markdownFiles()) {
            String markdown = Files.readString(doc);
            for (String target : links(markdown)) {
                if (target.matches("(?i)[a-z][a-z0-9+.-]*:.*")) {
                    continue;  // https:, mailto: ...: not a file of this repository
                }
                checked++;
                String where = ROOT.relativize(doc) + " -> " + target;
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                String anchor = hash < 0 ? null : target.substring(hash + 1);
                if (file.startsWith("/")) {
                    broken.add(where + ": absolute path (write it relative to the document)");
                    continue;
                }
                Path resolved = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
                if (!resolved.startsWith(ROOT)) {
                    broken.add(where + ": outside the repository");
                } else if (!Files.exists(resolved)) {
                    broken.add(where + ": no such file");
                } else if (anchor != null && resolved.toString().endsWith(".md")
                        && !anchors(Files.readString(resolved)).contains(anchor)) {
                    broken.add(where + ": no heading with that anchor in " + ROOT.relativize(resolved));
                }
            }
        }
        assertThat(broken).isEmpty();
        assertThat(checked).as("relative links checked").isGreaterThan(30);
    }

    @Test
    void theDocumentsCheckedIncludeReadmeDocsAndCompose() throws IOException {
        assertThat(markdownFiles()).extracting(p -> ROOT.relativize(p).toString())
                .contains("README.md", "docs/contract.md", "docs/operations.md", "compose/README.md")
                .noneMatch(p -> p.contains("node_modules/") || p.contains("target/"));
    }

    @Test
    void slugsFollowGitHub() {
        assertThat(slug("Batched UDP: recvmmsg and sendmmsg")).isEqualTo("batched-udp-recvmmsg-and-sendmmsg");
        assertThat(slug("Checking a farm: farmgate check")).isEqualTo("checking-a-farm-farmgate-check");
        assertThat(slug("`/v1/assign` and [the token](token.md)")).isEqualTo("v1assign-and-the-token");
        assertThat(slug("Redis: standalone, Sentinel, Cluster")).isEqualTo("redis-standalone-sentinel-cluster");
        assertThat(slug("drain_period (ms)")).isEqualTo("drain_period-ms");
        assertThat(anchors("# A\n## A\n```\n# not a heading\n```\n### B ###\n")).containsExactly("a", "a-1", "b");
    }

    @Test
    void linksInCodeAreNotLinksAndEveryFormIsFound() {
        String md = "see [a](a.md#x), ![img](img/p.png \"title\") and `[not](code.md)`\n"
                + "```\n[nor](block.md)\n```\n[ref]: ../ref.md\n[b [nested]](b.md)\n";
        assertThat(links(md)).containsExactly("a.md#x", "img/p.png", "b.md", "../ref.md");
    }
}
