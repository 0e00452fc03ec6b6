package io.farmgate.dns;

import static io.farmgate.dns.Farms.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** TCP: RFC 7766 framing, several queries per connection, idle timeout, connection cap. */
class TcpTransportTest {

    private static byte[] query(int id, String name, int type) {
        Message q = Message.newQuery(Record.newRecord(RunningServer.name(name), type, DClass.IN));
        q.getHeader().setID(id);
        return q.toWire();
    }

    @Test
    void severalPipelinedQueriesOnOneConnectionAreAnsweredInOrder() throws IOException {
        try (RunningServer s = RunningServer.start(snapshot(Farms.ipv4Hosts(3)));
             RawDns raw = new RawDns(s.port());
             Socket socket = raw.connectTcp()) {
            OutputStream out = socket.getOutputStream();
            out.write(RawDns.frame(query(1, "h1." + RunningServer.ZONE, Type.A)));
            out.write(RawDns.frame(query(2, "h2." + RunningServer.ZONE, Type.A)));
            out.write(RawDns.frame(query(3, "nosuch." + RunningServer.ZONE, Type.A)));
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());

            Message first = new Message(RawDns.readFrame(in));
            Message second = new Message(RawDns.readFrame(in));
            Message third = new Message(RawDns.readFrame(in));

            assertThat(first.getHeader().getID()).isEqualTo(1);
            assertThat(first.getSection(Section.ANSWER).get(0).rdataToString()).isEqualTo("10.0.0.1");
            assertThat(second.getHeader().getID()).isEqualTo(2);
            assertThat(second.getSection(Section.ANSWER).get(0).rdataToString()).isEqualTo("10.0.0.2");
            assertThat(third.getHeader().getID()).isEqualTo(3);
            assertThat(third.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        }
    }

    @Test
    void idleConnectionIsClosedByTheServer() throws IOException {
        try (RunningServer s = RunningServer.start(RunningServer.config().tcpIdleTimeoutMillis(200).build(),
                snapshot(Farms.ipv4Hosts(1)));
             RawDns raw = new RawDns(s.port());
             Socket socket = raw.connectTcp()) {
            // read() blocks until the server closes (returns -1) or the 5 s guard fails the test
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void connectionStaysOpenBetweenQueriesWithinTheIdleTimeout() throws IOException {
        try (RunningServer s = RunningServer.start(snapshot(Farms.ipv4Hosts(1)));
             RawDns raw = new RawDns(s.port());
             Socket socket = raw.connectTcp()) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            RawDns.writeFrame(socket.getOutputStream(), query(7, RunningServer.ZONE, Type.SOA));
            RawDns.readFrame(in);
            RawDns.writeFrame(socket.getOutputStream(), query(8, RunningServer.ZONE, Type.SOA));

            assertThat(new Message(RawDns.readFrame(in)).getHeader().getID()).isEqualTo(8);
        }
    }

    @Test
    void connectionsBeyondTheCapAreClosedAtOnceAndCounted() throws IOException {
        try (RunningServer s = RunningServer.start(RunningServer.config().tcpMaxConnections(2).build(),
                snapshot(Farms.ipv4Hosts(1)));
             RawDns raw = new RawDns(s.port());
             Socket a = raw.connectTcp();
             Socket b = raw.connectTcp()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> s.server.stats().tcpOpen() == 2);

            try (Socket c = raw.connectTcp()) {
                assertThat(c.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(s.server.stats().tcpRejected()).isEqualTo(1);
            for (Socket held : new Socket[] {a, b}) {
                RawDns.writeFrame(held.getOutputStream(), query(9, RunningServer.ZONE, Type.SOA));
                assertThat(new Message(RawDns.readFrame(new DataInputStream(held.getInputStream()))).getRcode())
                        .isEqualTo(Rcode.NOERROR);
            }
        }
    }

    @Test
    void closedConnectionsFreeTheirSlots() throws IOException {
        try (RunningServer s = RunningServer.start(RunningServer.config().tcpMaxConnections(1).build(),
                snapshot(Farms.ipv4Hosts(1)));
             RawDns raw = new RawDns(s.port())) {
            raw.exchangeTcp(query(1, RunningServer.ZONE, Type.SOA));
            await().atMost(Duration.ofSeconds(5)).until(() -> s.server.stats().tcpOpen() == 0);

            byte[] reply = raw.exchangeTcp(query(2, RunningServer.ZONE, Type.SOA));

            assertThat(new Message(reply).getHeader().getID()).isEqualTo(2);
            assertThat(s.server.stats().tcpRejected()).isZero();
        }
    }

    @Test
    void malformedFrameGetsFormerrAndTheConnectionGoesOn() throws IOException {
        try (RunningServer s = RunningServer.start(snapshot(Farms.ipv4Hosts(1)));
             RawDns raw = new RawDns(s.port());
             Socket socket = raw.connectTcp()) {
            byte[] garbage = {0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xC0, 0x7F, 0, 1};
            DataInputStream in = new DataInputStream(socket.getInputStream());
            RawDns.writeFrame(socket.getOutputStream(), garbage);
            Message formerr = new Message(RawDns.readFrame(in));
            RawDns.writeFrame(socket.getOutputStream(), query(5, RunningServer.ZONE, Type.SOA));

            assertThat(formerr.getHeader().getID()).isEqualTo(0x1234);
            assertThat(formerr.getRcode()).isEqualTo(Rcode.FORMERR);
            assertThat(new Message(RawDns.readFrame(in)).getHeader().getID()).isEqualTo(5);
        }
    }

    @Test
    void frameTooShortForAHeaderClosesTheConnection() throws IOException {
        try (RunningServer s = RunningServer.start(snapshot(Farms.ipv4Hosts(1)));
             RawDns raw = new RawDns(s.port());
             Socket socket = raw.connectTcp()) {
            RawDns.writeFrame(socket.getOutputStream(), new byte[] {1, 2, 3});

            assertThat(socket.getInputStream().read()).isEqualTo(-1);
            assertThat(s.server.stats().malformed()).isEqualTo(1);
        }
    }
}
