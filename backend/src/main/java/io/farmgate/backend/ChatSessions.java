package io.farmgate.backend;

import io.javalin.websocket.WsContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * The chat clients connected to this host. A session picked to be shed leaves the set before its
 * close completes, so the count the agent sees never includes a client already on its way out.
 */
final class ChatSessions {

    private final Map<String, WsContext> open = new ConcurrentHashMap<>();
    // Every socket until its close completes, shed ones included: what shutdown waits for.
    private final Map<String, WsContext> live = new ConcurrentHashMap<>();

    void add(WsContext ctx) {
        live.put(ctx.sessionId(), ctx);
        open.put(ctx.sessionId(), ctx);
    }

    /** Forgets {@code ctx}: its connection is closed. */
    void remove(WsContext ctx) {
        open.remove(ctx.sessionId());
        live.remove(ctx.sessionId());
    }

    /** Clients connected and not picked to close. */
    int count() {
        return open.size();
    }

    /** Sockets not closed yet, including those picked to close. */
    int liveCount() {
        return live.size();
    }

    List<WsContext> all() {
        return new ArrayList<>(open.values());
    }

    /** Takes up to {@code n} sessions at random out of the set and returns them. */
    List<WsContext> takeRandom(int n, RandomGenerator random) {
        List<WsContext> candidates = all();
        List<WsContext> taken = new ArrayList<>(Math.min(n, candidates.size()));
        for (int i = candidates.size() - 1; i >= 0 && taken.size() < n; i--) {
            int j = random.nextInt(i + 1);
            WsContext pick = candidates.get(j);
            candidates.set(j, candidates.get(i));
            if (open.remove(pick.sessionId()) != null) {
                taken.add(pick);
            }
        }
        return taken;
    }

    /** Takes every session out of the set and returns them. */
    List<WsContext> takeAll() {
        return takeRandom(Integer.MAX_VALUE, RandomGenerator.getDefault());
    }
}
