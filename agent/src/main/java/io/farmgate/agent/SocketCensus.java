package io.farmgate.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The network namespace's TCP socket counts from {@code /proc/net/sockstat} and
 * {@code sockstat6}: sockets in use, orphaned (closed by their process, not yet by the peer) and
 * in TIME_WAIT, per address family. The kernel keeps these
 * as counters, so reading them costs microseconds where a connection table costs a walk of the
 * whole TCP hash; {@link ProcNetTcp} reads the tables again only when the census changed.
 *
 * <p>An accepted connection is a new socket in use; one the backend closes is orphaned at once, one
 * the client closes leaves the count when the backend closes its end. So a backend's connection
 * count cannot change while the census stands still, except when, between two reads, one socket
 * opens on the port as another closes elsewhere in the namespace, or a client's close waits for
 * the backend's; {@link ProcNetTcp} bounds how long such a count can stand.
 */
final class SocketCensus {

    private final List<Path> files;

    SocketCensus(List<Path> files) {
        this.files = List.copyOf(files);
    }

    static SocketCensus system() {
        return new SocketCensus(List.of(Path.of("/proc/net/sockstat"), Path.of("/proc/net/sockstat6")));
    }

    /**
     * The counts now, as text to compare ({@code "TCP:inuse=3,orphan=0,tw=0,;TCP6:inuse=2,;"}); {@code null}
     * when no file gives a TCP line, so that the caller cannot tell whether anything changed.
     */
    String take() throws IOException {
        StringBuilder census = new StringBuilder(64);
        for (Path file : files) {
            String text;
            try {
                text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            } catch (NoSuchFileException e) {
                continue;
            }
            appendTcpLines(text, census);
        }
        return census.length() == 0 ? null : census.toString();
    }

    /**
     * Appends the {@code inuse}, {@code orphan} and {@code tw} counts of the {@code TCP:} and
     * {@code TCP6:} lines. {@code orphan} moves the moment a backend closes a connection (before
     * the peer's FIN makes it TIME_WAIT), so a shed is seen at once; it counts the whole machine,
     * which can only cost extra reads. {@code alloc} and {@code mem} move with buffered bytes and
     * would make a quiet backend look busy.
     */
    static void appendTcpLines(String sockstat, StringBuilder census) {
        for (String line : sockstat.split("\n")) {
            if (!line.startsWith("TCP:") && !line.startsWith("TCP6:")) {
                continue;
            }
            String[] fields = line.trim().split("\\s+");
            census.append(fields[0]);
            for (int i = 1; i + 1 < fields.length; i += 2) {
                if (fields[i].equals("inuse") || fields[i].equals("orphan") || fields[i].equals("tw")) {
                    census.append(fields[i]).append('=').append(fields[i + 1]).append(',');
                }
            }
            census.append(';');
        }
    }
}
