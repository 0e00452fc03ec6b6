package io.farmgate.agent;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/** Where an agent reads CPU use from: this JVM, another process, or the whole host. */
@FunctionalInterface
public interface CpuSource {

    /** The counter now; throws when it cannot be read (process gone, no /proc). */
    CpuTime read() throws IOException;

    /** This JVM's own CPU time, over all the cores the JVM may use. */
    static CpuSource thisProcess() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (!(os instanceof com.sun.management.OperatingSystemMXBean bean)) {
            throw new IllegalStateException("this JVM does not report process CPU time");
        }
        int cores = Runtime.getRuntime().availableProcessors();
        long origin = System.nanoTime();
        return () -> {
            long busy = bean.getProcessCpuTime();
            if (busy < 0) {
                throw new IOException("process CPU time is not available on this platform");
            }
            return new CpuTime(busy, (System.nanoTime() - origin) * cores);
        };
    }

    /** The CPU time of process {@code pid}, from {@code /proc/<pid>/stat}. */
    static CpuSource process(long pid) {
        return new ProcPidCpu(Path.of("/proc"), () -> pid, elapsedNanos(),
                Runtime.getRuntime().availableProcessors());
    }

    /**
     * The CPU time of the process whose id is in {@code pidFile}, read again on each sample so
     * a restarted process is followed.
     */
    static CpuSource processFromPidFile(Path pidFile) {
        LongSupplier pid = () -> ProcPidCpu.readPidFile(pidFile);
        return new ProcPidCpu(Path.of("/proc"), pid, elapsedNanos(), Runtime.getRuntime().availableProcessors());
    }

    /** Nanoseconds since the source was made: small enough that times cores never overflows. */
    private static LongSupplier elapsedNanos() {
        long origin = System.nanoTime();
        return () -> System.nanoTime() - origin;
    }

    /** The whole host's CPU use, from {@code /proc/stat}. */
    static CpuSource wholeHost() {
        return new ProcStatCpu(Path.of("/proc/stat"));
    }
}
