package io.farmgate.scoring;

/**
 * The load score: lower is less loaded. A weighted blend of connection use and CPU, divided by the
 * host's weight, so a host of weight 2 looks half as loaded and draws about twice the clients.
 *
 * <pre>
 *   score = (connectionWeight * min(connections / capacity, 1) + cpuWeight * cpu)
 *           / (connectionWeight + cpuWeight) / weight
 * </pre>
 *
 * With the defaults (0.7, 0.3) an idle host scores 0 and a full, busy one 1.
 */
public record ScoreFormula(double connectionWeight, double cpuWeight) {

    public static final ScoreFormula DEFAULT = new ScoreFormula(0.7, 0.3);

    public ScoreFormula {
        if (!(connectionWeight >= 0.0) || !Double.isFinite(connectionWeight)) {
            throw new IllegalArgumentException("connectionWeight: " + connectionWeight + " (expected: >= 0)");
        }
        if (!(cpuWeight >= 0.0) || !Double.isFinite(cpuWeight)) {
            throw new IllegalArgumentException("cpuWeight: " + cpuWeight + " (expected: >= 0)");
        }
        if (connectionWeight + cpuWeight <= 0.0) {
            throw new IllegalArgumentException(
                    "connectionWeight + cpuWeight: 0 (expected: > 0, one of them must count)");
        }
    }

    /** The score of a host with these figures. */
    public double score(int connections, int capacity, double cpu, double weight) {
        double use = Math.min((double) connections / capacity, 1.0);
        return (connectionWeight * use + cpuWeight * cpu) / (connectionWeight + cpuWeight) / weight;
    }

    /** How much one more connection adds to the score of a host with this capacity and weight. */
    public double scorePerConnection(int capacity, double weight) {
        return connectionWeight / (connectionWeight + cpuWeight) / capacity / weight;
    }
}
