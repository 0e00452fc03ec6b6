package io.farmgate.gateway;

import io.farmgate.scoring.Readiness;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.HostReport;
import io.farmgate.scoring.HostView;
import io.farmgate.scoring.rebalance.ScaleDownChoice;
import io.farmgate.scoring.SlowStart;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator API on the admin listener. Every {@code /v1/} call needs the bearer token; a wrong
 * or missing one gets 401 before any handler runs, so it changes nothing, and an address that sent
 * too many wrong ones gets 429 until its window ends ({@link FailedLoginLimiter}). Writes go to the stored
 * operator state ({@link HostControl}); the gateway sees them at its next snapshot refresh.
 */
final class AdminApi {

    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
    /** Admin request bodies are a few bytes of JSON; larger ones get 413. */
    static final long MAX_BODY_BYTES = 16_384;

    /** Most hosts one scale-down may drain. */
    static final int MAX_SCALE_DOWN = 10_000;

    private final byte[] expectedAuthorization;
    private final Supplier<FarmSnapshot> snapshots;
    private final HostControl control;
    private final GatewayConfig config;
    private final GatewayMetrics metrics;
    private final Clock clock;
    private final ObjectMapper json;
    private final DrainWatch drainWatch;
    private final Rebalancer rebalancer;
    private final ClientAddress clientAddress;
    private final FailedLoginLimiter failedLogins;

    /** Most client addresses whose wrong logins are remembered at once. */
    static final int MAX_TRACKED_LOGIN_CLIENTS = 100_000;

    /** Most events one {@code GET /v1/events} returns. */
    static final int MAX_EVENTS = 1_000;
    private static final int DEFAULT_EVENTS = 100;

    AdminApi(GatewayConfig config, Supplier<FarmSnapshot> snapshots, HostControl control, GatewayMetrics metrics,
             Clock clock, ObjectMapper json, DrainWatch drainWatch, Rebalancer rebalancer,
             ClientAddress clientAddress) {
        this.clientAddress = clientAddress;
        this.failedLogins = new FailedLoginLimiter(config.adminMaxFailedLogins(),
                config.adminFailedLoginWindowMillis(), MAX_TRACKED_LOGIN_CLIENTS);
        this.drainWatch = drainWatch;
        this.rebalancer = rebalancer;
        this.expectedAuthorization = ("Bearer " + config.adminToken()).getBytes(StandardCharsets.UTF_8);
        this.snapshots = snapshots;
        this.control = control;
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
        this.json = json;
    }

