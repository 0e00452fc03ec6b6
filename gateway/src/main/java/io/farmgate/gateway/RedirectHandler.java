package io.farmgate.gateway;

import io.farmgate.scoring.FarmSnapshot;
import io.farmgate.scoring.pick.Picker;

/**
 * The hot path of the public listener: every request outside {@code /v1/}, {@code /healthz} and
 * {@code /readyz} gets a 307 to the chosen host, WebSocket upgrades to its {@code ws(s)://} URL.
 * The head up to the host's base URL is precomputed per snapshot ({@link HostAnswers}); a
 * redirect appends the escaped path and query (and a token) to it.
 */
final class RedirectHandler {

    /** Longest client key accepted, in characters. */
    static final int MAX_CLIENT_KEY_LENGTH = ClientKey.MAX_LENGTH;
    static final String CLIENT_HEADER = ClientKey.HEADER;

    private static final byte[] ALLOW = Answer.ascii("Allow: GET, HEAD\r\n");
    private static final byte[] NOT_REDIRECTED = Answer.ascii("only GET and HEAD are redirected\n");
    private static final byte[] NO_HOST = Answer.ascii("no eligible host\n");

    private final Assigner assigner;
    private final AssignmentTokens tokens;
    private final ClientAddress clientAddress;
    private final boolean affinityByAddress;
    private final byte[] retryAfter;
    private final HostAnswers.Latest answers;

    RedirectHandler(Assigner assigner, AssignmentTokens tokens, ClientAddress clientAddress, boolean affinityByAddress,
                    int retryAfterSeconds, HostAnswers.Latest answers) {
        this.assigner = assigner;
        this.tokens = tokens;
        this.clientAddress = clientAddress;
        this.affinityByAddress = affinityByAddress;
        this.retryAfter = Answer.ascii("Retry-After: " + retryAfterSeconds + "\r\n");
        this.answers = answers;
    }

    /** Appends the answer to a request for a path that is redirected. */
    void redirect(RequestHead h, boolean close, LoopState loop, ClientKey.PeerAddress peer, long nowMillis) {
        Answer out = loop.answer;
        if (h.method != RequestHead.GET && h.method != RequestHead.HEAD) {
            out.append(Answer.METHOD_NOT_ALLOWED).append(ALLOW).append(Answer.NO_STORE)
                    .body(h, Answer.TEXT, NOT_REDIRECTED, close, nowMillis);
            return;
        }
        ClientKey key = loop.key;
        String refused = key.read(h, peer, clientAddress, affinityByAddress);
        if (refused != null) {
            out.append(Answer.BAD_REQUEST).append(Answer.NO_STORE)
                    .body(h, Answer.TEXT, Answer.ascii(refused + "\n"), close, nowMillis);
            return;
        }
        FarmSnapshot snapshot = assigner.snapshot();
        HostAnswers hosts = answers.of(snapshot);
        int i = assigner.pick(snapshot, key.forHash(), hosts);
        if (i == Picker.NO_HOST) {
            unavailable(h, close, out, nowMillis);
            return;
        }
        HostAnswers.Host host = hosts.host(i);
        byte[] b = h.bytes;
        out.append(h.websocket ? host.upgrade() : host.redirect());
        RequestTarget.appendPath(out, b, h.pathStart, h.pathEnd);
        if (tokens.enabled()) {
            out.append('?');
            int mark = out.length();
            if (h.queryStart >= 0) {
                RequestTarget.appendWithout(out, b, h.queryStart, h.queryEnd, AssignmentTokens.PARAM);
            }
            if (out.length() > mark) {
                out.append('&');
            }
            out.append(AssignmentTokens.PARAM).append('=');
            loop.signer.append(out, host.tokenPrefix(), key.utf8(), key.byteLength(), tokens.expiresAtSeconds());
        } else if (h.queryStart >= 0 && h.queryEnd > h.queryStart) {
            out.append('?');
            RequestTarget.appendQueryPart(out, b, h.queryStart, h.queryEnd);
        }
        out.append(Answer.CRLF).endHead(h.http10, close, nowMillis);
    }

    /** A 503 with Retry-After: no host can take the client, or answering failed. */
    void unavailable(RequestHead h, boolean close, Answer out, long nowMillis) {
        out.append(Answer.UNAVAILABLE).append(retryAfter).append(Answer.NO_STORE)
                .body(h, Answer.TEXT, NO_HOST, close, nowMillis);
    }
}
