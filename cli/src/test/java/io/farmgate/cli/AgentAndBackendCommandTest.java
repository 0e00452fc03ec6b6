package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.agent.AgentConfig;
import io.farmgate.scoring.HostReport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class AgentAndBackendCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Map<String, String> env, String... args) {
        CommandLine cl = Farmgate.commandLine(ConfigDefaults.from(args, env));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    private static AgentConfig agentConfigOf(Map<String, String> env, String... args) {
        CommandLine cl = Farmgate.commandLine(ConfigDefaults.from(args, env));
        CommandLine.ParseResult parsed = cl.parseArgs(args);
        AgentCommand command = (AgentCommand) parsed.subcommand().commandSpec().userObject();
        return command.agent.toConfig(command.port);
    }

    @Test
    void agentWithoutRedisExitsWithUsageNamingTheField() {
        int code = run(Map.of(), "agent", "--port", "8080");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("redisUri: not set");
    }

    @Test
    void agentWithZeroCapacityExitsWithUsageNamingTheField() {
        int code = run(Map.of(), "agent", "--redis", "redis://127.0.0.1:1", "--port", "8080", "--capacity", "0");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("capacity: 0 (expected: > 0)");
    }

    @Test
    void agentWithAShedUrlThatIsNotHttpExitsWithUsageNamingTheField() {
        int code = run(Map.of(), "agent", "--redis", "redis://127.0.0.1:1", "--port", "8080",
                "--shed-url", "ws://127.0.0.1:8081/shed");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("shedUrl: 'ws://127.0.0.1:8081/shed'");
    }

    @Test
    void agentRedisCaFileBecomesTheRegistrysCaFile() {
        AgentConfig c = agentConfigOf(Map.of(), "agent", "--redis", "rediss://127.0.0.1:6380", "--port", "8080",
                "--redis-ca-file", "/etc/farmgate/ca.pem");

        assertThat(c.registryConfig().redisCaFile()).isEqualTo(java.nio.file.Path.of("/etc/farmgate/ca.pem"));
    }

    @Test
    void agentRedisCaFileForAPlainRedisExitsWithUsageNamingTheField() {
        int code = run(Map.of(), "agent", "--redis", "redis://127.0.0.1:1", "--port", "8080",
                "--redis-ca-file", "ca.pem");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("redisCaFile: ca.pem given for");
    }

    @Test
    void backendWithoutAPortExitsWithUsageNamingTheField() {
        int code = run(Map.of(), "backend", "--redis", "redis://127.0.0.1:1");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("port: 0 (expected: in [1, 65535])");
    }

    @Test
    void nonNumericPortExitsWithUsage() {
        int code = run(Map.of(), "agent", "--redis", "redis://127.0.0.1:1", "--port", "eighty");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--port");
    }

    @Test
    void hostIdComesFromTheEnvironmentWhenNotGiven() {
        AgentConfig c = agentConfigOf(Map.of("FARMGATE_HOST_ID", "from-env"),
                "agent", "--redis", "redis://127.0.0.1:1", "--port", "8080");

        assertThat(c.hostId()).isEqualTo("from-env");
    }

    @Test
    void urlDefaultsToTheAddressAndPort() {
        AgentConfig c = agentConfigOf(Map.of(),
                "agent", "--redis", "redis://127.0.0.1:1", "--port", "8080", "--address", "10.0.0.5");

        assertThat(c.url()).isEqualTo("ws://10.0.0.5:8080");
    }

    @Test
    void defaultHostIdIsADnsLabelEndingInThePort() {
        String id = AgentOptions.defaultHostId(8080);

        assertThat(HostReport.isValidHostId(id)).as(id).isTrue();
        assertThat(id).endsWith("-8080");
    }

    @Test
    void agentHelpDescribesTheShedHook() {
        int code = run(Map.of(), "agent", "--help");

        assertThat(code).isZero();
        assertThat(out.toString()).contains("--shed-url", "\"closeCode\": 1012");
    }
}
