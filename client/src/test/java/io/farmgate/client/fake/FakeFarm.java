package io.farmgate.client.fake;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** A fake gateway in front of fake backends sharing one chat room, all on 127.0.0.1; closes them all. */
public final class FakeFarm implements AutoCloseable {

    private final FakeChatRoom room = new FakeChatRoom();
    private final List<FakeBackend> backends = new ArrayList<>();
    private final FakeGateway gateway;

    /** Backends with these host ids, assigned round-robin in this order. */
    public FakeFarm(String... hostIds) {
        try {
            for (String hostId : hostIds) {
                backends.add(new FakeBackend(hostId, room));
            }
            gateway = new FakeGateway(backends);
        } catch (IOException | RuntimeException e) {
            backends.forEach(FakeBackend::close);
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    public FakeGateway gateway() {
        return gateway;
    }

    public FakeBackend backend(int index) {
        return backends.get(index);
    }

    public List<FakeBackend> backends() {
        return List.copyOf(backends);
    }

    public FakeChatRoom room() {
        return room;
    }

    /** Open WebSocket connections over all backends. */
    public int connections() {
        return backends.stream().mapToInt(FakeBackend::connections).sum();
    }

    @Override
    public void close() {
        gateway.close();
        backends.forEach(FakeBackend::close);
    }
}
