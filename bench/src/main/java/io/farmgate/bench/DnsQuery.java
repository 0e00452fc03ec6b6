package io.farmgate.bench;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A minimal UDP DNS client for the soak driver: asks {@code name A} (no recursion) and checks that
 * the answer matches the query's id, says NOERROR and holds at least one record. Hand-built packets
 * keep the driver's CPU per query far below the server's.
 */
final class DnsQuery implements AutoCloseable {

    private final DatagramSocket socket;
    private final InetSocketAddress server;
    private final byte[] query;
    private final byte[] answer = new byte[4096];
    private int nextId;

    DnsQuery(InetSocketAddress server, String name, int timeoutMillis) throws IOException {
        this.server = server;
        this.socket = new DatagramSocket();
        socket.setSoTimeout(timeoutMillis);
        this.query = packet(name);
    }

    private static byte[] packet(String name) {
        byte[] labels = new byte[name.length() + 2];
        int at = 0;
        for (String label : name.split("\\.")) {
            byte[] b = label.getBytes(StandardCharsets.US_ASCII);
            labels[at++] = (byte) b.length;
            System.arraycopy(b, 0, labels, at, b.length);
            at += b.length;
        }
        labels[at++] = 0;
        byte[] p = new byte[12 + at + 4];
        p[5] = 1; // QDCOUNT = 1; flags 0: a query, no recursion desired
        System.arraycopy(labels, 0, p, 12, at);
        p[12 + at + 1] = 1; // QTYPE A
        p[12 + at + 3] = 1; // QCLASS IN
        return p;
    }

    /** Null when the answer is good, else what was wrong with it. */
    String ask() throws IOException {
        int id = nextId++ & 0xFFFF;
        query[0] = (byte) (id >> 8);
        query[1] = (byte) id;
        socket.send(new DatagramPacket(query, query.length, server));
        DatagramPacket in = new DatagramPacket(answer, answer.length);
        while (true) {
            try {
                socket.receive(in);
            } catch (SocketTimeoutException e) {
                return "timeout";
            }
            int gotId = ((answer[0] & 0xFF) << 8) | (answer[1] & 0xFF);
            if (in.getLength() >= 12 && gotId == id) {
                break;
            }
            // A late answer to an earlier (timed-out) query: skip it.
        }
        int rcode = answer[3] & 0x0F;
        int answers = ((answer[6] & 0xFF) << 8) | (answer[7] & 0xFF);
        if (rcode != 0) {
            return "rcode " + rcode;
        }
        return answers == 0 ? "no answer" : null;
    }

    @Override
    public void close() {
        socket.close();
    }
}
