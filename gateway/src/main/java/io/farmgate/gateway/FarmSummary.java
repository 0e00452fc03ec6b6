package io.farmgate.gateway;

import io.farmgate.scoring.Eligibility;
import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostView;

/**
 * Farm totals and the size the farm should have, for {@code GET /v1/farm}, the dashboard and an
 * external autoscaler. Only fresh heartbeats count: a stale host's figures may be long gone.
 *
 * @param hosts             hosts in the snapshot
 * @param activeHosts       fresh, not draining
 * @param drainingHosts     fresh and draining
 * @param staleHosts        heartbeat not moving
 * @param eligibleHosts     taking new clients
 * @param connections       total over fresh hosts, draining ones included (their clients need a home)
 * @param capacity          total over fresh active hosts
 * @param utilisation       connections / capacity; 0 without capacity
 * @param targetUtilisation the share of capacity a host should run at
 * @param desiredHosts      {@code ceil(connections / (capacity per active host x targetUtilisation))},
 *                          at least 1 while any host is known, 0 otherwise
 */
record FarmSummary(int hosts, int activeHosts, int drainingHosts, int staleHosts, int eligibleHosts,
                   long connections, long capacity, double utilisation, double targetUtilisation, int desiredHosts) {

    static FarmSummary of(FarmSnapshot s, double targetUtilisation) {
        int active = 0;
        int draining = 0;
        int stale = 0;
        long connections = 0;
        long capacity = 0;
        long freshCapacity = 0;
        int fresh = 0;
        for (HostView h : s.hosts()) {
            if (h.eligibility() == Eligibility.STALE) {
                stale++;
                continue;
            }
            fresh++;
            connections += h.report().connections();
            freshCapacity += h.report().capacity();
            if (h.draining()) {
                draining++;
            } else {
                active++;
                capacity += h.report().capacity();
            }
        }
        // Per-host capacity from the active hosts; when all are draining, from whatever is fresh.
        double perHost = active > 0 ? (double) capacity / active : fresh > 0 ? (double) freshCapacity / fresh : 0.0;
        int desired;
        if (s.hosts().isEmpty()) {
            desired = 0;
        } else if (perHost <= 0.0) {
            desired = s.hosts().size();
        } else {
            desired = (int) Math.max(1L, (long) Math.ceil(connections / (perHost * targetUtilisation) - 1e-9));
        }
        double utilisation = capacity == 0 ? 0.0 : (double) connections / capacity;
        return new FarmSummary(s.hosts().size(), active, draining, stale, s.eligibleCount(), connections, capacity,
                utilisation, targetUtilisation, desired);
    }
}
