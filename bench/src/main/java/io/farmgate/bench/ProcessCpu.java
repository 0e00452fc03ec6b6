package io.farmgate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time (user + system) a process has used so far, from {@code /proc/<pid>/stat}: what the
 * long-lived comparison charges to the balancing layer. Linux only.
 */
final class ProcessCpu {

    private final long pid;
    private final long ticksPerSecond;

    ProcessCpu(long pid, long ticksPerSecond) {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid: " + pid + " (expected: > 0)");
        }
        if (ticksPerSecond <= 0) {
            throw new IllegalArgumentException("ticksPerSecond: " + ticksPerSecond + " (expected: > 0)");
        }
        this.pid = pid;
        this.ticksPerSecond = ticksPerSecond;
    }

    long pid() {
        return pid;
    }

    /** Seconds of CPU used since the process started; NaN once it is gone. */
    double seconds() {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException e) {
            return Double.NaN;
        }
        // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return ticks / (double) ticksPerSecond;
    }
}
