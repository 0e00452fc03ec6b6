package io.farmgate.gateway;

import io.farmgate.scoring.FarmSnapshot;

/**
 * What {@code /readyz} says of the snapshot: {@code starting} before the first data (503),
 * {@code ready}, or {@code stale} when the last refresh failed or the data is older than the fresh
 * bound. Stale is still 200 — the gateway keeps redirecting from it (fail static) — until the data
 * passes the hard bound, then 503 so a load balancer can prefer a gateway that still sees Redis.
 *
 * @param httpStatus    what {@code /readyz} answers
 * @param status        {@code starting}, {@code ready} or {@code stale}
 * @param ageMillis     age of the snapshot's data
 * @param eligibleHosts hosts taking new clients in it
 * @param knownHosts    hosts in it
 */
record Readiness(int httpStatus, String status, long ageMillis, int eligibleHosts, int knownHosts) {

    static Readiness of(FarmSnapshot snapshot, long nowMillis, long freshMillis, long maxStaleMillis) {
        int eligible = snapshot.eligibleCount();
        int known = snapshot.hosts().size();
        if (snapshot.builtAtMillis() == 0L) {
            return new Readiness(503, "starting", 0L, eligible, known);
        }
        long age = snapshot.ageMillis(nowMillis);
        boolean stale = snapshot.stale() || age > freshMillis;
        if (!stale) {
            return new Readiness(200, "ready", age, eligible, known);
        }
        return new Readiness(age < maxStaleMillis ? 200 : 503, "stale", age, eligible, known);
    }
}