    /** Thrown by the auth check; mapped to 401. */
    static final class Unauthorized extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unauthorized() {
            super("unauthorized", null, false, false);
        }
    }

    /** Thrown while the caller's address is locked out after too many wrong tokens; mapped to 429. */
    static final class LockedOut extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final long retryAfterSeconds;

        LockedOut(long retryAfterSeconds) {
            super("locked out", null, false, false);
            this.retryAfterSeconds = retryAfterSeconds;
        }
    }

    /** Thrown for bad requests; mapped to 4xx with the message. */
    static final class Rejected extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;

        Rejected(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    void routes(RoutesConfig routes) {
        routes.before("/v1/*", this::sameOrigin);
        routes.before("/v1/*", this::authorize);
        routes.before("/v1/*", AdminApi::bodyWithinLimit);
        routes.get("/v1/hosts", this::hosts);
        routes.get("/v1/farm", this::farm);
        routes.get("/v1/scale-down", ctx -> reply(ctx, 200, Map.of("hosts", drainWatch.latest())));
        routes.get("/v1/events", this::events);
        routes.post("/v1/hosts/{id}/drain", ctx -> drain(ctx, true));
        routes.post("/v1/hosts/{id}/undrain", ctx -> drain(ctx, false));
        routes.post("/v1/hosts/{id}/shed", this::shed);
        routes.post("/v1/scale-down", this::scaleDown);
        routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
        routes.get("/healthz", ctx -> ctx.contentType("text/plain").result("ok\n"));
        routes.get("/readyz", ctx -> Health.readyz(ctx, snapshots.get(), clock.millis(), config, json));
        routes.exception(Unauthorized.class, (e, ctx) -> {
            ctx.header("WWW-Authenticate", "Bearer realm=\"farmgate\"");
            reply(ctx, 401, Map.of("error", "missing or wrong bearer token"));
        });
        routes.exception(LockedOut.class, (e, ctx) -> {
            ctx.header("Retry-After", Long.toString(e.retryAfterSeconds));
            reply(ctx, 429, Map.of("error", "too many wrong tokens from this address; retry after "
                    + e.retryAfterSeconds + " s"));
        });
        routes.exception(Rejected.class, (e, ctx) -> reply(ctx, e.status, Map.of("error", e.getMessage())));
        routes.exception(Exception.class, (e, ctx) -> {
            // The registry is the usual cause; nothing was claimed, so the operator may retry.
            LOG.warn("admin {} {} failed", ctx.method(), ctx.path(), e);
            reply(ctx, 503, Map.of("error", "could not store the change: " + e.getClass().getSimpleName()));
        });
    }

    /**
     * Refuses a write whose {@code Origin} is another site's. The bearer header already keeps
     * cross-site forms out (they cannot send it); this also stops a page that somehow holds the
     * token from using it through a victim's browser. Either scheme matches, so the dashboard keeps
     * working behind a proxy that terminates TLS and forwards the {@code Host} header: another
     * site's page cannot carry our host name in its {@code Origin} under any scheme.
     */
    private void sameOrigin(Context ctx) {
        String method = ctx.method().name();
        if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) {
            return;
        }
        String origin = ctx.header("Origin");
        String host = ctx.header("Host");
        if (origin != null && (host == null
                || !origin.equalsIgnoreCase("http://" + host) && !origin.equalsIgnoreCase("https://" + host))) {
            throw new Rejected(403, "cross-origin request refused (Origin " + origin + ")");
        }
    }

    private void authorize(Context ctx) {
        String client = clientAddress.of(ctx.req().getRemoteAddr(), ctx.header("X-Forwarded-For"));
        long now = clock.millis();
        // A locked-out address is refused even with the right token, or a guess that hits would
        // stand out (200 among 429s) and guessing could go on at full speed.
        long lockedMillis = failedLogins.lockedForMillis(client, now);
        if (lockedMillis > 0) {
            metrics.lockedOut();
            throw new LockedOut((lockedMillis + 999) / 1000);
        }
        String presented = ctx.header("Authorization");
        if (presented == null) {
            throw new Unauthorized(); // not a guess: a scraper or page without the token
        }
        // Constant time in the token's content, so timing does not reveal how much of it was right.
        if (!MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), expectedAuthorization)) {
            metrics.failedLogin();
            if (failedLogins.failed(client, now)) {
                // Once per lock-out, so a guessing flood from many addresses cannot flood the log.
                LOG.warn("admin API: {} locked out for {} ms after {} wrong bearer tokens", client,
                        config.adminFailedLoginWindowMillis(), config.adminMaxFailedLogins());
            }
            throw new Unauthorized();
        }
    }

    private void hosts(Context ctx) {
        FarmSnapshot s = snapshots.get();
        long now = clock.millis();
        Map<String, Integer> eligibleIndex = new LinkedHashMap<>();
        for (int i = 0; i < s.eligibleCount(); i++) {
            eligibleIndex.put(s.eligible(i).id(), i);
        }
        List<Map<String, Object>> hosts = new ArrayList<>();
        for (HostView h : s.hosts()) {
            hosts.add(describe(s, h, eligibleIndex.get(h.id()), now));
        }
        Readiness r = Readiness.of(s, now, config.snapshotFreshMillis(), config.snapshotMaxStaleMillis());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("hosts", hosts);
        body.put("snapshot", Map.of("status", r.status(), "ageMillis", r.ageMillis()));
        reply(ctx, 200, body);
    }

    private void farm(Context ctx) {
        FarmSnapshot s = snapshots.get();
        FarmSummary summary = FarmSummary.of(s, config.targetUtilisation());
        Readiness r = Readiness.of(s, clock.millis(), config.snapshotFreshMillis(), config.snapshotMaxStaleMillis());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("hosts", summary.hosts());
        body.put("activeHosts", summary.activeHosts());
        body.put("drainingHosts", summary.drainingHosts());
        body.put("staleHosts", summary.staleHosts());
        body.put("eligibleHosts", summary.eligibleHosts());
        body.put("connections", summary.connections());
        body.put("capacity", summary.capacity());
        body.put("utilisation", summary.utilisation());
        body.put("targetUtilisation", summary.targetUtilisation());
        body.put("desiredHosts", summary.desiredHosts());
        body.put("scaleDown", drainWatch.latest());
        Map<String, Object> rebalance = new LinkedHashMap<>();
        rebalance.put("enabled", rebalancer != null);
        if (rebalancer != null) {
            rebalance.put("owner", rebalancer.config().ownerId());
            rebalance.put("leader", rebalancer.leader());
            var plan = rebalancer.lastPlan();
            rebalance.put("lastPlan", plan == null ? null : plan.summary());
        }
        body.put("rebalancer", rebalance);
        body.put("snapshot", Map.of("status", r.status(), "ageMillis", r.ageMillis()));
        reply(ctx, 200, body);
    }

    private void events(Context ctx) {
        int limit = DEFAULT_EVENTS;
        String given = ctx.queryParam("limit");
        if (given != null) {
            try {
                limit = Integer.parseInt(given);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_EVENTS) {
                throw new Rejected(400, "limit: '" + given + "' (expected: an integer in [1, " + MAX_EVENTS + "])");
            }
        }
        List<Map<String, Object>> list = new ArrayList<>();
        for (var e : control.latestEvents(limit)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", e.type().name().toLowerCase(Locale.ROOT));
            m.put("hostId", e.hostId());
            m.put("actor", e.actor());
            m.put("reason", e.reason());
            m.put("atMillis", e.atMillis());
            m.put("details", e.details());
            list.add(m);
        }
        reply(ctx, 200, Map.of("events", list));
    }

    private static Map<String, Object> describe(FarmSnapshot s, HostView h, Integer eligibleIndex, long now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", h.id());
        m.put("url", h.report().url());
        m.put("address", h.report().address());
        m.put("zone", h.report().zone());
        boolean draining = h.draining();
        m.put("state", draining ? "draining" : "active");
        m.put("eligibility", h.eligibility().name().toLowerCase(Locale.ROOT));
        m.put("eligible", h.eligibility().eligible());
        m.put("connections", h.report().connections());
        m.put("capacity", h.report().capacity());
        m.put("cpu", h.report().cpu());
        m.put("score", h.score());
        m.put("effectiveScore", eligibleIndex == null ? null : s.effectiveScore(eligibleIndex));
        m.put("pendingAssignments", eligibleIndex == null ? 0L : s.pendingAssignments(eligibleIndex));
        m.put("weight", h.effectiveWeight());
        m.put("targetConnections", h.operator().hasTarget() ? h.operator().targetConnections() : null);
        m.put("heartbeatAgeMillis", h.heartbeatAgeMillis(now));
        SlowStart ramp = s.policy().slowStart();
        double progress = ramp.windowMillis() == 0 ? 1.0
                : Math.min(1.0, Math.max(0.0, (double) (now - h.activeSinceMillis()) / ramp.windowMillis()));
        Map<String, Object> slowStart = new LinkedHashMap<>();
        slowStart.put("active", h.inSlowStart());
        slowStart.put("factor", h.slowStartFactor());
        slowStart.put("progress", h.eligibility().eligible() ? progress : 0.0);
        m.put("slowStart", slowStart);
        m.put("empty", draining && h.report().connections() == 0);
        return m;
    }

    /**
     * Refuses a body announced as too large before any of it is read: a client that asked
     * {@code Expect: 100-continue} then never sends it, so the connection closed after the 413 cannot
     * reset while the client is still writing (which would lose the answer). Bodies without a length are
     * bounded by the listener's {@code maxRequestSize}.
     */
    private static void bodyWithinLimit(Context ctx) {
        long length = ctx.contentLength();
        if (length > MAX_BODY_BYTES) {
            throw new Rejected(413, "body: " + length + " bytes (expected: at most " + MAX_BODY_BYTES + ")");
        }
    }

    private void drain(Context ctx, boolean draining) {
        noBodyOrAnObject(ctx);
        String id = ctx.pathParam("id");
        boolean known = snapshots.get().host(id) != null
                || !draining && HostReport.isValidHostId(id) && control.hasStoredState(id);
        if (!known) {
            throw new Rejected(404, "unknown host");
        }
        control.setDraining(id, draining);
        LOG.info("operator {} host {}", draining ? "drained" : "undrained", id);
        reply(ctx, 200, Map.of("id", id, "state", draining ? "draining" : "active"));
    }

    private void shed(Context ctx) {
        HostView h = knownHost(ctx);
        int count = count(ctx, Integer.MAX_VALUE);
        int target = Math.max(0, h.report().connections() - count);
        control.setTargetConnections(h.id(), target);
        LOG.info("operator asked host {} to shed {} (target {})", h.id(), count, target);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", h.id());
        body.put("connections", h.report().connections());
        body.put("targetConnections", target);
        reply(ctx, 200, body);
    }

    private void scaleDown(Context ctx) {
        int count = count(ctx, MAX_SCALE_DOWN);
        List<String> chosen = ScaleDownChoice.hostsToDrain(snapshots.get(), count);
        List<String> drained = new ArrayList<>();
        try {
            for (String id : chosen) {
                control.setDraining(id, true);
                drained.add(id);
            }
        } catch (RuntimeException e) {
            // Say which hosts were drained before the failure: those changes are stored.
            LOG.warn("scale-down of {} stopped after draining {}", count, drained, e);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", "could not store the change: " + e.getClass().getSimpleName());
            body.put("requested", count);
            body.put("draining", drained);
            reply(ctx, 503, body);
            return;
        }
        control.scaledDown(count, drained);
        LOG.info("operator scale-down of {}: draining {}", count, drained);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("requested", count);
        body.put("draining", drained);
        reply(ctx, 200, body);
    }

    private HostView knownHost(Context ctx) {
        String id = ctx.pathParam("id");
        HostView h = snapshots.get().host(id);
        if (h == null) {
            throw new Rejected(404, "unknown host");
        }
        return h;
    }

    /**
     * Drain and undrain take no body; one that is there must still be a JSON object, so a client
     * sending something else learns it was not understood instead of having it ignored.
     */
    private void noBodyOrAnObject(Context ctx) {
        String body = ctx.body();
        if (body.isBlank()) {
            return;
        }
        JsonNode node = parse(body, "body: not JSON (expected: no body or a JSON object)");
        if (!node.isObject()) {
            throw new Rejected(400, "body: a JSON " + node.getNodeType().name().toLowerCase(Locale.ROOT)
                    + " (expected: no body or a JSON object)");
        }
    }

    private JsonNode parse(String body, String problem) {
        try {
            // Trailing tokens too: "{...} junk" is not a body we understood.
            JsonNode node = json.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new Rejected(400, problem);
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new Rejected(400, problem);
        }
    }

    /** The positive integer {@code count} of the JSON body, at most {@code max}. */
    private int count(Context ctx, int max) {
        String text = ctx.body();
        if (text.isBlank()) {
            throw new Rejected(400, "body: empty (expected: {\"count\": N})");
        }
        JsonNode body = parse(text, "body: not JSON (expected: {\"count\": N})");
        JsonNode count = body == null ? null : body.get("count");
        if (count == null || !count.isIntegralNumber()) {
            throw new Rejected(400, "count: missing or not an integer (expected: {\"count\": N} with N >= 1)");
        }
        if (!count.canConvertToInt()) {
            throw new Rejected(400, "count: " + abbreviated(count.asText()) + " (expected: in [1, " + max + "])");
        }
        int n = count.intValue();
        if (n < 1 || n > max) {
            throw new Rejected(400, "count: " + n + " (expected: in [1, " + max + "])");
        }
        return n;
    }

    private static String abbreviated(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private void reply(Context ctx, int status, Object body) {
        try {
            ctx.status(status).header("Cache-Control", "no-store").contentType("application/json")
                    .result(json.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
