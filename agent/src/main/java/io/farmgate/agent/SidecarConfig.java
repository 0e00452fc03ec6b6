package io.farmgate.agent;

import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What the sidecar agent ({@code farmgate agent}) is told once, validated once.
 *
 * @param agent            identity, Redis and timing of the agent
 * @param port             the backend's local port whose ESTABLISHED connections are counted
 * @param pid              process whose CPU is measured, or 0 (see {@code pidFile}, else the whole host)
 * @param pidFile          file holding that process id, re-read every sample; null for none
 * @param shedUrl          the backend's shed hook ({@code POST {"count": N, "closeCode": 1012}}); null: cannot shed
 * @param shedTimeoutMillis longest wait for one hook call
 */
public record SidecarConfig(AgentConfig agent, int port, long pid, Path pidFile, URI shedUrl, long shedTimeoutMillis) {

    public SidecarConfig {
        Objects.requireNonNull(agent, "agent");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: in [1, 65535])");
        }
        if (pid < 0) {
            throw new IllegalArgumentException("pid: " + pid + " (expected: > 0, or 0 for none)");
        }
        if (pid > 0 && pidFile != null) {
            throw new IllegalArgumentException("pidFile: " + pidFile + " (expected: either pid or pidFile, not both)");
        }
        if (shedUrl != null && !("http".equalsIgnoreCase(shedUrl.getScheme())
                || "https".equalsIgnoreCase(shedUrl.getScheme())) || shedUrl != null && shedUrl.getHost() == null) {
            throw new IllegalArgumentException("shedUrl: '" + shedUrl + "' (expected: an http:// or https:// URL with a host)");
        }
        if (shedTimeoutMillis <= 0 || shedTimeoutMillis > 60_000) {
            throw new IllegalArgumentException("shedTimeoutMillis: " + shedTimeoutMillis + " (expected: in [1, 60000])");
        }
    }

    /** Where the sidecar reads CPU use: the given process, else the whole host. */
    CpuSource cpuSource() {
        if (pid > 0) {
            return CpuSource.process(pid);
        }
        if (pidFile != null) {
            return CpuSource.processFromPidFile(pidFile);
        }
        return CpuSource.wholeHost();
    }
}
