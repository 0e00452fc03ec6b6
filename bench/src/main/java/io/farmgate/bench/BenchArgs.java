package io.farmgate.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** {@code --name value} pairs of a bench driver's command line, checked against the names it knows. */
final class BenchArgs {

    private final Map<String, String> values = new HashMap<>();

    BenchArgs(String[] args, Set<String> known) {
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i];
            if (!name.startsWith("--") || !known.contains(name.substring(2))) {
                throw new IllegalArgumentException("unknown option " + name + " (expected one of --" + String.join(", --", known) + ")");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(name + ": missing value");
            }
            values.put(name.substring(2), args[i + 1]);
        }
    }

    String text(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    String required(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + ": required");
        }
        return v;
    }

    long whole(String name, long fallback, long min) {
        long v = values.containsKey(name) ? Long.parseLong(values.get(name)) : fallback;
        if (v < min) {
            throw new IllegalArgumentException("--" + name + ": " + v + " (expected: >= " + min + ")");
        }
        return v;
    }

    double decimal(String name, double fallback, double min) {
        double v = values.containsKey(name) ? Double.parseDouble(values.get(name)) : fallback;
        if (!(v >= min)) {
            throw new IllegalArgumentException("--" + name + ": " + v + " (expected: >= " + min + ")");
        }
        return v;
    }
}
