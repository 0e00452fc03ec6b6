package io.farmgate.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Counts the TCP sockets on a local port from the kernel's tables, {@code /proc/net/tcp} and
 * {@code /proc/net/tcp6}: how a sidecar learns how many clients a backend in any language holds.
 *
 * <p>An accepted connection has the server's port as its local port; the client end of a
 * loopback connection has an ephemeral local port, so it is never counted twice.
 */
public final class ProcNetTcp {

    private static final String ESTABLISHED = "01";
    private static final String LISTEN = "0A";

    private final List<Path> tables;

    ProcNetTcp(List<Path> tables) {
        this.tables = List.copyOf(tables);
    }

    /** The tables of this process's network namespace. */
    public static ProcNetTcp system() {
        return new ProcNetTcp(List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6")));
    }

    /** The sockets on local {@code port} now; a table that does not exist (no IPv6) counts as empty. */
    public PortSockets count(int port) throws IOException {
        PortSockets total = PortSockets.NONE;
        for (Path table : tables) {
            String text;
            try {
                text = Files.readString(table);
            } catch (NoSuchFileException e) {
                continue;
            }
            total = total.plus(parse(text, port));
        }
        return total;
    }

    /**
     * Parses one table: a header line, then {@code sl local_address rem_address st ...} with
     * addresses as {@code HEXADDR:HEXPORT} and the state in hex. Lines that do not parse are skipped.
     */
    static PortSockets parse(String table, int port) {
        int established = 0;
        int listening = 0;
        int start = table.indexOf('\n') + 1;
        while (start > 0 && start < table.length()) {
            int end = table.indexOf('\n', start);
            if (end < 0) {
                end = table.length();
            }
            String[] f = table.substring(start, end).trim().split("\\s+");
            start = end + 1;
            if (f.length < 4) {
                continue;
            }
            int colon = f[1].lastIndexOf(':');
            if (colon < 0) {
                continue;
            }
            int localPort;
            try {
                localPort = Integer.parseInt(f[1].substring(colon + 1), 16);
            } catch (NumberFormatException e) {
                continue;
            }
            if (localPort != port) {
                continue;
            }
            if (ESTABLISHED.equalsIgnoreCase(f[3])) {
                established++;
            } else if (LISTEN.equalsIgnoreCase(f[3])) {
                listening++;
            }
        }
        return new PortSockets(established, listening);
    }
}
