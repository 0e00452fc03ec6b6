package io.farmgate.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Sends bytes no well-behaved client would and reads the response head, on a plain socket. */
final class RawHttp {

    /** A response's status and headers (lower-cased names; the last value of a repeated header). */
    record Head(int status, Map<String, String> headers, String raw) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private RawHttp() {
    }

    static Head exchange(int port, byte[] request) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            try {
                out.write(request);
                out.flush();
            } catch (IOException e) {
                // The server may answer and close before reading everything we send; read what it said.
            }
            return readHead(s.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Head exchange(int port, String request) {
        return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1));
    }

    static Head readHead(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int state = 0;
        try {
            while (buf.size() < 65_536) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                buf.write(b);
                // Stop at the blank line that ends the head.
                state = (b == '\r' && (state == 0 || state == 2)) ? state + 1
                        : (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
                if (state == 4) {
                    break;
                }
            }
        } catch (SocketTimeoutException e) {
            // fall through with what arrived
        }
        String raw = buf.toString(StandardCharsets.ISO_8859_1);
        String[] lines = raw.split("\r\n");
        if (lines.length == 0 || !lines[0].startsWith("HTTP/1.1 ")) {
            return new Head(-1, Map.of(), raw);
        }
        int status = Integer.parseInt(lines[0].substring(9, 12));
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        return new Head(status, headers, raw);
    }
}
