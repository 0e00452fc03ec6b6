package io.farmgate.client;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** Remembers every listener call, for assertions. */
final class RecordingListener implements ClientListener {

    final List<Assignment> assigned = new CopyOnWriteArrayList<>();
    final List<Assignment> connected = new CopyOnWriteArrayList<>();
    final List<InboundMessage> messages = new CopyOnWriteArrayList<>();
    final List<Integer> disconnectCodes = new CopyOnWriteArrayList<>();
    final List<Long> retryDelays = new CopyOnWriteArrayList<>();
    final List<String> retryReasons = new CopyOnWriteArrayList<>();
    final List<String> failures = new CopyOnWriteArrayList<>();
    final List<URI> failedOverFrom = new CopyOnWriteArrayList<>();

    @Override
    public void onGatewayFailover(URI from, URI to, String why) {
        failedOverFrom.add(from);
    }

    @Override
    public void onAssigned(Assignment assignment, long latencyNanos) {
        assigned.add(assignment);
    }

    @Override
    public void onConnected(Assignment assignment) {
        connected.add(assignment);
    }

    @Override
    public void onMessage(InboundMessage message) {
        messages.add(message);
    }

    @Override
    public void onDisconnected(int code, String reason, Optional<ReconnectCause> cause) {
        disconnectCodes.add(code);
    }

    @Override
    public void onRetryScheduled(long delayMillis, String why) {
        retryDelays.add(delayMillis);
        retryReasons.add(why);
    }

    @Override
    public void onFailed(String reason) {
        failures.add(reason);
    }

    List<String> connectedHosts() {
        return connected.stream().map(Assignment::hostId).toList();
    }

    long timesReceived(String id) {
        return messages.stream().filter(m -> id.equals(m.id())).count();
    }
}
