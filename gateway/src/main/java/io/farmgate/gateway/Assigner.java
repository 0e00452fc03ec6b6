package io.farmgate.gateway;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostView;
import io.farmgate.scoring.KeyHash;
import io.farmgate.scoring.pick.BoundedLoadRendezvousPicker;
import io.farmgate.scoring.pick.Picker;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the host for one new client from the in-memory snapshot (never the registry) and counts
 * the assignment, so the next picks see this client before the host's next heartbeat does.
 */
final class Assigner {

    private static final Logger LOG = LoggerFactory.getLogger(Assigner.class);

    private final Supplier<FarmSnapshot> snapshots;
    private final Picker keyless;
    private final Picker keyed;
    private final GatewayMetrics metrics;

    Assigner(Supplier<FarmSnapshot> snapshots, Picker keyless, double affinityEpsilon, GatewayMetrics metrics) {
        this.snapshots = snapshots;
        this.keyless = keyless;
        this.keyed = new BoundedLoadRendezvousPicker(affinityEpsilon, keyless);
        this.metrics = metrics;
    }

    /** A host and where to send the client. */
    record Assignment(HostView host, HostUrl url) {
        String hostId() {
            return host.id();
        }
    }

    /**
     * The host for a new client, or null when no host is eligible.
     *
     * @param clientKey affinity key, or null for none
     */
    Assignment assign(String clientKey) {
        FarmSnapshot snapshot = snapshots.get();
        int i = pick(snapshot, clientKey, j -> HostUrl.of(snapshot.eligible(j).report().url()).isPresent());
        if (i == Picker.NO_HOST) {
            return null;
        }
        HostView host = snapshot.eligible(i);
        return new Assignment(host, HostUrl.of(host.report().url()).orElseThrow());
    }

    /** The snapshot picks are made from now. */
    FarmSnapshot snapshot() {
        return snapshots.get();
    }

    /**
     * Picks the host for a new client from {@code snapshot} and counts the assignment.
     *
     * @param clientKey affinity key, or null for none
     * @param usable    whether a host's URL may be sent to a client; a pick of one that may not is refused
     * @return the index among the snapshot's eligible hosts, or {@link Picker#NO_HOST}
     */
    int pick(FarmSnapshot snapshot, CharSequence clientKey, IntPredicate usable) {
        long keyHash = clientKey == null ? 0L : KeyHash.of(clientKey);
        int i = clientKey == null ? keyless.pick(snapshot) : keyed.pick(snapshot, keyHash);
        if (i == Picker.NO_HOST) {
            metrics.noHost();
            return Picker.NO_HOST;
        }
        if (!usable.test(i)) {
            // Unreachable: the snapshot makes hosts with unusable URLs ineligible (AdvertisedUrl). Kept as a guard.
            metrics.badHostUrl();
            LOG.warn("host {} advertises an unusable url; answering 503", snapshot.eligible(i).id());
            return Picker.NO_HOST;
        }
        snapshot.recordAssignment(i, 1);
        metrics.picked(snapshot.eligible(i).id());
        if (clientKey != null) {
            metrics.keyedPick(keyHash);
        }
        return i;
    }
}
