package io.farmgate.localredis;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import redis.embedded.core.ExecutableProvider;

/**
 * One real {@code redis-server} process on 127.0.0.1 that can be started, stopped, killed and
 * started again on the same port: the test fixture's server and {@code farmgate demo}'s Redis.
 *
 * <p>Only the process this object started is ever signalled, through its {@link Process} handle;
 * a JVM shutdown hook kills whatever is still running when the test JVM exits.
 */
public final class RedisServerProcess {

    /** Where server output and any server files go by default, relative to the module being tested. */
    public static final Path WORK_DIR = Path.of("target", "redis-fixture").toAbsolutePath();

    private static final String HOST = "127.0.0.1";
    private static final long START_DEADLINE_MILLIS = 15_000;
    private static final long STOP_DEADLINE_MILLIS = 10_000;
    private static final int PROBE_TIMEOUT_MILLIS = 500;

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final Thread SHUTDOWN_HOOK = new Thread(RedisServerProcess::killAllStarted, "redis-fixture-reaper");
    private static volatile Path executable;

    static {
        Runtime.getRuntime().addShutdownHook(SHUTDOWN_HOOK);
    }

    private final int port;
    private final Path configFile;
    private final List<String> extraArgs;
    private final Path workDir;
    private final Path logFile;
    private final String password;
    private Process process;

    /**
     * @param port      the port to listen on, for every start
     * @param extraArgs appended to the command line, e.g. {@code "--requirepass", "secret"}
     */
    public RedisServerProcess(int port, List<String> extraArgs) {
        this(port, null, extraArgs, WORK_DIR);
    }

    /** A server whose log and files go to {@code workDir}. */
    public RedisServerProcess(int port, List<String> extraArgs, Path workDir) {
        this(port, null, extraArgs, workDir);
    }

