package io.farmgate.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/** One process's CPU time from {@code /proc/<pid>/stat} (utime + stime), against wall time times cores. */
final class ProcPidCpu implements CpuSource {

    private final Path procRoot;
    private final LongSupplier pid;
    private final LongSupplier nanoTime;
    private final int cores;

    ProcPidCpu(Path procRoot, LongSupplier pid, LongSupplier nanoTime, int cores) {
        this.procRoot = procRoot;
        this.pid = pid;
        this.nanoTime = nanoTime;
        this.cores = cores;
    }

    @Override
    public CpuTime read() throws IOException {
        long id;
        try {
            id = pid.getAsLong();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        String stat = Files.readString(procRoot.resolve(Long.toString(id)).resolve("stat"));
        return new CpuTime(parseBusyTicks(stat) * ProcStatCpu.NANOS_PER_TICK, nanoTime.getAsLong() * cores);
    }

    /**
     * utime + stime of a {@code /proc/<pid>/stat} line. The command name (field 2) is in
     * parentheses and may itself hold spaces and parentheses, so fields are counted after the last ')'.
     */
    static long parseBusyTicks(String stat) throws IOException {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IOException("not a /proc/<pid>/stat line: " + abbreviate(stat));
        }
        String[] f = stat.substring(close + 1).trim().split("\\s+");
        // f[0] is field 3 (state); utime and stime are fields 14 and 15.
        if (f.length < 13) {
            throw new IOException("too few fields in /proc/<pid>/stat: " + abbreviate(stat));
        }
        try {
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (NumberFormatException e) {
            throw new IOException("bad utime/stime in /proc/<pid>/stat: " + abbreviate(stat), e);
        }
    }

    static long readPidFile(Path pidFile) {
        try {
            String text = Files.readString(pidFile).trim();
            long pid = Long.parseLong(text);
            if (pid <= 0) {
                throw new IOException("pid file " + pidFile + " holds " + pid + " (expected: > 0)");
            }
            return pid;
        } catch (NumberFormatException e) {
            throw new UncheckedIOException(new IOException("pid file " + pidFile + " holds no process id", e));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
