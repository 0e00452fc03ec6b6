package io.farmgate.registry;

/** The registry could not be read or written: Redis unreachable, too slow, or refusing the command. */
public final class RegistryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }

    public RegistryException(String message) {
        super(message);
    }
}
