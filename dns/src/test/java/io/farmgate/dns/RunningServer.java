package io.farmgate.dns;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.pick.TwoChoicePicker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;

/** A started {@link DnsServer} on a free loopback port with a farm the test swaps at will. */
final class RunningServer implements AutoCloseable {

    static final String ZONE = "farm.example.com";

    final AtomicReference<FarmSnapshot> farm;
    final DnsServer server;

    private RunningServer(AtomicReference<FarmSnapshot> farm, DnsServer server) {
        this.farm = farm;
        this.server = server;
    }

    /** The config tests start from: loopback, port 0, two UDP threads, RRL off. */
    static DnsConfig.Builder config() {
        return DnsConfig.builder(ZONE).listenHost("127.0.0.1").port(0).udpThreads(2)
                .rateLimit(DnsConfig.RateLimit.OFF);
    }

    static RunningServer start(FarmSnapshot initial) {
        return start(config().build(), initial, Clock.systemUTC());
    }

    static RunningServer start(DnsConfig config, FarmSnapshot initial) {
        return start(config, initial, Clock.systemUTC());
    }

    static RunningServer start(DnsConfig config, FarmSnapshot initial, Clock clock) {
        return start(config, initial, clock, true);
    }

    /** With {@code udpFastPath} false, every UDP query takes the general (dnsjava) path. */
    static RunningServer start(DnsConfig config, FarmSnapshot initial, Clock clock, boolean udpFastPath) {
        AtomicReference<FarmSnapshot> farm = new AtomicReference<>(initial);
        DnsServer server = new DnsServer(config, farm::get, new TwoChoicePicker(new SplittableRandom(42)), clock,
                udpFastPath);
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new RunningServer(farm, server);
    }

    int port() {
        return server.port();
    }

    /** A resolver for this server; truncated UDP answers are returned as they are, not retried. */
    SimpleResolver resolver(QueryResponder.Transport transport) {
        SimpleResolver r = new SimpleResolver(InetAddress.getLoopbackAddress());
        r.setPort(port());
        r.setTCP(transport == QueryResponder.Transport.TCP);
        r.setTimeout(Duration.ofSeconds(5));
        r.setIgnoreTruncation(true);
        return r;
    }

    Message query(String name, int type, QueryResponder.Transport transport) {
        return send(Message.newQuery(Record.newRecord(name(name), type, DClass.IN)), transport);
    }

    Message send(Message query, QueryResponder.Transport transport) {
        try {
            return resolver(transport).send(query);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Name name(String name) {
        return Name.fromConstantString(name.endsWith(".") ? name : name + ".");
    }

    @Override
    public void close() {
        server.close();
    }
}
