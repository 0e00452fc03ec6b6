package io.farmgate.cli;

import io.farmgate.scoring.simulation.Scenario;
import io.farmgate.scoring.simulation.SimulationConfig;
import io.farmgate.scoring.simulation.SimulationResult;
import io.farmgate.scoring.simulation.SimulationResult.FleetFigures;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/** {@code farmgate simulate --json}: the run as one JSON object; figures that do not apply are null. */
final class SimulationJson {

    private SimulationJson() {
    }

    static String of(SimulationConfig c, Scenario scenario, List<SimulationResult> results, double elapsedSeconds) {
        StringBuilder sb = new StringBuilder(512);
        sb.append("{\"scenario\":").append(scenario == null ? "null" : "\"" + scenario.label() + "\"")
                .append(",\"hosts\":").append(c.hosts())
                .append(",\"gateways\":").append(c.gateways())
                .append(",\"arrivalsPerSecond\":").append(number(c.arrivalsPerSecond()))
                .append(",\"meanLifetimeSeconds\":").append(number(c.meanLifetimeSeconds()))
                .append(",\"durationSeconds\":").append(c.durationSeconds())
                .append(",\"seed\":").append(c.seed())
                .append(",\"elapsedSeconds\":").append(number(elapsedSeconds))
                .append(",\"results\":[");
        for (int i = 0; i < results.size(); i++) {
            SimulationResult r = results.get(i);
            FleetFigures f = r.fleet();
            sb.append(i == 0 ? "" : ",")
                    .append("{\"picker\":\"").append(r.picker().label()).append('"')
                    .append(",\"maxOverMeanP50\":").append(number(r.maxOverMeanP50()))
                    .append(",\"maxOverMeanMax\":").append(number(r.maxOverMeanMax()))
                    .append(",\"herdFactor\":").append(number(r.herdFactor()))
                    .append(",\"joinedPeakRateRatio\":").append(optional(r.joinedPeakRateRatio()))
                    .append(",\"moved\":").append(r.movedByRebalancing().isPresent()
                            ? Long.toString(r.movedByRebalancing().getAsLong()) : "null")
                    .append(",\"minimumToMove\":").append(f.minimumToMove())
                    .append(",\"secondsToBalance\":").append(optional(f.secondsToBalance()))
                    .append(",\"maxOverMeanAfterBalanced\":").append(number(f.maxOverMeanAfterReturn()))
                    .append(",\"requestPeakOverMean\":").append(number(f.requestPeakOverMean()))
                    .append(",\"noHost503s\":").append(f.noHost503s())
                    .append(",\"cpuMaxOverMeanP50\":").append(number(f.cpuMaxOverMeanP50()))
                    .append(",\"movesPerClient\":").append(number(f.movesPerClient()))
                    .append(",\"drainSeconds\":").append(optional(f.drainSeconds()))
                    .append(",\"arrivals\":").append(r.arrivals())
                    .append(",\"reconnects\":").append(r.reconnects())
                    .append(",\"retried\":").append(r.retried())
                    .append(",\"gaveUp\":").append(r.abandoned())
                    .append('}');
        }
        return sb.append("]}").toString();
    }

    private static String optional(OptionalDouble v) {
        return v.isPresent() ? number(v.getAsDouble()) : "null";
    }

    private static String number(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v).replaceAll("0+$", "").replaceAll("\\.$", "")
                : "null";
    }
}
