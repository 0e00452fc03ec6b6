package io.farmgate.gateway;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.scoring.OperatorState;
import io.farmgate.scoring.SnapshotPolicy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * An in-memory farm for gateway tests: hosts report, operators decide, and {@link #refresh} builds
 * the next snapshot the way the registry's snapshot source does (every host heartbeats each time).
 */
final class TestFarm implements Supplier<FarmSnapshot>, HostControl {

    private final AtomicReference<FarmSnapshot> current;
    private final Map<String, HostReport> reports = new TreeMap<>();
    private final Map<String, OperatorState> operators = new HashMap<>();

    TestFarm(SnapshotPolicy policy) {
        this.current = new AtomicReference<>(FarmSnapshot.initial(policy));
    }

    TestFarm() {
        this(SnapshotPolicy.DEFAULT);
    }

    static HostReport report(String id, String url, int connections, int capacity) {
        return new HostReport(id, url, "127.0.0.1", "", connections, capacity, 0.0, HostState.ACTIVE, 1.0,
                System.currentTimeMillis(), 1);
    }

    synchronized TestFarm host(String id, String url, int connections, int capacity) {
        reports.put(id, report(id, url, connections, capacity));
        return this;
    }

    /** Sets a host's load as its next heartbeat would. */
    synchronized TestFarm load(String id, int connections) {
        HostReport r = reports.get(id);
        reports.put(id, r.next(connections, r.cpu(), System.currentTimeMillis()));
        return this;
    }

    synchronized TestFarm remove(String id) {
        reports.remove(id);
        return this;
    }

    /** The next snapshot: every host heartbeats, operator state as stored now. */
    synchronized FarmSnapshot refresh() {
        reports.replaceAll((id, r) -> r.next(r.connections(), r.cpu(), System.currentTimeMillis()));
        FarmSnapshot next = current.get().next(List.copyOf(reports.values()), Map.copyOf(operators),
                System.currentTimeMillis());
        current.set(next);
        return next;
    }

    void markStale() {
        current.set(current.get().markedStale());
    }

    synchronized OperatorState operator(String id) {
        return operators.getOrDefault(id, OperatorState.DEFAULT);
    }

    @Override
    public FarmSnapshot get() {
        return current.get();
    }

    @Override
    public synchronized void setDraining(String hostId, boolean draining) {
        operators.put(hostId, operator(hostId).withDraining(draining, System.currentTimeMillis()));
    }

    @Override
    public synchronized boolean hasStoredState(String hostId) {
        return operators.containsKey(hostId);
    }

    @Override
    public synchronized void setTargetConnections(String hostId, int targetConnections) {
        operators.put(hostId, operator(hostId).withTarget(targetConnections, System.currentTimeMillis()));
    }
}
