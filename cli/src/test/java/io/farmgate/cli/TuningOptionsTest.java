package io.farmgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmgate.scoring.ScoreFormula;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The tuning options of docs/tuning.md reach the components: score weights (gateway, dns), answer weight (dns). */
class TuningOptionsTest {

    private static GatewayCommand parsedGateway(String... extra) {
        CommandLine cl = Farmgate.commandLine();
        String[] args = new String[4 + extra.length + 1];
        args[0] = "gateway";
        args[1] = "--redis=redis://127.0.0.1:1";
        args[2] = "--farm=f";
        args[3] = "--no-rebalance";
        System.arraycopy(extra, 0, args, 4, extra.length);
        args[args.length - 1] = "--listen=127.0.0.1:0";
        cl.parseArgs(args);
        return cl.getSubcommands().get("gateway").getCommand();
    }

    @Test
    void defaultWeightsAreTheDocumentedFormula() {
        assertThat(parsedGateway().snapshotPolicy().formula()).isEqualTo(ScoreFormula.DEFAULT);
    }

    @Test
    void givenWeightsReachTheSnapshotPolicy() {
        assertThat(parsedGateway("--score-connection-weight", "1", "--score-cpu-weight", "0").snapshotPolicy().formula())
                .isEqualTo(new ScoreFormula(1.0, 0.0));
    }

    @Test
    void dnsTakesTheSameWeights() {
        CommandLine cl = Farmgate.commandLine();
        cl.parseArgs("dns", "--redis=redis://127.0.0.1:1", "--farm=f", "--zone=farm.example.com", "--score-cpu-weight=0.5");
        DnsCommand dns = cl.getSubcommands().get("dns").getCommand();
        assertThat(dns.farmReader.snapshotPolicy().formula()).isEqualTo(new ScoreFormula(0.7, 0.5));
    }

    @Test
    void negativeWeightExitsWithUsageCodeNamingTheField() {
        CommandLine cl = Farmgate.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        int code = cl.execute("gateway", "--redis=redis://127.0.0.1:1", "--farm=f", "--listen=127.0.0.1:0",
                "--admin-listen=127.0.0.1:0", "--score-cpu-weight=-1");
        assertThat(code).isEqualTo(Farmgate.EXIT_USAGE);
        assertThat(err.toString()).contains("cpuWeight: -1.0 (expected: >= 0)");
    }

    private static DnsCommand parsedDns(String... extra) {
        CommandLine cl = Farmgate.commandLine();
        String[] base = {"dns", "--redis=redis://127.0.0.1:1", "--farm=f", "--zone=farm.example.com"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        cl.parseArgs(args);
        return cl.getSubcommands().get("dns").getCommand();
    }

    @Test
    void dnsCountsOneAnswerAsFifteenClientsByDefault() {
        assertThat(parsedDns().dnsConfig().clientsPerAnswer()).isEqualTo(15);
    }

    @Test
    void dnsAnswerWeightFollowsTheCacheOptions() {
        assertThat(parsedDns("--answer-cache-seconds", "30", "--new-clients-per-cache-second", "2")
                .dnsConfig().clientsPerAnswer()).isEqualTo(60);
    }

    @Test
    void dnsBatchesUdpUnlessToldNotTo() {
        assertThat(parsedDns().dnsConfig().udpBatching()).isTrue();
        assertThat(parsedDns("--udp-batching=false").dnsConfig().udpBatching()).isFalse();
    }

    @Test
    void answerCacheSecondsOutOfRangeIsRefusedNamingTheField() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> parsedDns("--answer-cache-seconds", "-1").dnsConfig())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("answerCacheSeconds: -1");
    }
}
