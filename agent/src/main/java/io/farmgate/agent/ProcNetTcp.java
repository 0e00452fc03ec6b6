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
 *
 * <p>Reading a table costs the kernel a walk of its whole connection hash (about 5 ms of system
 * time per table on a host with 262,144 buckets, whatever the number of sockets). A listener's
 * connections are in its own table (a dual-stack {@code ::} listener's IPv4 clients show in
 * tcp6), so once the listener was seen only the tables that hold it are read, and every table
 * again every {@value #FULL_SCAN_EVERY}th count or whenever the listener is missing. One thread.
 */
public final class ProcNetTcp {

    private static final String ESTABLISHED = "01";
    private static final String LISTEN = "0A";

    /** Every this many counts all tables are read again, to find a listener that moved. */
    static final int FULL_SCAN_EVERY = 30;

    private final List<Path> tables;
    private final boolean[] holdsListener;
    private int countsSinceFullScan = FULL_SCAN_EVERY;
    private int lastPort;

    ProcNetTcp(List<Path> tables) {
        this.tables = List.copyOf(tables);
        this.holdsListener = new boolean[this.tables.size()];
    }

    /** The tables of this process's network namespace. */
    public static ProcNetTcp system() {
        return new ProcNetTcp(List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6")));
    }

    /** The sockets on local {@code port} now; a table that does not exist (no IPv6) counts as empty. */
    public PortSockets count(int port) throws IOException {
        boolean full = port != lastPort || ++countsSinceFullScan >= FULL_SCAN_EVERY;
        if (!full) {
            PortSockets listened = PortSockets.NONE;
            for (int i = 0; i < tables.size(); i++) {
                if (holdsListener[i]) {
                    listened = listened.plus(read(tables.get(i), port));
                }
            }
            if (listened.listening() > 0) {
                return listened;
            }
        }
        countsSinceFullScan = 0;
        lastPort = port;
        PortSockets total = PortSockets.NONE;
        for (int i = 0; i < tables.size(); i++) {
            PortSockets inTable = read(tables.get(i), port);
            holdsListener[i] = inTable.listening() > 0;
            total = total.plus(inTable);
        }
        return total;
    }

    private static PortSockets read(Path table, int port) throws IOException {
        try {
            return parse(Files.readString(table), port);
        } catch (NoSuchFileException e) {
            return PortSockets.NONE;
        }
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
