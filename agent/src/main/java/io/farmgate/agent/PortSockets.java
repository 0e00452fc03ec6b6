package io.farmgate.agent;

/**
 * The TCP sockets on one local port: connections clients hold open and listeners that accept them.
 *
 * @param established sockets in state ESTABLISHED whose local port is the port
 * @param listening   sockets in state LISTEN on the port (0: nobody accepts connections there)
 */
public record PortSockets(int established, int listening) {

    static final PortSockets NONE = new PortSockets(0, 0);

    PortSockets plus(PortSockets other) {
        return new PortSockets(established + other.established, listening + other.listening);
    }
}
