package io.farmgate.client;

/** The gateway answered 503: no eligible host right now; {@code retryAfterMillis} is -1 when it gave no usable Retry-After. */
public final class NoHostAvailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long retryAfterMillis;

    public NoHostAvailableException(long retryAfterMillis) {
        super("gateway: no eligible host (503)" + (retryAfterMillis >= 0 ? ", retry after " + retryAfterMillis + " ms" : ""));
        this.retryAfterMillis = retryAfterMillis;
    }

    public long retryAfterMillis() {
        return retryAfterMillis;
    }
}
