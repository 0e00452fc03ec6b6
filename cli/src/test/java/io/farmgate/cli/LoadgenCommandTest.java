package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.client.fake.FakeFarm;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LoadgenCommandTest {

    private FakeFarm farm;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void startFarm() {
        farm = new FakeFarm("host-1", "host-2", "host-3");
    }

    @AfterEach
    void stopFarm() {
        farm.close();
    }

    private int farmgate(Map<String, String> env, String... args) {
        CommandLine cl = Farmgate.commandLine(ConfigDefaults.from(args, env));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    /** A short loadgen command line; {@code overrides} are option/value pairs replacing (or, with a null value, removing) defaults. */
    private String[] loadgen(String... overrides) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("--gateway", farm.gateway().uri().toString());
        options.put("--clients", "30");
        options.put("--duration", "1500ms");
        options.put("--ramp", "300ms");
        options.put("--message-rate", "30");
        options.put("--settle", "2s");
        options.put("--progress-interval", "500ms");
        options.put("--seed", "5");
        for (int i = 0; i < overrides.length; i += 2) {
            options.put(overrides[i], overrides[i + 1]);
        }
        List<String> args = new ArrayList<>(List.of("loadgen"));
        options.forEach((k, v) -> {
            if (v != null) {
                args.add(k);
                args.add(v);
            }
        });
        return args.toArray(String[]::new);
    }

    @Test
    void exitsZeroAndPrintsTheSpreadWhenNothingIsLost() {
        int code = farmgate(Map.of(), loadgen());

        assertThat(code).as(out.toString()).isZero();
        assertThat(out.toString())
                .contains("host-1                             10")
                .contains("max/mean 1.00 (max 10, mean 10.0 over 3 hosts)")
                .contains("lost 0")
                .contains("result: OK");
        assertThat(err.toString()).contains("started 30/30");
    }

    @Test
    void exitsOneWhenABackendDropsMessages() {
        farm.backend(2).dropEveryNth(2);

        int code = farmgate(Map.of(), loadgen());

        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).containsPattern("result: FAILED \\(\\d+ messages lost\\)");
    }

    @Test
    void clientsPassOverAGatewayThatCannotBeReachedToTheNextOne() {
        String down = "http://127.0.0.1:" + io.farmgate.testing.FreePort.pick();

        int code = farmgate(Map.of(), loadgen("--gateway", down + "," + farm.gateway().uri()));

        assertThat(code).as(out.toString()).isZero();
        assertThat(out.toString()).contains("through " + down + ", " + farm.gateway().uri())
                .contains("clients failed: 0 of 30");
    }

    @Test
    void readsTheClientCountFromTheEnvironment() {
        int code = farmgate(Map.of("FARMGATE_CLIENTS", "6"), loadgen("--clients", null));

        assertThat(code).isZero();
        assertThat(out.toString()).contains("farmgate loadgen: 6 clients").contains("clients failed: 0 of 6");
    }

    @Test
    void helpNamesBothRetryWindowsWithTheirDefaults() {
        int code = farmgate(Map.of(), "loadgen", "--help");

        assertThat(code).isZero();
        String help = out.toString().replaceAll("\\s+", " ");
        assertThat(help).contains("--retry-window=D").contains("--lost-host-retry-window=D")
                .contains("(close 1012) is spread over this; 1013 waits one such window first (default: 5s)")
                .contains("1001 from a stopping backend) is spread over this (default: 10s)");
    }

    @Test
    void aBadClientCountIsAUsageErrorNamingTheField() {
        int code = farmgate(Map.of(), loadgen("--clients", "0"));

        assertThat(code).isEqualTo(Farmgate.EXIT_USAGE);
        assertThat(err.toString()).contains("clients: 0 (expected: 1..100000)");
    }

    @Test
    void durationsReadShortFormsAndIso() {
        LoadgenCommand.DurationConverter convert = new LoadgenCommand.DurationConverter();
        assertThat(convert.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(convert.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(convert.convert("1.5s")).isEqualTo(Duration.ofMillis(1_500));
        assertThat(convert.convert("7")).isEqualTo(Duration.ofSeconds(7));
        assertThat(convert.convert("PT1H")).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void anUnreadableDurationIsAUsageError() {
        int code = farmgate(Map.of(), loadgen("--duration", "soon"));

        assertThat(code).isEqualTo(Farmgate.EXIT_USAGE);
        assertThat(err.toString()).contains("'soon' (expected: a duration such as 500ms, 30s, 2m, 1h or PT30S)");
    }
}
