package io.farmgate.testing;

import io.farmgate.localredis.RedisServerProcess;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real redis-server process for one test class, on a free 127.0.0.1 port:
 * <pre>{@code @RegisterExtension static final RedisServerExtension redis = new RedisServerExtension();}</pre>
 * It starts before the first test, is emptied (FLUSHALL) before each test and stops after the
 * last. Tests may {@link #stop()}, {@link #kill()} and {@link #start()} it again mid-test to
 * simulate faults; it comes back on the same port, and a test that leaves it down gets it
 * restarted for the next one. Server output goes to {@link #logFile()} under {@code target/}.
 */
public final class RedisServerExtension implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {

    private static final int PORT_ATTEMPTS = 3;

    private final List<String> extraArgs;
    private RedisServerProcess server;

    /** @param extraArgs extra redis-server arguments, e.g. {@code "--requirepass", "secret"} */
    public RedisServerExtension(String... extraArgs) {
        this.extraArgs = List.of(extraArgs);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        startOnFreePort();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (server == null) {
            // Registered on an instance field: no beforeAll, so start here once.
            startOnFreePort();
        } else if (!server.isRunning()) {
            server.start();
        }
        server.command("FLUSHALL");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.stop();
        }
    }

    private synchronized void startOnFreePort() {
        if (server != null) {
            return;
        }
        RuntimeException failure = null;
        // The free port may be taken between picking and binding; a fresh one almost always works.
        for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
            RedisServerProcess candidate = new RedisServerProcess(FreePort.pick(), extraArgs);
            try {
                candidate.start();
                server = candidate;
                return;
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        throw failure;
    }

    private RedisServerProcess server() {
        RedisServerProcess s = server;
        if (s == null) {
            throw new IllegalStateException("the Redis server has not been started: register the extension on a static field");
        }
        return s;
    }

    /** Starts the server again on the same port after {@link #stop()} or {@link #kill()}. */
    public void start() {
        server().start();
    }

    /** Graceful shutdown (SIGTERM). */
    public void stop() {
        server().stop();
    }

    /** SIGKILL of exactly the server process, as in a crash. */
    public void kill() {
        server().kill();
    }

    public boolean isRunning() {
        return server().isRunning();
    }

    public long pid() {
        return server().pid();
    }

    public int port() {
        return server().port();
    }

    public String host() {
        return server().host();
    }

    /** {@code redis://127.0.0.1:PORT} (add credentials yourself when using {@code --requirepass}). */
    public String uri() {
        return server().uri();
    }

    public Path logFile() {
        return server().logFile();
    }

    /** Runs one raw command on the server; see {@link RedisServerProcess#command}. */
    public Object command(String... args) {
        return server().command(args);
    }

    /** The underlying process, for tests that need more than one server. */
    public RedisServerProcess process() {
        return server();
    }
}
