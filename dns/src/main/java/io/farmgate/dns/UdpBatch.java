package io.farmgate.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;

/**
 * One receive thread's slots for batched UDP: the queries one system call brought in, and the
 * answers that go out together in the next. Views and buffers are made once; a batch allocates
 * nothing, not even the client's address while the same client keeps asking.
 */
final class UdpBatch implements AutoCloseable {

    /** Per-slot record the native side fills in; layout in farmgate_udp.c. */
    private static final int META_BYTES = 32;
    private static final int LENGTH = 0;
    private static final int FAMILY = 4;
    private static final int ADDRESS = 8;
    private static final int ANSWER_LENGTH = 24;

    private final int fd;
    private final ByteBuffer meta;
    private final ByteBuffer[] queries;
    private final ByteBuffer[] answers;
    // Kept reachable for as long as the native side holds their addresses.
    private final ByteBuffer rx;
    private final ByteBuffer tx;
    private long handle;

    private int lastFamily;
    private long lastHigh;
    private long lastLow;
    private InetAddress lastClient;

    private UdpBatch(int fd, int slots, ByteBuffer rx, ByteBuffer tx, ByteBuffer meta, int rxSlotBytes,
                     int txSlotBytes, long handle) {
        this.fd = fd;
        this.rx = rx;
        this.tx = tx;
        this.meta = meta;
        this.handle = handle;
        this.queries = new ByteBuffer[slots];
        this.answers = new ByteBuffer[slots];
        for (int i = 0; i < slots; i++) {
            queries[i] = rx.slice(i * rxSlotBytes, rxSlotBytes);
            answers[i] = tx.slice(i * txSlotBytes, txSlotBytes);
        }
    }

    /**
     * Slots over {@code channel}'s socket, or null when batching cannot be used here (see
     * {@link NativeUdp#unavailableReason()}, or this JDK hides the socket).
     */
    static UdpBatch open(DatagramChannel channel, int slots, int rxSlotBytes, int txSlotBytes) {
        if (!NativeUdp.available()) {
            return null;
        }
        int fd = NativeUdp.fd(channel);
        if (fd < 0) {
            return null;
        }
        ByteBuffer rx = ByteBuffer.allocateDirect(slots * rxSlotBytes);
        ByteBuffer tx = ByteBuffer.allocateDirect(slots * txSlotBytes);
        ByteBuffer meta = ByteBuffer.allocateDirect(slots * META_BYTES).order(ByteOrder.nativeOrder());
        long handle = NativeUdp.create(fd, slots, rx, rxSlotBytes, tx, txSlotBytes, meta);
        return handle == 0 ? null : new UdpBatch(fd, slots, rx, tx, meta, rxSlotBytes, txSlotBytes, handle);
    }

    /**
     * Waits for queries and takes every one queued, up to the slot count: how many, 0 when the
     * wait ended without any (idle, or woken to close).
     */
    int receive() throws IOException {
        int n = NativeUdp.receive(handle, fd);
        if (n < 0) {
            throw new IOException("recvmmsg failed: errno " + -n);
        }
        return n;
    }

    /** Query {@code i} of the last receive, from position 0. */
    ByteBuffer query(int i) {
        ByteBuffer q = queries[i];
        q.clear().limit(meta.getInt(i * META_BYTES + LENGTH));
        return q;
    }

    /** The sender of query {@code i}, or null when its address family is unknown. */
    InetAddress client(int i) throws UnknownHostException {
        int at = i * META_BYTES;
        int family = meta.getInt(at + FAMILY);
        long high = family == 4 ? meta.getInt(at + ADDRESS) : meta.getLong(at + ADDRESS);
        long low = family == 6 ? meta.getLong(at + ADDRESS + 8) : 0;
        if (family != lastFamily || high != lastHigh || low != lastLow || lastClient == null) {
            if (family != 4 && family != 6) {
                return null;
            }
            byte[] address = new byte[family == 4 ? 4 : 16];
            for (int b = 0; b < address.length; b++) {
                address[b] = meta.get(at + ADDRESS + b);
            }
            lastClient = InetAddress.getByAddress(address);
            lastFamily = family;
            lastHigh = high;
            lastLow = low;
        }
        return lastClient;
    }

    /** The empty answer buffer of slot {@code i}; after {@link #answered} it holds what is sent. */
    ByteBuffer answer(int i) {
        return answers[i].clear();
    }

    /** Slot {@code i} has an answer of {@code length} bytes at the start of {@link #answer}. */
    void answered(int i, int length) {
        meta.putInt(i * META_BYTES + ANSWER_LENGTH, length);
    }

    /** Sends the answers of slots {@code [0, count)}; how many could not be sent. */
    int send(int count) {
        return NativeUdp.send(handle, fd, count);
    }

    /** Wakes the thread waiting in {@link #receive}. */
    void wake() {
        NativeUdp.wake(fd);
    }

    /** Frees the native side; only once the receiving thread has stopped using it. */
    @Override
    public void close() {
        if (handle != 0) {
            NativeUdp.destroy(handle);
            handle = 0;
        }
    }
}
