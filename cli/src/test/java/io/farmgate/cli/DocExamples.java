package io.farmgate.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the {@code farmgate} command lines in Markdown: lines of fenced code blocks and inline code
 * spans that start with {@code farmgate}, {@code ./farmgate} or {@code java -jar ...farmgate.jar},
 * followed by a subcommand. A synopsis (placeholders such as {@code URI}, {@code HOST:PORT},
 * {@code <command>}, {@code …}) is told apart from an example, which must parse as written.
 */
final class DocExamples {

    /** One command line found in a document. */
    record Example(String where, List<String> args, Map<String, String> environment, boolean synopsis) {
    }

    private static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~)");
    private static final Pattern INLINE = Pattern.compile("`([^`]+)`");
    private static final Pattern ENV_ASSIGNMENT = Pattern.compile("[A-Z][A-Z0-9_]*=\\S*");
    private static final Pattern PLACEHOLDER = Pattern.compile("[A-Z][A-Z0-9_]*(:[A-Z]+)?(=[A-Z.,]+)?");

    private DocExamples() {
    }

    static List<Example> find(Path markdown, String name, Set<String> subcommands) throws IOException {
        List<Example> found = new ArrayList<>();
        List<String> lines = Files.readAllLines(markdown);
        boolean inFence = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (FENCE.matcher(line).find()) {
                inFence = !inFence;
                continue;
            }
            String where = name + ":" + (i + 1);
            if (inFence) {
                StringBuilder joined = new StringBuilder(line);
                while (joined.toString().endsWith("\\") && i + 1 < lines.size()) {
                    joined.setLength(joined.length() - 1);
                    joined.append(' ').append(lines.get(++i).trim());
                }
                parse(where, joined.toString(), subcommands, found, true);
            } else {
                Matcher m = INLINE.matcher(line);
                while (m.find()) {
                    parse(where, m.group(1), subcommands, found, false);
                }
            }
        }
        return found;
    }

    /** Adds the command on this line, if it is a farmgate command; {@code codeBlock}: a line of a fenced block. */
    static void parse(String where, String line, Set<String> subcommands, List<Example> found, boolean codeBlock) {
        String text = stripComment(line.strip().replaceFirst("^\\$\\s+", ""));
        List<String> words = shellWords(text);
        Map<String, String> env = new LinkedHashMap<>();
        int start = 0;
        while (start < words.size() && ENV_ASSIGNMENT.matcher(words.get(start)).matches()) {
            String w = words.get(start++);
            env.put(w.substring(0, w.indexOf('=')), w.substring(w.indexOf('=') + 1));
        }
        if (start < words.size() - 2 && words.get(start).equals("java") && words.get(start + 1).equals("-jar")
                && words.get(start + 2).endsWith("farmgate.jar")) {
            start += 3;
        } else if (start < words.size() && (words.get(start).equals("farmgate") || words.get(start).equals("./farmgate"))) {
            start += 1;
        } else {
            return;
        }
        List<String> args = words.subList(start, words.size());
        if (args.isEmpty() || !(subcommands.contains(args.get(0)) || args.get(0).startsWith("-"))) {
            return; // "farmgate simulate: 32 hosts" is output, "farmgate answers" is prose
        }
        // A bare `farmgate agent` in prose names the command; in a code block it is run as is.
        boolean synopsis = !codeBlock && args.size() == 1 || args.stream().anyMatch(DocExamples::isPlaceholder);
        List<String> concrete = new ArrayList<>();
        for (String a : args) {
            // Optional parts of an example, "[--ramp 5s]", are checked as if given.
            String w = a.replace("[", "").replace("]", "");
            if (!w.isEmpty()) {
                concrete.add(w);
            }
        }
        found.add(new Example(where, List.copyOf(concrete), env, synopsis));
    }

    private static boolean isPlaceholder(String word) {
        String w = word.replace("[", "").replace("]", "");
        return w.contains("…") || w.contains("...") || w.contains("<") || w.contains("|")
                || PLACEHOLDER.matcher(w).matches() || w.matches("ws://…|[a-z]+://[A-Z].*");
    }

    /** Drops a trailing shell comment: " #" outside quotes. */
    static String stripComment(String line) {
        boolean single = false;
        boolean dbl = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'' && !dbl) {
                single = !single;
            } else if (c == '"' && !single) {
                dbl = !dbl;
            } else if (c == '#' && !single && !dbl && i > 0 && Character.isWhitespace(line.charAt(i - 1))) {
                return line.substring(0, i).strip();
            }
        }
        return line;
    }

    /** Splits like a POSIX shell does for simple words and '...' / "..." quoting (no expansions). */
    static List<String> shellWords(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    w.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
            } else {
                w.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(w.toString());
        }
        return words;
    }
}
