package io.farmgate.dns;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;

/** Raw packets to a server, for what a resolver library refuses to send (malformed input, zone transfers). */
final class RawDns implements AutoCloseable {

    /** Bounds every wait so a broken server fails a test instead of hanging it. */
    static final int WAIT_MILLIS = 5_000;

    private final DatagramSocket udp;
    private final int port;

    RawDns(int port) {
        this.port = port;
        try {
            this.udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            udp.setSoTimeout(WAIT_MILLIS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void sendUdp(byte[] packet) {
        try {
            udp.send(new DatagramPacket(packet, packet.length, InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next UDP datagram from the server. */
    byte[] receiveUdp() {
        byte[] buf = new byte[65_535];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            udp.receive(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Arrays.copyOf(buf, p.getLength());
    }

    byte[] exchangeUdp(byte[] packet) {
        sendUdp(packet);
        return receiveUdp();
    }

    /** One framed query on a fresh TCP connection and its framed reply. */
    byte[] exchangeTcp(byte[] packet) {
        try (Socket s = connectTcp()) {
            writeFrame(s.getOutputStream(), packet);
            return readFrame(new DataInputStream(s.getInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Socket connectTcp() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(WAIT_MILLIS);
        return s;
    }

    static void writeFrame(OutputStream out, byte[] packet) throws IOException {
        out.write(frame(packet));
        out.flush();
    }

    static byte[] frame(byte[] packet) {
        byte[] framed = new byte[packet.length + 2];
        framed[0] = (byte) (packet.length >>> 8);
        framed[1] = (byte) packet.length;
        System.arraycopy(packet, 0, framed, 2, packet.length);
        return framed;
    }

    static byte[] readFrame(DataInputStream in) throws IOException {
        int length = in.readUnsignedShort();
        byte[] reply = new byte[length];
        in.readFully(reply);
        return reply;
    }

    /** Lower-case hex of a packet, for failure messages that let a bad input be replayed. */
    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x & 0xFF));
        }
        return sb.toString();
    }

    @Override
    public void close() {
        udp.close();
    }
}
