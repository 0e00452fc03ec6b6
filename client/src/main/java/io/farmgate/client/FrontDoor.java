package io.farmgate.client;

/** How a client asks the gateway for a host. */
public enum FrontDoor {
    /** {@code GET /v1/assign}: a JSON assignment (what browsers use). */
    ASSIGN,
    /** {@code GET <path>} answered with a 307 whose Location is the host's URL. */
    REDIRECT
}
