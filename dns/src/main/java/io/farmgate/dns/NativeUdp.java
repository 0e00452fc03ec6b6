package io.farmgate.dns;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native side of {@link UdpBatch}: recvmmsg and sendmmsg (Linux) from a small JNI library
 * built with the module when a C compiler is at hand, so one system call carries a batch of queries
 * or answers. Without the library, or elsewhere than Linux, {@link #available()} is false and the
 * listener sends and receives one packet per call through the JDK.
 */
final class NativeUdp {

    private static final Logger log = LoggerFactory.getLogger(NativeUdp.class);

    /** Where the build puts the library, per {@code uname -m}. */
    private static final String RESOURCE = "/io/farmgate/dns/native/libfarmgate_udp-%s.so";

    private static final String UNAVAILABLE = load();

    private NativeUdp() {
    }

    /** Whether batched receive and send can be used on this machine. */
    static boolean available() {
        return UNAVAILABLE == null;
    }

    /** Why it cannot, or null when it can. */
    static String unavailableReason() {
        return UNAVAILABLE;
    }

    private static String load() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return "recvmmsg/sendmmsg are Linux calls";
        }
        String arch = System.getProperty("os.arch", "");
        String resource = String.format(RESOURCE, "amd64".equals(arch) ? "x86_64" : arch);
        try (InputStream in = NativeUdp.class.getResourceAsStream(resource)) {
            if (in == null) {
                return "this build has no " + resource + " (no C compiler when it was built)";
            }
            // Loaded from a private copy that is deleted at once: Linux keeps the mapping alive.
            Path copy = Files.createTempFile("farmgate-udp-", ".so");
            try {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
                System.load(copy.toAbsolutePath().toString());
            } finally {
                Files.deleteIfExists(copy);
            }
            return null;
        } catch (IOException | LinkageError | SecurityException e) {
            log.debug("loading {}", resource, e);
            return "loading " + resource + " failed: " + e;
        }
    }

    /** The channel's file descriptor, or -1 when this JDK keeps it elsewhere. */
    static native int fd(DatagramChannel channel);

    /** Native state for {@code slots} slots over the given direct buffers; 0 when out of memory. */
    static native long create(int fd, int slots, ByteBuffer rx, int rxSlotBytes, ByteBuffer tx, int txSlotBytes,
                              ByteBuffer meta);

    static native void destroy(long handle);

    /** Waits for queries and receives up to one per slot; the count, 0 (idle: call again), or -errno. */
    static native int receive(long handle, int fd);

    /** Sends the answers of slots {@code [0, count)}; how many could not be sent. */
    static native int send(long handle, int fd, int count);

    /** Wakes a thread blocked in {@link #receive} on {@code fd}. */
    static native void wake(int fd);
}
