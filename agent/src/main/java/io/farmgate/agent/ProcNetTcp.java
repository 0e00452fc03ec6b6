package io.farmgate.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * again every {@value #FULL_SCAN_EVERY}th count or whenever the listener is missing.
 *
 * <p>And at rest no table is read at all: while the namespace's {@link SocketCensus} (kernel
 * counters, microseconds to read) is unchanged, the last count stands, for at most
 * {@value #TABLES_READ_AT_LEAST_EVERY} counts in a row. One thread.
 */
public final class ProcNetTcp {

    private static final String ESTABLISHED = "01";
    private static final String LISTEN = "0A";

    /** Every this many counts all tables are read again, to find a listener that moved. */
    static final int FULL_SCAN_EVERY = 30;

    /**
     * A count taken while the census stood still is reused at most this many times in a row: the
     * bound on how stale a count can be when one socket opened on the port as another closed
     * elsewhere between two reads (the one change the census cannot see).
     */
    static final int TABLES_READ_AT_LEAST_EVERY = 30;

    private final List<Path> tables;
    private final SocketCensus census;
    private final boolean[] holdsListener;
    private int countsSinceFullScan = FULL_SCAN_EVERY;
    private int lastPort;
    private String lastCensus;
    private PortSockets lastCount;
    private int countsReused;

    ProcNetTcp(List<Path> tables, SocketCensus census) {
        this.tables = List.copyOf(tables);
        this.census = census;
        this.holdsListener = new boolean[this.tables.size()];
    }

    /** The tables of this process's network namespace. */
    public static ProcNetTcp system() {
        return new ProcNetTcp(List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6")), SocketCensus.system());
    }

    /** The sockets on local {@code port} now; a table that does not exist (no IPv6) counts as empty. */
    public PortSockets count(int port) throws IOException {
        // The census is taken before the tables: a socket that changes after it changes the next census.
        String now = census.take();
        if (now != null && now.equals(lastCensus) && port == lastPort && countsReused < TABLES_READ_AT_LEAST_EVERY - 1) {
            countsReused++;
            return lastCount;
        }
        PortSockets counted = readTables(port);
        lastCensus = now;
        lastCount = counted;
        countsReused = 0;
        return counted;
    }

    private PortSockets readTables(int port) throws IOException {
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
            return parse(Files.readAllBytes(table), port);
        } catch (NoSuchFileException e) {
            return PortSockets.NONE;
        }
    }

    /** {@link #parse(byte[], int)} of a table given as text. */
    static PortSockets parse(String table, int port) {
        return parse(table.getBytes(StandardCharsets.ISO_8859_1), port);
    }

    /**
     * Parses one table: a header line, then {@code sl local_address rem_address st ...} with
     * addresses as {@code HEXADDR:HEXPORT} and the state in hex. Lines that do not parse are
     * skipped. Scans the bytes without making strings: a busy host's table has a line per socket
     * and is read every heartbeat.
     */
    static PortSockets parse(byte[] table, int port) {
        int established = 0;
        int listening = 0;
        int n = table.length;
        int i = 0;
        while (i < n && table[i] != '\n') {
            i++; // the header
        }
        while (i < n) {
            int lineEnd = i + 1;
            while (lineEnd < n && table[lineEnd] != '\n') {
                lineEnd++;
            }
            int state = lineState(table, i + 1, lineEnd, port);
            if (state == 0x01) {
                established++;
            } else if (state == 0x0A) {
                listening++;
            }
            i = lineEnd;
        }
        return new PortSockets(established, listening);
    }

    /** The state of the socket on this line if its local port is {@code port}; -1 otherwise or if it does not parse. */
    private static int lineState(byte[] b, int from, int to, int port) {
        int[] field = new int[2];
        int p = nextField(b, from, to, field); // sl
        if (p < 0) {
            return -1;
        }
        p = nextField(b, p, to, field); // local_address
        if (p < 0) {
            return -1;
        }
        int colon = field[1] - 1;
        while (colon >= field[0] && b[colon] != ':') {
            colon--;
        }
        if (colon < field[0] || hex(b, colon + 1, field[1]) != port) {
            return -1;
        }
        p = nextField(b, p, to, field); // rem_address
        if (p < 0 || nextField(b, p, to, field) < 0) { // st
            return -1;
        }
        return hex(b, field[0], field[1]);
    }

    /** Finds the next whitespace-separated field at or after {@code from}: its bounds in {@code field}; returns its end, or -1. */
    private static int nextField(byte[] b, int from, int to, int[] field) {
        int start = from;
        while (start < to && (b[start] == ' ' || b[start] == '\t' || b[start] == '\r')) {
            start++;
        }
        int end = start;
        while (end < to && b[end] != ' ' && b[end] != '\t' && b[end] != '\r') {
            end++;
        }
        if (end == start) {
            return -1;
        }
        field[0] = start;
        field[1] = end;
        return end;
    }

    /** The hex number in {@code b[from, to)}, or -1 if it is not one (or longer than 7 digits). */
    private static int hex(byte[] b, int from, int to) {
        if (to <= from || to - from > 7) {
            return -1;
        }
        int v = 0;
        for (int i = from; i < to; i++) {
            int d = Character.digit(b[i], 16);
            if (d < 0) {
                return -1;
            }
            v = v * 16 + d;
        }
        return v;
    }
}
