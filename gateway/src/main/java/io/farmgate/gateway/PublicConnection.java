package io.farmgate.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection of the public listener, on one event loop from accept to close: it parses
 * request heads straight from the bytes read, answers each at once (pipelined ones in order, all
 * of one read in one write), and enforces the header, idle and linger deadlines its loop sweeps.
 * Request bodies are never read: a request that has one is answered and the connection closed.
 */
final class PublicConnection extends ChannelInboundHandlerAdapter implements ClientKey.PeerAddress {

    private static final Logger LOG = LoggerFactory.getLogger(PublicConnection.class);

    /** Waiting for the first request's head: the header deadline runs from accept. */
    private static final int FIRST = 0;
    /** Between requests of a kept-alive connection: the idle deadline runs. */
    private static final int IDLE = 1;
    /** Part of a head has arrived: the header deadline runs from its first byte. */
    private static final int PARTIAL = 2;
    /** The last answer is written; reading and dropping what the client still sends, then closing. */
    private static final int LINGER = 3;

    /** Links of the loop's list of watched connections. */
    PublicConnection next;
    PublicConnection previous;

    private final PublicListener.Shared shared;
    private final boolean secure;
    private ChannelHandlerContext ctx;
    private LoopState loop;
    private ByteBuf pending;
    private int phase = FIRST;
    private long since;
    private boolean flushNeeded;
    private String peer;

    /**
     * What the acceptor already did with a new connection (see {@link PublicAcceptor}).
     *
     * @param bytes    the request bytes it read, or (when {@code answered}) the part of its answer
     *                 the socket did not take
     * @param answered the request was answered: write the rest, then close
     */
    record Early(ByteBuf bytes, boolean answered) {
        /** The acceptor answered and closed the connection: there is nothing left to do. */
        static final Early DONE = new Early(null, true);
    }

    /** What the acceptor handed over, until the connection is active; null when nothing. */
    private Early early;

