package io.farmgate.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 connection to a gateway (or any server) that asks for {@code GET path} and reads
 * the status and {@code Location} of the answer, over blocking sockets: a cheap client for the
 * load drivers, which must not spend more CPU per request than the server they measure.
 * Keep-alive unless the server or {@code closeAfterEach} says otherwise.
 */
final class RedirectConnection implements AutoCloseable {

    /** Status and Location of one answer (Location null when absent). */
    record Answer(int status, String location) {
    }

    private static final int MAX_HEAD_BYTES = 16 * 1024;

    private final InetSocketAddress address;
    private final int timeoutMillis;
    private final boolean closeAfterEach;
    private final byte[] head = new byte[MAX_HEAD_BYTES];
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    RedirectConnection(InetSocketAddress address, int timeoutMillis, boolean closeAfterEach) {
        this.address = address;
        this.timeoutMillis = timeoutMillis;
        this.closeAfterEach = closeAfterEach;
    }

    /** Sends one GET and reads its answer; on any I/O error the connection is dropped and the error thrown. */
    Answer get(String pathAndQuery) throws IOException {
        try {
            if (socket == null) {
                socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(timeoutMillis);
                socket.connect(address, timeoutMillis);
                in = new BufferedInputStream(socket.getInputStream(), 4096);
                out = socket.getOutputStream();
            }
            String request = "GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + address.getHostString() + ":"
                    + address.getPort() + "\r\n" + (closeAfterEach ? "Connection: close\r\n" : "") + "\r\n";
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Answer answer = readAnswer();
            if (closeAfterEach) {
                close();
            }
            return answer;
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private Answer readAnswer() throws IOException {
        int n = 0;
        while (n < 4 || !(head[n - 4] == '\r' && head[n - 3] == '\n' && head[n - 2] == '\r' && head[n - 1] == '\n')) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after " + n + " bytes of the answer");
            }
            if (n == head.length) {
                throw new IOException("answer head over " + head.length + " bytes");
            }
            head[n++] = (byte) b;
        }
        String[] lines = new String(head, 0, n - 4, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP answer: " + lines[0]);
        }
        int status = Integer.parseInt(statusLine[1]);
        String location = null;
        long contentLength = 0;
        boolean serverCloses = false;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim();
            switch (name) {
                case "location" -> location = value;
                case "content-length" -> contentLength = Long.parseLong(value);
                case "connection" -> serverCloses = value.equalsIgnoreCase("close");
                default -> { }
            }
        }
        for (long skipped = 0; skipped < contentLength; skipped++) {
            if (in.read() < 0) {
                throw new IOException("connection closed inside the body");
            }
        }
        if (serverCloses) {
            close();
        }
        return new Answer(status, location);
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // Nothing to do: the socket is gone either way.
            }
            socket = null;
        }
    }
}
