package io.farmgate.cli.faults;

import io.farmgate.backend.BackendMain;
import io.farmgate.testing.ExternalTool;
import io.farmgate.testing.FreePort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One demo chat backend ({@link BackendMain}, agent embedded) as a separate OS process on this test's
 * class path, and the signals a fault test sends it: SIGKILL (a crash), SIGSTOP (a frozen host: its
 * sockets stay open, nothing runs) and SIGCONT. Signals go to this child's PID only. {@link #close()}
 * thaws a stopped child before killing it, so nothing is left behind in the stopped state.
 */
final class BackendProcess implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BackendProcess.class);
    private static final long EXIT_WAIT_SECONDS = 10;

    private final String hostId;
    private final String address;
    private final int port;
    private final Path log;
    private final Process process;
    private volatile boolean stopped;

    private BackendProcess(String hostId, String address, int port, Path log, Process process) {
        this.hostId = hostId;
        this.address = address;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /**
     * Launches a backend that heartbeats every {@code heartbeatIntervalMillis} with a TTL of
     * {@code heartbeatTtlMillis}, advertising {@code address} (what DNS answers) and listening on 127.0.0.1.
     */
    static BackendProcess start(String redisUri, String farm, String hostId, String address,
                                long heartbeatIntervalMillis, long heartbeatTtlMillis, Path logDir) throws IOException {
        int port = FreePort.pick();
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Small and quick to start: two cores are shared by several JVMs.
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), BackendMain.class.getName(),
                "--redis", redisUri, "--farm", farm, "--port", Integer.toString(port), "--host-id", hostId,
                "--url", "ws://127.0.0.1:" + port, "--address", address, "--capacity", "1000",
                "--heartbeat-interval-millis", Long.toString(heartbeatIntervalMillis),
                "--heartbeat-ttl-millis", Long.toString(heartbeatTtlMillis), "--drain-period-millis", "1000"));
        Path log = logDir.resolve(hostId + ".log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process process = pb.start();
        LOG.info("backend {} started as pid {} on port {}", hostId, process.pid(), port);
        return new BackendProcess(hostId, address, port, log, process);
    }

    String hostId() {
        return hostId;
    }

    String address() {
        return address;
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** What the child printed so far, for assertion messages. */
    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** SIGKILL: no shutdown hook runs, the kernel closes its sockets, the heartbeat just stops. */
    void kill() throws InterruptedException {
        thawIfStopped();
        process.destroyForcibly();
        if (!process.waitFor(EXIT_WAIT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("backend " + hostId + " (pid " + pid() + ") still alive after SIGKILL");
        }
    }

    /** SIGTERM: the shutdown hook drains it (every client gets 1012), then it exits. */
    void terminate() throws InterruptedException {
        thawIfStopped();
        process.destroy();
        if (!process.waitFor(EXIT_WAIT_SECONDS * 3, TimeUnit.SECONDS)) {
            throw new IllegalStateException("backend " + hostId + " (pid " + pid() + ") still alive after SIGTERM");
        }
    }

    /** SIGSTOP: the process stays, its sockets stay open, nothing in it runs (no heartbeat, no reads). */
    void freeze() throws IOException, InterruptedException {
        signal("-STOP");
        stopped = true;
    }

    /** SIGCONT: it runs again from where it stopped. */
    void thaw() throws IOException, InterruptedException {
        signal("-CONT");
        stopped = false;
    }

    private void thawIfStopped() {
        if (stopped) {
            try {
                thaw();
            } catch (IOException | InterruptedException | RuntimeException e) {
                LOG.warn("could not SIGCONT backend {} (pid {})", hostId, pid(), e);
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private void signal(String signal) throws IOException, InterruptedException {
        if (!process.isAlive()) {
            throw new IllegalStateException("backend " + hostId + " (pid " + pid() + ") is not running");
        }
        Process kill = new ProcessBuilder(ExternalTool.KILL.require().toString(), signal, Long.toString(pid())).redirectErrorStream(true).start();
        if (!kill.waitFor(EXIT_WAIT_SECONDS, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            kill.destroyForcibly();
            throw new IllegalStateException("kill " + signal + " " + pid() + " failed: "
                    + new String(kill.getInputStream().readAllBytes()));
        }
    }

    /** Thaws a stopped child, then kills it and waits for it to exit. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        thawIfStopped();
        process.destroyForcibly();
        try {
            if (!process.waitFor(EXIT_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("backend {} (pid {}) did not exit within {} s of SIGKILL", hostId, pid(), EXIT_WAIT_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
