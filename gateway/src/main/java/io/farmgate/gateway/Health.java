package io.farmgate.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.farmgate.scoring.Readiness;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.farmgate.scoring.FarmSnapshot;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code /readyz} answer, the same on the public and the admin listener. */
final class Health {

    private Health() {
    }

    static void readyz(Context ctx, FarmSnapshot snapshot, long nowMillis, GatewayConfig config, ObjectMapper json) {
        Readiness r = Readiness.of(snapshot, nowMillis, config.snapshotFreshMillis(), config.snapshotMaxStaleMillis());
        ctx.status(r.httpStatus()).header("Cache-Control", "no-store")
                .contentType("application/json").result(json(r, json));
    }

    /** The JSON body of a readiness answer. */
    static String json(Readiness r, ObjectMapper json) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", r.status());
        body.put("snapshotAgeMillis", r.ageMillis());
        body.put("eligibleHosts", r.eligibleHosts());
        body.put("knownHosts", r.knownHosts());
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
