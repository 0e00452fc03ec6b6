package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandTest {

    private record Outcome(int exitCode, String out, String err) {
    }

    private static Outcome run(String... args) {
        CommandLine cl = Farmgate.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    @Test
    void helpListsThePartsAndTheirDefaultPorts() {
        Outcome o = run("demo", "--help");
        assertThat(o.exitCode()).isZero();
        assertThat(o.out()).contains("127.0.0.1:8080", "127.0.0.1:8081", "127.0.0.1:5353", "9001,9002,9003",
                "farm.example.com");
    }

    @Test
    void badListenAddressExitsWithUsageCodeNamingTheField() {
        Outcome o = run("demo", "--listen", "nonsense");
        assertThat(o.exitCode()).isEqualTo(2);
        assertThat(o.err()).contains("listen");
    }

    @Test
    void shortAdminTokenIsRefusedBeforeAnythingStarts() {
        Outcome o = run("demo", "--admin-token", "short", "--backend-ports", "1");
        assertThat(o.exitCode()).isEqualTo(2);
        assertThat(o.err()).contains("adminToken");
    }
}
