package io.farmgate.cli;

import io.farmgate.scoring.pick.ZonePolicy;
import picocli.CommandLine.Option;

/** The spill rule of zone-aware picks, shared by {@code gateway --zone} and {@code dns --host-zone}. */
final class ZoneOptions {

    @Option(names = "--zone-spill-fraction", defaultValue = "0.10", paramLabel = "E",
            description = "With a zone: spill to the whole farm when the zone's mean score is above (1 + E) x the "
                    + "farm's, in [0, 10]. Default: ${DEFAULT-VALUE}.")
    double spillFraction;

    @Option(names = "--zone-min-eligible", defaultValue = "2", paramLabel = "N",
            description = "With a zone: spill when fewer than N of its hosts are eligible, in [1, 10000]. "
                    + "Default: ${DEFAULT-VALUE}.")
    int minEligible;

    /** The rule for {@code zone}, or null without one; throws IllegalArgumentException naming the field. */
    ZonePolicy policy(String zone) {
        if (zone == null || zone.isEmpty()) {
            return null;
        }
        return new ZonePolicy(zone, spillFraction, minEligible);
    }
}
