package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A bad value stops every command before anything starts, with exit code 2 and a message naming
 * the field and the accepted range (the audit of issue 8; one row per command and kind of check).
 */
class ConfigValidationTest {

    private record Outcome(int exitCode, String out, String err) {
    }

    private static Outcome run(String line) {
        CommandLine cl = Farmgate.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(line.split(" "));
        return new Outcome(code, out.toString(), err.toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "gateway --redis redis://127.0.0.1:1 --farm f --picker best | picker: 'best' (expected one of: random",
        "gateway --redis redis://127.0.0.1:1 --farm f --heartbeat-ttl-millis 500 | heartbeatTtlMillis: 500 (expected: > heartbeatIntervalMillis",
        "gateway --redis http://x --farm f | redisUri: 'http://x' (expected: redis://",
        "gateway --redis redis://127.0.0.1:1 --farm f --rebalance-tolerance -1 | toleranceFraction: -1.0 (expected: in [0, 10])",
        "gateway --redis redis://127.0.0.1:1 --farm f --listen nope | listen: 'nope' (expected: HOST:PORT)",
        "dns --redis redis://127.0.0.1:1 --farm f --zone farm.example.com --answers 0 | answerCount: 0 (expected: in [1, 64])",
        "dns --redis redis://127.0.0.1:1 --farm f --zone farm.example.com --ttl 0 | ttlSeconds: 0 (expected: in [1, 86400])",
        "agent --redis redis://127.0.0.1:1 --port 8080 --capacity 0 | capacity: 0 (expected: > 0)",
        "agent --redis redis://127.0.0.1:1 --port 99999 | port: 99999 (expected: in [1, 65535])",
        "backend --redis redis://127.0.0.1:1 --port 9001 --token-secret short | tokenSecret: 5 bytes (expected: >= 16",
        "loadgen --gateway http://127.0.0.1:1 --clients 0 | clients: 0 (expected: 1..100000)",
        "simulate --hosts 0 | hosts: 0 (expected: in [1, 10000])",
        "demo --backend-ports 1,x | '--backend-ports' (PORT): 'x' is not an int",
    })
    void badValueExitsWithUsageCodeNamingTheFieldAndRange(String line, String message) {
        Outcome o = run(line.strip());

        assertThat(o.exitCode()).isEqualTo(Farmgate.EXIT_USAGE);
        assertThat(o.err()).contains(message.strip()).contains("--help");
    }

    @Test
    void refusedGatewayStartPrintsNoGeneratedAdminToken() {
        Outcome o = run("gateway --redis redis://127.0.0.1:1 --farm f --heartbeat-ttl-millis 500");

        assertThat(o.exitCode()).isEqualTo(Farmgate.EXIT_USAGE);
        assertThat(o.out()).doesNotContain("admin token");
    }
}
