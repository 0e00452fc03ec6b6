package io.farmgate.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handler of one listening socket: it receives each accepted connection and either answers it
 * on the spot or gives it a {@link PublicConnection} and registers it with an event loop.
 *
 * <p>Answering on the spot is the cheap path for the commonest new connection, a browser or
 * client asking once with {@code Connection: close}: with native epoll, when the whole request
 * head has already arrived (the listener defers accepting until the first bytes are in, see
 * {@link PublicListener}), it is read, answered and closed right here, on the accepting loop,
 * with a read, a write and a close. The connection is never registered with epoll and no
 * pipeline runs, which saves three {@code epoll_ctl} calls, a {@code getsockopt} at close, and
 * the handler, promise and buffer objects of a registered channel. Anything else (a kept-alive
 * connection, a head not complete yet, a body, a refused head, TLS, NIO) takes the ordinary
 * path, handing over the bytes already read.
 */
final class PublicAcceptor extends ChannelInboundHandlerAdapter implements ClientKey.PeerAddress {

    private static final Logger LOG = LoggerFactory.getLogger(PublicAcceptor.class);
    /** How long accepting pauses after the accept itself failed (out of file descriptors, say). */
    private static final long ACCEPT_PAUSE_MILLIS = 1_000;

    private final PublicListener.Shared shared;
    private final SslContext ssl;
    /** Where connections that take the ordinary path are registered (the accepting loop with epoll). */
    private final EventLoopGroup children;
    private final boolean answerOnAccept;
    /** The connection being answered on the spot, for {@link #peerAddress()}. */
    private Channel current;

    PublicAcceptor(PublicListener.Shared shared, SslContext ssl, EventLoopGroup children) {
        this.shared = shared;
        this.ssl = ssl;
        this.children = children;
        this.answerOnAccept = ssl == null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel child = (Channel) msg;
        PublicConnection.Early early = null;
        if (answerOnAccept && child instanceof EpollSocketChannel epoll) {
            try {
                early = answerOnAccept(epoll);
            } catch (IOException e) {
                // A reset before we answered: the client is gone.
                LOG.debug("public connection {} failed", child.remoteAddress(), e);
                child.unsafe().closeForcibly();
                return;
            } catch (RuntimeException | LinkageError | AssertionError e) {
                // A bug: counted like any other, and the connection dropped; the listener goes on.
                shared.metrics().unexpected();
                LOG.error("public connection {} failed", child.remoteAddress(), e);
                child.unsafe().closeForcibly();
                return;
            } finally {
                current = null;
            }
            if (early == PublicConnection.Early.DONE) {
                return;
            }
        }
        // TCP_NODELAY is already on: Netty sets it on every accepted socket it wraps.
        child.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        if (ssl != null) {
            child.pipeline().addLast(ssl.newHandler(child.alloc()));
        }
        child.pipeline().addLast(new PublicConnection(shared, ssl != null, early));
        PublicConnection.Early handed = early;
        try {
            children.register(child).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    registrationFailed(child, handed, f.cause());
                }
            });
        } catch (RuntimeException e) {
            registrationFailed(child, handed, e);
        }
    }

    /** The loops are shutting down (or out of resources): drop the connection. */
    private static void registrationFailed(Channel child, PublicConnection.Early early, Throwable cause) {
        LOG.warn("could not register public connection {}", child.remoteAddress(), cause);
        child.unsafe().closeForcibly();
        if (early != null) {
            // Never active, so the connection never took these over.
            early.bytes().release();
        }
    }

    /**
     * Reads what the client sent so far and, when it is one complete request that closes the
     * connection, answers it and closes.
     *
     * @return {@link PublicConnection.Early#DONE} when the connection was answered (or found
     *         closed) and closed; otherwise what the ordinary path must carry on with (null: nothing)
     */
    private PublicConnection.Early answerOnAccept(EpollSocketChannel child) throws IOException {
        LoopState loop = shared.loop();
        FileDescriptor fd = child.fd();
        ByteBuffer io = loop.io;
        int max = shared.limits().maxHeadBytes();
        int n = fd.read(io, 0, Math.min(io.capacity(), max));
        if (n == 0) {
            return null;
        }
        if (n < 0 || shared.closing()) {
            // Closed before asking anything, or the listener is going away: nothing to answer.
            child.unsafe().closeForcibly();
            return PublicConnection.Early.DONE;
        }
        io.get(0, loop.headBytes, 0, n);
        RequestHead head = loop.head;
        int r = head.parse(loop.headBytes, n, n == max);
        if (r != n || head.keepAlive || head.hasBody) {
            // Incomplete, refused, pipelined, kept alive or with a body: the ordinary path decides.
            ByteBuf bytes = child.alloc().heapBuffer(n);
            bytes.writeBytes(loop.headBytes, 0, n);
            return new PublicConnection.Early(bytes, false);
        }
        Answer out = loop.answer;
        out.clear();
        current = child;
        shared.api().answer(head, true, loop, this, shared.clock().millis());
        int length = out.length();
        int written = 0;
        if (length <= io.capacity()) {
            io.put(0, out.array(), 0, length);
            written = fd.write(io, 0, length);
        }
        if (written == length) {
            child.unsafe().closeForcibly();
            return PublicConnection.Early.DONE;
        }
        // The socket took only part of it (or it is larger than the loop's buffer): the rest is
        // written by the ordinary path, which then closes.
        ByteBuf rest = child.alloc().directBuffer(length - written);
        rest.writeBytes(out.array(), written, length - written);
        return new PublicConnection.Early(rest, true);
    }

    @Override
    public String peerAddress() {
        return PublicConnection.hostOf(current.remoteAddress());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Channel server = ctx.channel();
        if (!(cause instanceof IOException)) {
            LOG.error("public listener {} failed", server.localAddress(), cause);
            return;
        }
        // accept() failed (out of file descriptors, say): pause accepting for a moment rather than
        // spin on an error that will not go away at once.
        LOG.warn("public listener {} could not accept a connection; pausing {} ms", server.localAddress(),
                ACCEPT_PAUSE_MILLIS, cause);
        if (server.config().isAutoRead()) {
            server.config().setAutoRead(false);
            server.eventLoop().schedule(() -> {
                try {
                    server.config().setAutoRead(true);
                } catch (Throwable t) {
                    LOG.warn("public listener {} could not resume accepting", server.localAddress(), t);
                }
            }, ACCEPT_PAUSE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }
}