    private RedisServerProcess(int port, Path configFile, List<String> extraArgs, Path workDir) {
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: in [1, 65535])");
        }
        this.port = port;
        this.configFile = configFile;
        this.extraArgs = List.copyOf(extraArgs);
        this.workDir = workDir.toAbsolutePath();
        this.logFile = this.workDir.resolve("redis-" + port + ".log");
        int i = this.extraArgs.indexOf("--requirepass");
        this.password = i >= 0 && i + 1 < this.extraArgs.size() ? this.extraArgs.get(i + 1) : null;
    }

    /**
     * A Sentinel on {@code port} watching the master at 127.0.0.1:{@code masterPort} under
     * {@code masterName} (quorum 1). Sentinel needs a writable config file; it is written to
     * {@link #WORK_DIR}. Not started yet.
     */
    public static RedisServerProcess sentinel(int port, String masterName, int masterPort) {
        return sentinel(port, masterName, masterPort, 1, "");
    }

    /**
     * One of several Sentinels watching the master at 127.0.0.1:{@code masterPort}: {@code quorum}
     * of them must agree it is down, which they decide after {@code downAfterMillis} of silence;
     * a failover that stalls is retried after twice {@code failoverTimeoutMillis}. Not started yet.
     */
    public static RedisServerProcess sentinel(int port, String masterName, int masterPort, int quorum,
                                              long downAfterMillis, long failoverTimeoutMillis) {
        return sentinel(port, masterName, masterPort, quorum,
                "sentinel down-after-milliseconds " + masterName + " " + downAfterMillis + "\n"
                + "sentinel failover-timeout " + masterName + " " + failoverTimeoutMillis + "\n");
    }

    private static RedisServerProcess sentinel(int port, String masterName, int masterPort, int quorum,
                                               String moreConfig) {
        Path config = WORK_DIR.resolve("sentinel-" + port + ".conf");
        try {
            Files.createDirectories(WORK_DIR);
            Files.writeString(config, "sentinel monitor " + masterName + " " + HOST + " " + masterPort + " " + quorum
                    + "\n" + moreConfig);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + config, e);
        }
        return new RedisServerProcess(port, config, List.of("--sentinel"), WORK_DIR);
    }

    /**
     * The redis-server binary: the one on PATH, else the one bundled in embedded-redis, extracted
     * once per JVM to a temporary directory.
     */
    public static Path executable() {
        Path found = executable;
        if (found != null) {
            return found;
        }
        synchronized (RedisServerProcess.class) {
            if (executable == null) {
                executable = locateExecutable();
            }
            return executable;
        }
    }

    private static Path locateExecutable() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (dir.isEmpty()) {
                    continue;
                }
                Path candidate = Path.of(dir, "redis-server");
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return embeddedExecutable();
    }

    /** The redis-server bundled in embedded-redis for this OS and CPU, extracted to a new temporary directory. */
    static Path embeddedExecutable() {
        try {
            return ExecutableProvider.newJarResourceProvider().get().toPath();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("no redis-server on PATH and no embedded one for this platform", e);
        }
    }

    /**
     * Starts the server and returns once it answers PING, or throws if it exits or stays silent
     * past the deadline (the port may have been taken meanwhile; see its log file).
     */
    public synchronized void start() {
        if (isRunning()) {
            throw new IllegalStateException("redis-server on port " + port + " is already running");
        }
        List<String> command = new ArrayList<>();
        command.add(executable().toString());
        if (configFile != null) {
            command.add(configFile.toString());  // redis-server wants the config file first
        }
        Collections.addAll(command, "--bind", HOST, "--port", Integer.toString(port),
                "--save", "", "--appendonly", "no", "--protected-mode", "no",
                "--dir", workDir.toString(), "--dbfilename", "dump-" + port + ".rdb");
        command.addAll(extraArgs);
        Process started;
        try {
            Files.createDirectories(workDir);
            started = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + command, e);
        }
        LIVE.add(started);
        process = started;
        try {
            awaitReady(started);
        } catch (RuntimeException e) {
            destroy(started, true);
            process = null;
            throw e;
        }
    }

    private void awaitReady(Process started) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_DEADLINE_MILLIS);
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!started.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + started.exitValue()
                        + " before answering on port " + port + "; see " + logFile);
            }
            try {
                // Ask for the pid too: a PONG from some other process that grabbed the port must not count.
                Object info = RespClient.call(HOST, port, password, PROBE_TIMEOUT_MILLIS, "INFO", "server");
                if (info instanceof String && ((String) info).contains("process_id:" + started.pid() + "\r\n")) {
                    return;
                }
                throw new IllegalStateException("port " + port + " is served by another process; see " + logFile);
            } catch (IOException e) {
                last = e;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        throw new IllegalStateException("redis-server on port " + port + " did not answer within "
                + START_DEADLINE_MILLIS + " ms; see " + logFile, last);
    }

    /** Graceful stop (SIGTERM): redis-server closes its clients and exits. No-op when not running. */
    public synchronized void stop() {
        if (process != null) {
            destroy(process, false);
            process = null;
        }
    }

    /** Abrupt death (SIGKILL) of exactly this process, as in a crash. No-op when not running. */
    public synchronized void kill() {
        if (process != null) {
            destroy(process, true);
            process = null;
        }
    }

    private void destroy(Process target, boolean forcibly) {
        if (forcibly) {
            target.destroyForcibly();
        } else {
            target.destroy();
        }
        try {
            if (!target.waitFor(STOP_DEADLINE_MILLIS, TimeUnit.MILLISECONDS)) {
                target.destroyForcibly();
                if (!target.waitFor(STOP_DEADLINE_MILLIS, TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("redis-server pid " + target.pid() + " would not exit");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            target.destroyForcibly();
        } finally {
            if (!target.isAlive()) {
                LIVE.remove(target);
            }
        }
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Pid of the running server; throws when it is not running. */
    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException("redis-server on port " + port + " is not running");
        }
        return process.pid();
    }

    public int port() {
        return port;
    }

    public String host() {
        return HOST;
    }

    /** {@code redis://127.0.0.1:PORT}. */
    public String uri() {
        return "redis://" + HOST + ":" + port;
    }

    /** The file the server's stdout and stderr are appended to, across restarts. */
    public Path logFile() {
        return logFile;
    }

    /**
     * Runs one command on the server over a fresh connection (authenticated with the
     * {@code --requirepass} argument, if any) and returns the reply: String, Long, List or null.
     *
     * @throws UncheckedIOException when the server cannot be reached or answers with an error
     */
    public Object command(String... args) {
        Objects.requireNonNull(args, "args");
        try {
            return RespClient.call(HOST, port, password, 2_000, args);
        } catch (IOException e) {
            throw new UncheckedIOException(String.join(" ", args) + " on port " + port + ": " + e.getMessage(), e);
        }
    }

    private static void killAllStarted() {
        for (Process p : LIVE) {
            p.destroyForcibly();
        }
    }

    @Override
    public synchronized String toString() {
        return "redis-server[" + uri() + (isRunning() ? ", pid " + process.pid() : ", stopped") + "]";
    }
}
