package io.farmgate.agent;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One blocking RESP2 connection to a Redis server over a plain or TLS socket: what the sidecar's
 * registry link needs instead of a Redis client library (no event loop, no timer threads).
 * Replies come back as String (simple and bulk strings), Long, List of replies, or null; an error
 * reply throws {@link ErrorReply}, anything that leaves the stream unusable an IOException. Not
 * thread-safe: its owner serializes the calls.
 */
final class RespConnection implements AutoCloseable {

    /** Longest reply line, bulk string and array this client accepts: far above what the agent reads. */
    private static final int MAX_LINE = 64 * 1024;
    private static final int MAX_BULK = 16 * 1024 * 1024;
    private static final int MAX_ARRAY = 1 << 20;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private byte[] line = new byte[128];

    private RespConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 8 * 1024);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 8 * 1024);
    }

    /**
     * Connects to host:port within {@code timeoutMillis}, which also bounds every later read; with
     * {@code tls} non-null the server's certificate is verified against it, host name included.
     */
    static RespConnection open(String host, int port, SSLSocketFactory tls, int timeoutMillis) throws IOException {
        Socket plain = new Socket();
        try {
            plain.setKeepAlive(true);
            plain.setTcpNoDelay(true);
            plain.connect(new InetSocketAddress(host, port), timeoutMillis);
            plain.setSoTimeout(timeoutMillis);
            Socket socket = plain;
            if (tls != null) {
                SSLSocket ssl = (SSLSocket) tls.createSocket(plain, host, port, true);
                SSLParameters parameters = ssl.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                ssl.setSSLParameters(parameters);
                ssl.startHandshake();
                socket = ssl;
            }
            return new RespConnection(socket);
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    /** Sends one command and reads its reply. */
    Object call(String... args) throws IOException {
        send(args);
        return read();
    }

    /** Sends one command without reading the reply (pub/sub). */
    void send(String... args) throws IOException {
        out.write('*');
        writeDecimal(args.length);
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            out.write('$');
            writeDecimal(bytes.length);
            out.write(bytes);
            out.write('\r');
            out.write('\n');
        }
        out.flush();
    }

    /** How long a read may block before SocketTimeoutException; 0 for ever. */
    void readTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /** Reads one reply. */
    Object read() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("Redis closed the connection");
        }
        int length = readLine();
        switch (type) {
            case '+':
                return new String(line, 0, length, StandardCharsets.UTF_8);
            case '-':
                throw new ErrorReply(new String(line, 0, length, StandardCharsets.UTF_8));
            case ':':
                return parseLong(length);
            case '$': {
                long size = parseLong(length);
                if (size < 0) {
                    return null;
                }
                if (size > MAX_BULK) {
                    throw new IOException("bulk string of " + size + " bytes (expected: <= " + MAX_BULK + ")");
                }
                byte[] data = in.readNBytes((int) size + 2);
                if (data.length != size + 2) {
                    throw new EOFException("Redis closed the connection inside a reply");
                }
                if (data[(int) size] != '\r' || data[(int) size + 1] != '\n') {
                    throw new IOException("bulk string not followed by CRLF");
                }
                return new String(data, 0, (int) size, StandardCharsets.UTF_8);
            }
            case '*': {
                long count = parseLong(length);
                if (count < 0) {
                    return null;
                }
                if (count > MAX_ARRAY) {
                    throw new IOException("array of " + count + " replies (expected: <= " + MAX_ARRAY + ")");
                }
                List<Object> items = new ArrayList<>((int) count);
                for (int i = 0; i < count; i++) {
                    try {
                        items.add(read());
                    } catch (ErrorReply e) {
                        items.add(e); // an error inside an array (EXEC, scripts) is one element, not the whole reply
                    }
                }
                return items;
            }
            default:
                throw new IOException("not a RESP2 reply: type byte " + type);
        }
    }

    /** Reads up to CRLF into {@link #line}; returns the length without CRLF. */
    private int readLine() throws IOException {
        int n = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("Redis closed the connection inside a reply line");
            }
            if (b == '\n' && n > 0 && line[n - 1] == '\r') {
                return n - 1;
            }
            if (n == line.length) {
                if (n >= MAX_LINE) {
                    throw new IOException("reply line longer than " + MAX_LINE + " bytes");
                }
                line = Arrays.copyOf(line, n * 2);
            }
            line[n++] = (byte) b;
        }
    }

    private long parseLong(int length) throws IOException {
        String s = new String(line, 0, length, StandardCharsets.US_ASCII);
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IOException("not a RESP2 integer: '" + s + "'");
        }
    }

    private void writeDecimal(int n) throws IOException {
        out.write(Integer.toString(n).getBytes(StandardCharsets.US_ASCII));
        out.write('\r');
        out.write('\n');
    }

    /** Closes the socket; a read blocked on it in another thread ends with an exception. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing: nothing left to do with it
        }
    }

    /** An error reply from the server, e.g. {@code NOSCRIPT ...} or {@code WRONGPASS ...}: the connection stays usable. */
    static final class ErrorReply extends IOException {
        private static final long serialVersionUID = 1L;

        ErrorReply(String message) {
            super(message, null);
        }

        /** Whether the reply starts with this error code, e.g. {@code NOSCRIPT}. */
        boolean is(String code) {
            String m = getMessage();
            return m.startsWith(code) && (m.length() == code.length() || m.charAt(code.length()) == ' ');
        }
    }
}
