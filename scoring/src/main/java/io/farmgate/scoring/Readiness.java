package io.farmgate.scoring;

/**
 * Whether an edge (gateway or DNS) is ready to answer from its snapshot: the one rule both
 * {@code /readyz} endpoints use. {@code starting} before the first data (503); {@code ready};
 * {@code stale} when the last refresh failed or the data is older than the fresh bound. Stale is
 * still 200 (the edge keeps answering from it: fail static) until the data is {@code maxStaleMillis}
 * old, then 503 so a load balancer can prefer an edge that still sees the registry.
 *
 * @param httpStatus    what {@code /readyz} answers
 * @param status        {@code starting}, {@code ready} or {@code stale}
 * @param ageMillis     age of the snapshot's data; 0 before any
 * @param eligibleHosts hosts taking new clients in it
 * @param knownHosts    hosts in it
 */
public record Readiness(int httpStatus, String status, long ageMillis, int eligibleHosts, int knownHosts) {

    /** The fresh bound of an edge that has no setting for it (DNS): data older than this reads stale. */
    public static final long DEFAULT_FRESH_MILLIS = 5_000;

    /**
     * @param freshMillis    data older than this is stale; &gt; 0
     * @param maxStaleMillis stale data this old or older is not ready; &gt; {@code freshMillis}
     */
    public static Readiness of(FarmSnapshot snapshot, long nowMillis, long freshMillis, long maxStaleMillis) {
        if (freshMillis <= 0) {
            throw new IllegalArgumentException("freshMillis: " + freshMillis + " (expected: > 0)");
        }
        if (maxStaleMillis <= freshMillis) {
            throw new IllegalArgumentException("maxStaleMillis: " + maxStaleMillis + " (expected: > freshMillis, "
                    + freshMillis + ")");
        }
        int eligible = snapshot.eligibleCount();
        int known = snapshot.hosts().size();
        if (!snapshot.hasData()) {
            return new Readiness(503, "starting", 0L, eligible, known);
        }
        long age = snapshot.ageMillis(nowMillis);
        if (!snapshot.stale() && age <= freshMillis) {
            return new Readiness(200, "ready", age, eligible, known);
        }
        return new Readiness(age < maxStaleMillis ? 200 : 503, "stale", age, eligible, known);
    }

    public boolean ready() {
        return httpStatus == 200;
    }
}