    PublicConnection(PublicListener.Shared shared, boolean secure, Early early) {
        this.shared = shared;
        this.secure = secure;
        this.early = early;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.loop = shared.loop();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        since = System.nanoTime();
        loop.add(this, ctx.executor());
        Early e = early;
        early = null;
        if (e != null && e.answered()) {
            phase = LINGER;
            ctx.writeAndFlush(e.bytes()).addListener(ChannelFutureListener.CLOSE);
        } else if (e != null) {
            channelRead(ctx, e.bytes());
            if (flushNeeded) {
                flushNeeded = false;
                ctx.flush();
            }
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        loop.remove(this);
        if (early != null) {
            early.bytes().release();
            early = null;
        }
        if (pending != null) {
            pending.release();
            pending = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        if (phase == LINGER) {
            in.release();
            return;
        }
        if (shared.closing()) {
            in.release();
            ctx.close();
            return;
        }
        if (pending != null) {
            boolean newLine = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n') >= 0;
            pending.writeBytes(in);
            in.release();
            if (!newLine && pending.readableBytes() < shared.limits().maxHeadBytes()) {
                // A head ends with a line end: without one there is nothing new to parse.
                return;
            }
            in = pending;
            pending = null;
        }
        try {
            answerAll(in);
        } finally {
            if (phase != LINGER && in.isReadable()) {
                keep(in);
            } else {
                in.release();
            }
        }
    }

    private void keep(ByteBuf in) {
        if (phase == IDLE) {
            phase = PARTIAL;
            since = System.nanoTime();
        }
        if (in.refCnt() == 1 && in.isWritable() && in.maxCapacity() == Integer.MAX_VALUE && in.hasArray()) {
            in.discardReadBytes();
            pending = in;
        } else {
            pending = ctx.alloc().heapBuffer(Math.max(1024, in.readableBytes() * 2));
            pending.writeBytes(in);
            in.release();
        }
    }

    private void answerAll(ByteBuf in) {
        Answer out = loop.answer;
        out.clear();
        RequestHead head = loop.head;
        int max = shared.limits().maxHeadBytes();
        boolean close = false;
        boolean linger = false;
        long nowMillis = shared.clock().millis();
        while (in.isReadable()) {
            int n = Math.min(in.readableBytes(), max);
            in.getBytes(in.readerIndex(), loop.headBytes, 0, n);
            int r = head.parse(loop.headBytes, n, n == max);
            if (r == RequestHead.INCOMPLETE) {
                break;
            }
            if (r < 0) {
                shared.api().refuse(r, head, out, nowMillis);
                close = true;
                linger = true;
                break;
            }
            in.skipBytes(r);
            close = !head.keepAlive || head.hasBody;
            linger = head.hasBody;
            shared.api().answer(head, close, loop, this, nowMillis);
            if (close) {
                break;
            }
        }
        if (out.length() == 0) {
            return;
        }
        ByteBuf buf = ctx.alloc().directBuffer(out.length());
        buf.writeBytes(out.array(), 0, out.length());
        if (close) {
            in.skipBytes(in.readableBytes());
            phase = LINGER;
            since = System.nanoTime();
            ctx.writeAndFlush(buf).addListener(linger && !secure ? (ChannelFutureListener) this::shutdownOutput
                    : ChannelFutureListener.CLOSE);
            flushNeeded = false;
            return;
        }
        ctx.write(buf, ctx.voidPromise());
        flushNeeded = true;
        phase = IDLE;
        since = System.nanoTime();
        if (!ctx.channel().isWritable()) {
            // The client does not read its answers: stop reading its requests until it does.
            ctx.channel().config().setAutoRead(false);
        }
    }

    /**
     * Half-closes after an answer that leaves unread bytes (a refused head, a body): closing at
     * once would make the kernel reset the connection and the client could lose the answer.
     */
    private void shutdownOutput(io.netty.channel.ChannelFuture f) {
        if (f.isSuccess() && f.channel() instanceof DuplexChannel duplex) {
            duplex.shutdownOutput();
        } else {
            f.channel().close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (flushNeeded) {
            flushNeeded = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && phase != LINGER) {
            ctx.channel().config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // The client sent all it will: answer what was asked, then close.
            flushNeeded = false;
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException || cause instanceof DecoderException) {
            // Resets, TLS handshake failures and the like: the client is gone or not speaking to us.
            LOG.debug("public connection {} failed", ctx.channel().remoteAddress(), cause);
        } else {
            // A bug in parsing or answering: counted like any other, and the connection dropped.
            shared.metrics().unexpected();
            LOG.error("public connection {} failed", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }

    /** Called by the loop's sweep: closes this connection when its current deadline has passed. */
    void checkDeadline(long nowNanos) {
        PublicListener.Limits limits = shared.limits();
        long limit = switch (phase) {
            case IDLE -> limits.idleTimeoutMillis();
            case LINGER -> limits.lingerMillis();
            default -> limits.headerReadTimeoutMillis();
        };
        if (nowNanos - since < TimeUnit.MILLISECONDS.toNanos(limit)) {
            return;
        }
        if (phase == PARTIAL || (phase == FIRST && pending != null)) {
            // A head trickling in too slowly (slowloris): say so, then close.
            shared.metrics().headerTimeout();
            Answer out = loop.answer;
            out.clear();
            shared.api().timedOut(out, shared.clock().millis());
            ByteBuf buf = ctx.alloc().directBuffer(out.length());
            buf.writeBytes(out.array(), 0, out.length());
            phase = LINGER;
            since = nowNanos;
            ctx.writeAndFlush(buf).addListener(secure ? ChannelFutureListener.CLOSE
                    : (ChannelFutureListener) this::shutdownOutput);
            return;
        }
        ctx.close();
    }

    @Override
    public String peerAddress() {
        if (peer == null) {
            peer = hostOf(ctx.channel().remoteAddress());
        }
        return peer;
    }

    /** The client's address as the client key and {@code X-Forwarded-For} checks want it. */
    static String hostOf(SocketAddress a) {
        return a instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : String.valueOf(a);
    }
}
