package io.farmgate.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuReadingTest {

    @Test
    void usageIsBusyShareOfAvailableTimeBetweenReadings() {
        CpuTime earlier = new CpuTime(1_000, 10_000);
        CpuTime later = new CpuTime(4_000, 20_000);

        assertThat(later.usageSince(earlier)).isCloseTo(0.3, within(1e-9));
    }

    @Test
    void usageIsUndefinedWhenNoTimePassed() {
        CpuTime same = new CpuTime(1_000, 10_000);

        assertThat(same.usageSince(same)).isNaN();
    }

    @Test
    void procStatLineCountsIdleAndIowaitAsIdle() throws IOException {
        // user nice system idle iowait irq softirq steal guest guest_nice
        CpuTime t = ProcStatCpu.parse("cpu  100 20 30 800 50 0 0 0 7 0");

        assertThat(t.busyNanos()).isEqualTo(150 * ProcStatCpu.NANOS_PER_TICK);
        assertThat(t.availableNanos()).isEqualTo(1000 * ProcStatCpu.NANOS_PER_TICK);
    }

    @Test
    void procStatLineThatIsNotTheAggregateIsRejected() {
        assertThatThrownBy(() -> ProcStatCpu.parse("intr 12 3 4 5"))
                .isInstanceOf(IOException.class);
    }

    @Test
    void pidStatFieldsAreCountedAfterACommandNameHoldingSpacesAndParentheses() throws IOException {
        String stat = "4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 1000 0 0 0 77 23 0 0 20 0 9 0 500";

        assertThat(ProcPidCpu.parseBusyTicks(stat)).isEqualTo(100);
    }

    @Test
    void truncatedPidStatIsRejected() {
        assertThatThrownBy(() -> ProcPidCpu.parseBusyTicks("4242 (x) S 1 2 3"))
                .isInstanceOf(IOException.class);
    }

    @Test
    void pidFileIsFollowedToTheProcessItNames(@TempDir Path dir) throws IOException {
        Path procRoot = dir.resolve("proc");
        Files.createDirectories(procRoot.resolve("77"));
        Files.writeString(procRoot.resolve("77").resolve("stat"),
                "77 (node) S 1 77 77 0 -1 0 0 0 0 0 300 200 0 0 20 0 9 0 500");
        Path pidFile = dir.resolve("app.pid");
        Files.writeString(pidFile, "77\n");
        var source = new ProcPidCpu(procRoot, () -> ProcPidCpu.readPidFile(pidFile), () -> 1_000L, 2);

        CpuTime t = source.read();

        assertThat(t.busyNanos()).isEqualTo(500 * ProcStatCpu.NANOS_PER_TICK);
        assertThat(t.availableNanos()).isEqualTo(2_000L);
    }

    @Test
    void pidFileWithoutANumberIsAReadError(@TempDir Path dir) throws IOException {
        Path pidFile = dir.resolve("app.pid");
        Files.writeString(pidFile, "not-a-pid");
        var source = new ProcPidCpu(dir, () -> ProcPidCpu.readPidFile(pidFile), () -> 0L, 1);

        assertThatThrownBy(source::read).isInstanceOf(IOException.class).hasMessageContaining("app.pid");
    }

    @Test
    void thisHostsProcStatIsReadable() throws IOException {
        CpuTime t = CpuSource.wholeHost().read();

        assertThat(t.availableNanos()).isGreaterThan(t.busyNanos()).isPositive();
    }

    @Test
    void thisJvmsOwnProcessCanBeReadThroughProc() throws IOException {
        CpuTime t = CpuSource.process(ProcessHandle.current().pid()).read();

        assertThat(t.busyNanos()).isPositive();
    }
}
