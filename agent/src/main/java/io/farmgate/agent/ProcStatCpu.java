package io.farmgate.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whole-host CPU from the aggregate {@code cpu} line of {@code /proc/stat}. */
final class ProcStatCpu implements CpuSource {

    /** Linux reports /proc times in USER_HZ, which is 100 on every architecture it supports. */
    static final long NANOS_PER_TICK = 10_000_000L;

    private final Path statFile;

    ProcStatCpu(Path statFile) {
        this.statFile = statFile;
    }

    @Override
    public CpuTime read() throws IOException {
        try (var lines = Files.lines(statFile)) {
            String line = lines.filter(l -> l.startsWith("cpu ")).findFirst()
                    .orElseThrow(() -> new IOException(statFile + " has no aggregate cpu line"));
            return parse(line);
        }
    }

    /**
     * Parses {@code cpu user nice system idle iowait irq softirq steal ...}. Idle and iowait are
     * idle time; guest time is already inside user and nice, so it is not added again.
     */
    static CpuTime parse(String cpuLine) throws IOException {
        String[] f = cpuLine.trim().split("\\s+");
        if (f.length < 5 || !"cpu".equals(f[0])) {
            throw new IOException("not an aggregate cpu line: " + cpuLine);
        }
        long busy = 0;
        long idle = 0;
        try {
            for (int i = 1; i < f.length && i <= 8; i++) {
                long ticks = Long.parseLong(f[i]);
                if (i == 4 || i == 5) {
                    idle += ticks;
                } else {
                    busy += ticks;
                }
            }
        } catch (NumberFormatException e) {
            throw new IOException("bad number in cpu line: " + cpuLine, e);
        }
        return new CpuTime(busy * NANOS_PER_TICK, (busy + idle) * NANOS_PER_TICK);
    }
}
