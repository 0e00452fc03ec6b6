package io.farmgate.cli;

import io.farmgate.registry.RegistryReading;
import io.farmgate.registry.RegistryReading.SkippedRecord;
import io.farmgate.scoring.Eligibility;
import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostState;
import io.farmgate.scoring.HostView;
import io.farmgate.scoring.OperatorState;
import io.farmgate.scoring.SnapshotPolicy;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code farmgate check} concludes from two readings of the registry taken a watch period
 * apart: each host's state, sequence movement and clock skew, the records a gateway would skip,
 * the leader, and the problems that make the farm untrustworthy (docs/operations.md lists them).
 * Pure: every time comes from the readings, so it is tested on a fake clock.
 *
 * @param watchMillis how far apart the two readings were started
 * @param hosts       every host of the second reading, by id
 * @param gone        hosts of the first reading whose heartbeat expired before the second
 * @param expired     members of the host set whose heartbeat had already expired (a gateway ignores them)
 * @param skipped     records a gateway skips, from either reading
 * @param leader      the leader lease holder, if any
 * @param problems    one line each; none means healthy
 */
record FarmCheck(long watchMillis, List<HostStatus> hosts, List<String> gone, List<String> expired,
                 List<SkippedRecord> skipped, Optional<String> leader, List<String> problems) {

    /**
     * One host as checked.
     *
     * @param sequenceBefore    its sequence in the first reading; -1 when it was not there yet
     * @param reportedAgeMillis the second reading's time minus the report's own timestamp (agent clock)
     * @param skewLowMillis     least the agent's clock can be ahead of this machine's (negative: behind);
     *                          null when its sequence did not move, so its write time is unknown
     * @param skewHighMillis    most the agent's clock can be ahead; null likewise
     */
    record HostStatus(HostReport report, OperatorState operator, Eligibility eligibility, long sequenceBefore,
                      long reportedAgeMillis, Long skewLowMillis, Long skewHighMillis) {

        String id() {
            return report.hostId();
        }

        boolean seenTwice() {
            return sequenceBefore >= 0;
        }

        boolean moved() {
            return seenTwice() && sequenceBefore != report.sequence();
        }

        boolean draining() {
            return report.state() == HostState.DRAINING || operator.draining();
        }
    }

    FarmCheck {
        hosts = List.copyOf(hosts);
        gone = List.copyOf(gone);
        expired = List.copyOf(expired);
        skipped = List.copyOf(skipped);
        problems = List.copyOf(problems);
    }

    boolean healthy() {
        return problems.isEmpty();
    }

    /**
     * Judges {@code second} against {@code first}, which must have been read earlier.
     *
     * @param policy        how a gateway judges hosts (stale bound, score formula)
     * @param maxSkewMillis the clock skew between an agent and this machine above which it is a problem
     */
    static FarmCheck judge(String farm, RegistryReading first, RegistryReading second, SnapshotPolicy policy,
                           long maxSkewMillis) {
        long watch = second.readAtMillis() - first.readAtMillis();
        if (watch <= 0) {
            throw new IllegalArgumentException("second reading at " + second.readAtMillis()
                    + " (expected: after the first, at " + first.readAtMillis() + ")");
        }
        List<String> problems = new ArrayList<>();
        if (!second.schemaKnown()) {
            problems.add("farm " + farm + " has key layout version '" + second.schemaVersion()
                    + "', which this farmgate cannot read: upgrade it (a gateway this old reads nothing from this farm)");
            return new FarmCheck(watch, List.of(), List.of(), List.of(), List.of(), second.leader(), problems);
        }
        Map<String, HostReport> before = new HashMap<>();
        first.hosts().forEach(r -> before.put(r.hostId(), r));
        FarmSnapshot snapshot = FarmSnapshot.initial(policy).next(first.hosts(), first.operators(), first.readAtMillis())
                .next(second.hosts(), second.operators(), second.readAtMillis());

        List<HostStatus> hosts = new ArrayList<>();
        for (HostView view : snapshot.hosts()) {
            HostReport r = view.report();
            HostReport earlier = before.get(r.hostId());
            long sequenceBefore = earlier == null ? -1 : earlier.sequence();
            Long low = null;
            Long high = null;
            if (earlier != null && earlier.sequence() != r.sequence()) {
                // Written after the first reading started and before the second: the skew lies between.
                low = r.reportedAtMillis() - second.readAtMillis();
                high = r.reportedAtMillis() - first.readAtMillis();
            }
            HostStatus status = new HostStatus(r, view.operator(), view.eligibility(), sequenceBefore,
                    second.readAtMillis() - r.reportedAtMillis(), low, high);
            hosts.add(status);
            if (status.seenTwice() && !status.moved()) {
                problems.add("host " + r.hostId() + ": heartbeat sequence stayed at " + r.sequence() + " for " + watch
                        + " ms (its agent is stuck or stopped, or --watch-millis is shorter than its heartbeat interval)");
            }
            if (low != null && low > maxSkewMillis) {
                problems.add("host " + r.hostId() + ": clock at least " + low + " ms ahead of this machine's"
                        + " (--max-skew-millis " + maxSkewMillis + ")");
            } else if (high != null && high < -maxSkewMillis) {
                problems.add("host " + r.hostId() + ": clock at least " + -high + " ms behind this machine's"
                        + " (--max-skew-millis " + maxSkewMillis + ")");
            }
        }
        List<String> gone = new ArrayList<>();
        for (HostReport r : first.hosts()) {
            if (snapshot.host(r.hostId()) == null) {
                gone.add(r.hostId());
                problems.add("host " + r.hostId() + ": heartbeat expired during the check");
            }
        }
        Map<String, SkippedRecord> skipped = new LinkedHashMap<>();
        for (SkippedRecord s : first.skipped()) {
            skipped.put(s.where(), s);
        }
        for (SkippedRecord s : second.skipped()) {
            skipped.put(s.where(), s);
        }
        for (SkippedRecord s : skipped.values()) {
            problems.add("record " + s.where() + " skipped" + (s.newerVersion() ? " (written by a newer farmgate)" : "")
                    + ": " + s.problem());
        }
        if (hosts.isEmpty()) {
            problems.add("no hosts: farm " + farm + " has no live heartbeat"
                    + (second.schemaVersion() == null ? " and no registry data (is --farm right? are the agents running?)" : ""));
        } else if (snapshot.eligibleCount() == 0) {
            Map<Eligibility, Integer> why = new EnumMap<>(Eligibility.class);
            hosts.forEach(h -> why.merge(h.eligibility(), 1, Integer::sum));
            problems.add("no eligible host: none of the " + hosts.size() + " hosts takes new clients " + why);
        }
        return new FarmCheck(watch, hosts, gone, second.expiredMembers(), List.copyOf(skipped.values()), second.leader(),
                problems);
    }
}
