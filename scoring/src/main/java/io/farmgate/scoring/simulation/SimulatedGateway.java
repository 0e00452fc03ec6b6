package io.farmgate.scoring.simulation;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.OperatorState;
import io.farmgate.scoring.SnapshotPolicy;
import io.farmgate.scoring.pick.Picker;
import io.farmgate.scoring.pick.PickerKind;
import io.farmgate.scoring.pick.TwoChoicePicker;
import io.farmgate.scoring.pick.ZoneAwarePicker;
import io.farmgate.scoring.pick.ZonePolicy;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One gateway of the simulated farm: its own snapshot chain (and therefore its own assignment
 * ledger) and its own picker, as separate processes would have; zone-aware when it has a zone.
 */
final class SimulatedGateway {

    private final Picker picker;
    private FarmSnapshot snapshot;
    /** Snapshot index of an eligible host to its farm slot, rebuilt with every snapshot. */
    private int[] slotOfIndex = new int[0];

    SimulatedGateway(PickerKind kind, SplittableRandom random, SnapshotPolicy policy, ZonePolicy zone) {
        Picker whole = kind.create(random);
        this.picker = zone == null ? whole : new ZoneAwarePicker(zone, new TwoChoicePicker(random.split()), whole);
        this.snapshot = FarmSnapshot.initial(policy);
    }

    /** Rebuilds the snapshot from the registry's reports and operator states, as the background refresh does. */
    void refresh(List<HostReport> reports, Map<String, OperatorState> operators, long nowMillis, SimulatedHosts hosts) {
        snapshot = snapshot.next(reports, operators, nowMillis);
        int n = snapshot.eligibleCount();
        if (slotOfIndex.length < n) {
            slotOfIndex = Arrays.copyOf(slotOfIndex, Math.max(n, slotOfIndex.length * 2));
        }
        for (int i = 0; i < n; i++) {
            slotOfIndex[i] = hosts.slotOf(snapshot.eligible(i).id());
        }
    }

    /** Picks a host for one new client and records the assignment; the farm slot, or -1 when none is eligible. */
    int pick(long clientKeyHash) {
        int i = picker.pick(snapshot, clientKeyHash);
        if (i == Picker.NO_HOST) {
            return -1;
        }
        snapshot.recordAssignment(i, 1);
        return slotOfIndex[i];
    }
}
