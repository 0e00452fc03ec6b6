package io.farmgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Finds a TCP port on 127.0.0.1 that nobody listens on right now. */
public final class FreePort {

    private FreePort() {
    }

    /**
     * A port that was free a moment ago. Another process may still take it before the caller binds
     * it, so callers that start servers retry with a new port when binding fails.
     */
    public static int pick() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }
}
