package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.scoring.pick.PickerKind;
import io.farmgate.scoring.simulation.FarmChange;
import io.farmgate.scoring.simulation.FarmSimulator;
import io.farmgate.scoring.simulation.SimulationConfig;
import io.farmgate.scoring.simulation.SimulationResult;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SimulateCommandTest {

    /** A small farm that simulates in a fraction of a second. */
    private static final String[] SMALL = {"simulate", "--hosts", "8", "--gateways", "2",
        "--arrivals-per-second", "200", "--mean-lifetime", "60s", "--duration", "120s", "--seed", "5"};

    private record Outcome(int exitCode, String out, String err) {

        /** The table row of one picker, split on blanks. */
        List<String> row(String picker) {
            return out.lines().filter(l -> l.startsWith(picker + " ")).findFirst()
                    .map(l -> Arrays.asList(l.trim().split("\\s+")))
                    .orElseThrow(() -> new AssertionError("no row for " + picker + " in:\n" + out));
        }
    }

    private static Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Farmgate.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    private static String[] small(String... more) {
        List<String> all = new ArrayList<>(Arrays.asList(SMALL));
        all.addAll(Arrays.asList(more));
        return all.toArray(new String[0]);
    }

    @Test
    void tableShowsTheSimulatorsFiguresForTheScenario() {
        Outcome o = run(small("--picker", "two-choice"));

        // What the command should have run: its defaults are a join halfway and a quarter warm-up.
        SimulationResult expected = new FarmSimulator(SimulationConfig.builder()
                .hosts(8).gateways(2).arrivalsPerSecond(200).meanLifetimeSeconds(60).durationSeconds(120)
                .warmupSeconds(30).seed(5).events(List.of(FarmChange.join(60_000L))).picker(PickerKind.TWO_CHOICE)
                .build()).run();
        assertThat(o.exitCode()).as(o.err()).isZero();
        assertThat(o.row("two-choice")).containsExactly("two-choice",
                String.format(Locale.ROOT, "%.3f", expected.maxOverMeanP50()),
                String.format(Locale.ROOT, "%.3f", expected.maxOverMeanMax()),
                String.format(Locale.ROOT, "%.2f", expected.herdFactor()),
                String.format(Locale.ROOT, "%.2f", expected.joinedPeakRateRatio().getAsDouble()),
                "n/a");
    }

    @Test
    void headerNamesEveryColumn() {
        Outcome o = run(small("--picker", "random"));

        assertThat(o.out()).containsPattern(
                "picker\\s+max/mean p50\\s+max/mean max\\s+herd factor\\s+joined peak\\s+moved");
    }

    @Test
    void describesTheScenarioItRan() {
        Outcome o = run(small("--picker", "random"));

        assertThat(o.out()).contains("8 hosts, 2 gateways, heartbeat 1s, refresh 1s, 200 arrivals/s, "
                + "mean lifetime 60s").contains("duration 2m, warm-up 30s, seed 5").contains("events: join:host-8@1m");
    }

    @Test
    void describesUnequalHostsCompactly() {
        Outcome o = run(small("--picker", "random", "--host-capacities", "100,100,100,100,300,300,300,100",
                "--host-cpu-costs", "0.01,0.01,0.01,0.01,0.01,0.01,0.01,0.005"));

        assertThat(o.out()).contains("capacities 100 x4, 300 x3, 100, cpu/connection 0.01 x7, 0.005,");
    }

    @Test
    void comparesAllFivePickersByDefault() {
        Outcome o = run(small());

        assertThat(o.exitCode()).as(o.err()).isZero();
        for (PickerKind k : PickerKind.values()) {
            assertThat(o.row(k.label())).hasSize(6);
        }
    }

    @Test
    void leastScoreHerdsWhereTwoChoiceDoesNot() {
        Outcome o = run(small("--picker", "least-score,two-choice"));

        double leastScore = Double.parseDouble(o.row("least-score").get(3));
        double twoChoice = Double.parseDouble(o.row("two-choice").get(3));
        assertThat(leastScore).isGreaterThan(4.0);
        assertThat(twoChoice).isLessThanOrEqualTo(2.0);
    }

    @Test
    void eventNoneRunsWithoutAJoinedHost() {
        Outcome o = run(small("--picker", "two-choice", "--event", "none"));

        assertThat(o.out()).contains("events: none");
        assertThat(o.row("two-choice").get(4)).isEqualTo("n/a");
    }

    @Test
    void eventsAreTakenAsGiven() {
        Outcome o = run(small("--picker", "two-choice", "--event", "leave:host-2@30s", "--event", "join:host-2@90s"));

        assertThat(o.exitCode()).as(o.err()).isZero();
        assertThat(o.out()).contains("events: leave:host-2@30s, join:host-2@90s");
    }

    @Test
    void scenarioTableRunsTheRebalancerAndShowsTheFleetFigures() {
        Outcome o = run(small("--scenario", "host-failure", "--picker", "two-choice,random"));

        assertThat(o.exitCode()).as(o.err()).isZero();
        assertThat(o.out()).contains("scenario: host-failure").contains("events: leave:host-0@");
        List<String> row = o.row("two-choice");
        assertThat(row).hasSize(13);
        assertThat(row.get(4)).as("moved").matches("\\d+");
        assertThat(row.get(6)).as("balanced again").matches("\\d+s");
        assertThat(o.row("random")).hasSize(13);
    }

    @Test
    void jsonCarriesEveryFigurePerPicker() {
        Outcome o = run(small("--scenario", "scale-in", "--picker", "two-choice", "--json"));

        assertThat(o.exitCode()).as(o.err()).isZero();
        String json = o.out().trim();
        assertThat(json).startsWith("{\"scenario\":\"scale-in\",\"hosts\":8,").endsWith("}]}");
        assertThat(json).contains("\"picker\":\"two-choice\"").contains("\"drainSeconds\":")
                .contains("\"secondsToBalance\":").contains("\"noHost503s\":0").doesNotContain("NaN");
        assertThat(json.lines().count()).isEqualTo(1);
    }

    /** The gateways' busiest second over the mean in a host-failure run of the small farm with these options. */
    private static double requestPeakOfHostFailure(String... options) {
        List<String> args = new ArrayList<>(List.of("--scenario", "host-failure", "--picker", "two-choice", "--json"));
        args.addAll(Arrays.asList(options));
        Outcome o = run(small(args.toArray(new String[0])));
        assertThat(o.exitCode()).as(o.err()).isZero();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"requestPeakOverMean\":([0-9.]+)").matcher(o.out());
        assertThat(m.find()).as(o.out()).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void theLostHostsClientsComeBackOverTheLostHostRetryWindow() {
        // host-0's ~1,500 clients in one instant, over the default 10 s, over 30 s; 200 arrivals/s besides.
        double atOnce = requestPeakOfHostFailure("--lost-host-retry-window", "0s");
        double byDefault = requestPeakOfHostFailure();
        double slower = requestPeakOfHostFailure("--lost-host-retry-window", "30s", "--retry-window", "1s");

        assertThat(atOnce).isGreaterThan(5.0);
        assertThat(byDefault).isBetween(1.3, atOnce / 2);
        assertThat(slower).isLessThan(byDefault);
    }

    @Test
    void aRetryWindowWithoutUnitExitsWithTwoNamingTheOption() {
        Outcome o = run(small("--lost-host-retry-window", "10"));

        assertThat(o.exitCode()).isEqualTo(2);
        assertThat(o.err()).contains("--lost-host-retry-window: '10' (expected: a whole number with a unit");
    }

    @Test
    void scenarioWithAnEventExitsWithTwo() {
        Outcome o = run(small("--scenario", "join", "--event", "join@10s"));

        assertThat(o.exitCode()).isEqualTo(2);
        assertThat(o.err()).contains("--event: not with --scenario");
    }

    @Test
    void unknownScenarioExitsWithTwoListingThem() {
        Outcome o = run(small("--scenario", "meltdown"));

        assertThat(o.exitCode()).isEqualTo(2);
        assertThat(o.err()).contains("scenario: 'meltdown' (expected one of: steady, join, host-failure");
    }

    @Test
    void invalidValueExitsWithTwoNamingTheField() {
        Outcome o = run("simulate", "--hosts", "0");

        assertThat(o.exitCode()).isEqualTo(2);
        assertThat(o.err()).contains("hosts: 0 (expected: in [1, 10000])");
        assertThat(o.out()).doesNotContain("picker");
    }

    @Test
    void durationWithoutUnitExitsWithTwoNamingTheOption() {
        Outcome o = run("simulate", "--duration", "600");

        assertThat(o.exitCode()).isEqualTo(2);
        assertThat(o.err()).contains("--duration: '600' (expected: a whole number with a unit");
    }

    @Test
    void unknownPickerExitsWithTwoListingTheKnownOnes() {
        Outcome o = run(small("--picker", "fastest"));

        assertThat(o.exitCode()).isEqualTo(2);
        assertThat(o.err()).contains("picker: 'fastest' (expected one of: random, round-robin, least-score, "
                + "two-choice, bounded-load-rendezvous)");
    }

    @Test
    void leaveOfAnUnknownHostExitsWithTwo() {
        Outcome o = run(small("--event", "leave:host-99@30s"));

        assertThat(o.exitCode()).isEqualTo(2);
        assertThat(o.err()).contains("events: 'leave:host-99@30s' (expected: host-99 in the farm when it leaves)");
    }

    @Test
    void helpShowsTheDefaults() {
        Outcome o = run("simulate", "--help");

        // Help wraps lines wherever it likes.
        String help = o.out().replaceAll("\\s+", " ");
        assertThat(o.exitCode()).isZero();
        assertThat(help).contains("--hosts=N", "(default: 32)", "(default: 8)", "(default: 1s)",
                "(default: 2000)", "(default: 300s)", "(default: 20m)", "(default: all five)");
    }

    @Test
    void simulateIsASubcommandOfFarmgate() {
        assertThat(Farmgate.commandLine().getSubcommands()).containsKey("simulate");
    }
}
