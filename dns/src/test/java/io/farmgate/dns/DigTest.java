package io.farmgate.dns;

import static io.farmgate.dns.Farms.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.testing.ExternalTool;
import io.farmgate.testing.RequiredTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The main behaviours as an operator sees them with {@code dig} (from dnsutils). Without dig on
 * PATH the class is skipped, naming the package; .ci/run installs it and sets
 * FARMGATE_REQUIRE_ALL_TOOLS=1, which turns a missing dig into a failure.
 */
class DigTest {

    private static final Pattern FLAGS = Pattern.compile(";; flags:([a-z ]*);");
    @RegisterExtension
    static final RequiredTools digInstalled = new RequiredTools(ExternalTool.DIG);

    private static String dig;
    private static RunningServer server;

    @BeforeAll
    static void start() {
        dig = ExternalTool.DIG.require().toString();
        server = RunningServer.start(RunningServer.config().answerCount(40).build(), snapshot(Farms.ipv4Hosts(40)));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void apexAnswerHasAaAndNoRa() throws Exception {
        String out = dig(RunningServer.ZONE, "SOA");

        assertThat(out).contains("status: NOERROR");
        assertThat(flags(out)).contains("qr", "aa").doesNotContain("ra");
        assertThat(out).containsPattern("(?m)^farm\\.example\\.com\\.\\s+3600\\s+IN\\s+SOA\\s+ns1\\.farm\\.example\\.com\\.");
    }

    @Test
    void unknownNameIsNxdomainWithSoaInAuthority() throws Exception {
        String out = dig("nosuch." + RunningServer.ZONE, "A");

        assertThat(out).contains("status: NXDOMAIN");
        assertThat(flags(out)).contains("aa");
        assertThat(out).contains(";; AUTHORITY SECTION:");
        assertThat(out).containsPattern("(?m)^farm\\.example\\.com\\.\\s+5\\s+IN\\s+SOA\\s");
    }

    @Test
    void nameOutsideTheZoneIsRefused() throws Exception {
        String out = dig("www.example.org", "A");

        assertThat(out).contains("status: REFUSED");
        assertThat(flags(out)).doesNotContain("aa", "ra");
    }

    @Test
    void oversizedAnswerIsTruncatedOverUdp() throws Exception {
        String out = dig(RunningServer.ZONE, "A", "+noedns", "+ignore");

        assertThat(flags(out)).contains("tc");
    }

    @Test
    void digRetriesTheTruncatedAnswerOverTcpAndGetsItWhole() throws Exception {
        String out = dig(RunningServer.ZONE, "A", "+noedns");

        assertThat(out).contains("Truncated, retrying in TCP mode");
        assertThat(flags(out)).doesNotContain("tc");
        assertThat(out).contains("ANSWER: 40,");
    }

    @Test
    void hostNameAnswersItsAddress() throws Exception {
        String out = dig("h7." + RunningServer.ZONE, "A", "+tcp");

        assertThat(out).containsPattern("(?m)^h7\\.farm\\.example\\.com\\.\\s+5\\s+IN\\s+A\\s+10\\.0\\.0\\.7$");
    }

    private static List<String> flags(String digOutput) {
        Matcher m = FLAGS.matcher(digOutput);
        assertThat(m.find()).as("dig output has a flags line:%n%s", digOutput).isTrue();
        return List.of(m.group(1).trim().split("\\s+"));
    }

    private static String dig(String name, String type, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(dig, "@127.0.0.1", "-p", String.valueOf(server.port()),
                "+time=3", "+tries=1", name, type));
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        // A bound, not a speed check: dig answers in milliseconds or has hung.
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("dig did not finish within 20 s: " + command);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("dig exit status; output:%n%s", out).isZero();
        return out;
    }
}
