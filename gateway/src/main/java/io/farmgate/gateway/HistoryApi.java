package io.farmgate.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/history}: this gateway's {@link FarmHistory} as columns for the dashboard's
 * charts, and the rebalancer's waves from the farm's event log. On the admin listener, behind the
 * admin API's token check (it guards every {@code /v1/} path).
 */
final class HistoryApi {

    private static final Logger LOG = LoggerFactory.getLogger(HistoryApi.class);
    static final int DEFAULT_SECONDS = 300;
    static final int MIN_SECONDS = 10;

    private final FarmHistory history;
    private final HostControl control;
    private final Clock clock;
    private final ObjectMapper json;

    HistoryApi(FarmHistory history, HostControl control, Clock clock, ObjectMapper json) {
        this.history = history;
        this.control = control;
        this.clock = clock;
        this.json = json;
    }

    void routes(RoutesConfig routes) {
        routes.get("/v1/history", this::history);
    }

    private void history(Context ctx) throws JsonProcessingException {
        int seconds = seconds(ctx.queryParam("seconds"));
        long now = clock.millis();
        long from = now - seconds * 1000L;
        long after = after(ctx.queryParam("after"));
        // A page that has the earlier samples asks only for the new ones: a few hundred bytes a poll.
        List<FarmHistory.Sample> samples = history.since(after == Long.MIN_VALUE ? from : Math.max(from, after + 1));

        int n = samples.size();
        List<Long> times = new ArrayList<>(n);
        List<Double> assignments = new ArrayList<>(n);
        List<Double> unavailable = new ArrayList<>(n);
        List<Double> reconnects = new ArrayList<>(n);
        TreeSet<String> ids = new TreeSet<>();
        int leftOut = 0;
        for (FarmHistory.Sample s : samples) {
            times.add(s.atMillis());
            assignments.add(number(s.assignmentsPerSecond(), 100));
            unavailable.add(number(s.unavailablePerSecond(), 100));
            reconnects.add(number(s.reconnectsPerSecond(), 100));
            s.hosts().forEach(h -> ids.add(h.id()));
            leftOut = Math.max(leftOut, s.hostsLeftOut());
        }
        // One column per host and quantity, null where the host was not in a sample (not yet there,
        // gone, or left out of a large farm's sample).
        Map<String, Object[]> connections = new HashMap<>();
        Map<String, Object[]> targets = new HashMap<>();
        Map<String, Object[]> cpu = new HashMap<>();
        for (String id : ids) {
            connections.put(id, new Object[n]);
            targets.put(id, new Object[n]);
            cpu.put(id, new Object[n]);
        }
        for (int i = 0; i < n; i++) {
            for (FarmHistory.HostSample h : samples.get(i).hosts()) {
                connections.get(h.id())[i] = h.connections();
                targets.get(h.id())[i] = h.targetConnections() < 0 ? null : h.targetConnections();
                cpu.get(h.id())[i] = number(h.cpu(), 1000);
            }
        }
        List<Map<String, Object>> hosts = new ArrayList<>();
        for (String id : ids) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("connections", connections.get(id));
            m.put("targetConnections", targets.get(id));
            m.put("cpu", cpu.get(id));
            hosts.add(m);
        }

        Map<String, Object> body = new LinkedHashMap<>();
        body.put("view", "this gateway");
        body.put("nowMillis", now);
        body.put("seconds", seconds);
        body.put("after", after == Long.MIN_VALUE ? null : after);
        body.put("times", times);
        body.put("hosts", hosts);
        body.put("hostsLeftOut", leftOut);
        body.put("assignmentsPerSecond", assignments);
        body.put("unavailablePerSecond", unavailable);
        body.put("reconnectsPerSecond", reconnects);
        waves(body, from);
        ctx.status(200).header("Cache-Control", "no-store").contentType("application/json")
                .result(json.writeValueAsString(body));
    }

    /** The waves since {@code from}; a registry that cannot be read leaves the charts and says why. */
    private void waves(Map<String, Object> body, long from) {
        List<Map<String, Object>> list = new ArrayList<>();
        String error = null;
        try {
            for (WaveMarks.Wave w : WaveMarks.of(control.latestEvents(AdminApi.MAX_EVENTS), from)) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("atMillis", w.atMillis());
                m.put("actor", w.actor());
                m.put("hosts", w.hostIds());
                m.put("connections", w.connections());
                list.add(m);
            }
        } catch (RuntimeException e) {
            LOG.debug("history: cannot read the event log", e);
            error = "event log not readable: " + e.getClass().getSimpleName();
        }
        body.put("waves", list);
        body.put("wavesError", error);
    }

    private int seconds(String given) {
        if (given == null) {
            return Math.min(DEFAULT_SECONDS, history.capacity());
        }
        int max = history.capacity();
        int seconds;
        try {
            seconds = Integer.parseInt(given);
        } catch (NumberFormatException e) {
            seconds = -1;
        }
        if (seconds < MIN_SECONDS || seconds > max) {
            String shown = given.length() <= 40 ? given : given.substring(0, 40) + "...";
            throw new AdminApi.Rejected(400, "seconds: '" + shown + "' (expected: an integer in ["
                    + MIN_SECONDS + ", " + max + "])");
        }
        return seconds;
    }

    /** The {@code after} parameter: samples after this time (epoch millis) only; absent means all in the window. */
    private static long after(String given) {
        if (given == null) {
            return Long.MIN_VALUE;
        }
        try {
            long after = Long.parseLong(given);
            if (after >= 0) {
                return after;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        String shown = given.length() <= 40 ? given : given.substring(0, 40) + "...";
        throw new AdminApi.Rejected(400, "after: '" + shown + "' (expected: epoch milliseconds, >= 0)");
    }

    /**
     * Rounded to {@code 1 / scale}, which is all a chart shows (and keeps a 48-host answer small);
     * JSON has no NaN: "no rate yet" is null.
     */
    private static Double number(double d, int scale) {
        return Double.isFinite(d) ? Math.round(d * scale) / (double) scale : null;
    }
}
