package io.farmgate.gateway;

import io.netty.util.concurrent.EventExecutor;
import java.nio.ByteBuffer;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one event loop reuses for every request it answers (the head being parsed, the answer being
 * built, the client key, its own token signer) and the connections it watches for timeouts. Only
 * its loop's thread touches it.
 */
final class LoopState {

    private static final Logger LOG = LoggerFactory.getLogger(LoopState.class);
    /** Answers larger than this are written by the ordinary path (only {@code /v1/client.js} may be). */
    private static final int IO_BYTES = 16 * 1024;

    final RequestHead head = new RequestHead();
    final Answer answer = new Answer();
    final ClientKey key;
    final byte[] headBytes;
    /** Decoded query values ({@code path} of {@code /v1/assign}). */
    final byte[] scratch;
    final AssignmentTokens.Signer signer;
    /** Native memory for reading and answering a connection on accept (see {@link PublicAcceptor}). */
    final ByteBuffer io;

    private final PublicListener.Limits limits;
    private PublicConnection first;
    /** The periodic sweep while this loop has connections; null while it has none. */
    private ScheduledFuture<?> sweep;

    LoopState(PublicListener.Limits limits, AssignmentTokens tokens) {
        this.limits = limits;
        this.headBytes = new byte[limits.maxHeadBytes()];
        this.scratch = new byte[limits.maxHeadBytes()];
        this.key = new ClientKey(limits.maxHeadBytes());
        this.signer = tokens.newSigner();
        this.io = ByteBuffer.allocateDirect(Math.max(IO_BYTES, limits.maxHeadBytes()));
    }

    /**
     * Starts watching a new connection; the first one after a quiet spell starts this loop's periodic
     * sweep, which stops again once the loop has no connections (an idle loop does not wake).
     */
    void add(PublicConnection c, EventExecutor loop) {
        c.next = first;
        c.previous = null;
        if (first != null) {
            first.previous = c;
        }
        first = c;
        if (sweep == null) {
            long period = limits.sweepMillis();
            sweep = loop.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
        }
    }

    /** Whether the periodic sweep is scheduled; for tests. */
    boolean sweeping() {
        return sweep != null;
    }

    void remove(PublicConnection c) {
        if (c.previous != null) {
            c.previous.next = c.next;
        } else if (first == c) {
            first = c.next;
        }
        if (c.next != null) {
            c.next.previous = c.previous;
        }
        c.next = null;
        c.previous = null;
    }

    /** Closes connections past their header, idle or linger deadline; stops when none is left. */
    private void sweep() {
        try {
            long now = System.nanoTime();
            PublicConnection c = first;
            while (c != null) {
                PublicConnection next = c.next;
                c.checkDeadline(now);
                c = next;
            }
            if (first == null && sweep != null) {
                sweep.cancel(false);
                sweep = null;
            }
        } catch (Throwable t) {
            LOG.warn("public listener timeout sweep failed", t);
        }
    }
}
