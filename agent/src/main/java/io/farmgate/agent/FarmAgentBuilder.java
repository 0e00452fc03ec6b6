package io.farmgate.agent;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntSupplier;
import java.util.random.RandomGenerator;

/**
 * Assembles a {@link FarmAgent}: the host's identity, the application's two callbacks (how many
 * connections it holds; shed some), where Redis is, and optionally the timing. Every value is
 * checked when {@link #build()} runs; the message names the field.
 */
public final class FarmAgentBuilder {

    private String redisUri;
    private java.nio.file.Path redisCaFile;
    private String farm;
    private String hostId;
    private String url;
    private String address;
    private String zone = "";
    private int capacity;
    private double weight = 1.0;
    private long heartbeatIntervalMillis = AgentConfig.DEFAULT_HEARTBEAT_INTERVAL_MILLIS;
    private long heartbeatTtlMillis = AgentConfig.DEFAULT_HEARTBEAT_TTL_MILLIS;
    private long cpuHalfLifeMillis = AgentConfig.DEFAULT_CPU_HALF_LIFE_MILLIS;
    private long drainPeriodMillis = AgentConfig.DEFAULT_DRAIN_PERIOD_MILLIS;
    private double shedFractionPerSecond = AgentConfig.DEFAULT_SHED_FRACTION_PER_SECOND;
    private int minShedPerSecond = AgentConfig.DEFAULT_MIN_SHED_PER_SECOND;
    private long shedTickMillis = AgentConfig.DEFAULT_SHED_TICK_MILLIS;
    private IntSupplier connections;
    private ShedHandler shedHandler;
    private Clock clock = Clock.systemUTC();
    private ScheduledExecutorService scheduler;
    private RandomGenerator random;
    private CpuSource cpuSource;
    private boolean leanRegistryLink;

    FarmAgentBuilder() {
    }

    /** Takes every value of a config made elsewhere (e.g. by the command line). */
    public FarmAgentBuilder config(AgentConfig c) {
        redisUri = c.redisUri();
        farm = c.farm();
        hostId = c.hostId();
        url = c.url();
        address = c.address();
        zone = c.zone();
        capacity = c.capacity();
        weight = c.weight();
        heartbeatIntervalMillis = c.heartbeatIntervalMillis();
        heartbeatTtlMillis = c.heartbeatTtlMillis();
        cpuHalfLifeMillis = c.cpuHalfLifeMillis();
        drainPeriodMillis = c.drainPeriodMillis();
        shedFractionPerSecond = c.shedFractionPerSecond();
        minShedPerSecond = c.minShedPerSecond();
        shedTickMillis = c.shedTickMillis();
        redisCaFile = c.redisCaFile();
        return this;
    }

    /** Where the farm's registry is: {@code redis://host:port} (also rediss, sentinel, cluster). */
    public FarmAgentBuilder redis(String uri) {
        redisUri = uri;
        return this;
    }

    /** PEM CA certificate(s) a {@code rediss} registry must chain to; null (default) for the JVM's trust store. */
    public FarmAgentBuilder redisCaFile(java.nio.file.Path file) {
        redisCaFile = file;
        return this;
    }

    public FarmAgentBuilder farm(String value) {
        farm = value;
        return this;
    }

    public FarmAgentBuilder hostId(String value) {
        hostId = value;
        return this;
    }

    /** Base URL clients are sent to, e.g. {@code ws://10.0.0.5:9001}. */
    public FarmAgentBuilder url(String value) {
        url = value;
        return this;
    }

    /** IP literal the DNS front door answers with. */
    public FarmAgentBuilder address(String value) {
        address = value;
        return this;
    }

    public FarmAgentBuilder zone(String value) {
        zone = value;
        return this;
    }

    /** Most connections the host accepts. */
    public FarmAgentBuilder capacity(int value) {
        capacity = value;
        return this;
    }

    /** The host's own share of new clients, 1 is normal. */
    public FarmAgentBuilder weight(double value) {
        weight = value;
        return this;
    }

    /** How many connections the application holds now, leaving out those it was asked to close. */
    public FarmAgentBuilder connections(IntSupplier value) {
        connections = value;
        return this;
    }

    /** What closes connections when the agent sheds; see {@link ShedHandler}. */
    public FarmAgentBuilder shedHandler(ShedHandler value) {
        shedHandler = value;
        return this;
    }

    public FarmAgentBuilder heartbeatInterval(Duration value) {
        heartbeatIntervalMillis = value.toMillis();
        return this;
    }

    public FarmAgentBuilder heartbeatTtl(Duration value) {
        heartbeatTtlMillis = value.toMillis();
        return this;
    }

    public FarmAgentBuilder cpuHalfLife(Duration value) {
        cpuHalfLifeMillis = value.toMillis();
        return this;
    }

    public FarmAgentBuilder drainPeriod(Duration value) {
        drainPeriodMillis = value.toMillis();
        return this;
    }

    /** At most this share of the connections is shed per second toward a target; at least {@code minPerSecond}. */
    public FarmAgentBuilder shedRate(double fractionPerSecond, int minPerSecond) {
        shedFractionPerSecond = fractionPerSecond;
        minShedPerSecond = minPerSecond;
        return this;
    }

    public FarmAgentBuilder shedTick(Duration value) {
        shedTickMillis = value.toMillis();
        return this;
    }

    /** Where CPU use is read; default: this process. */
    public FarmAgentBuilder cpuSource(CpuSource value) {
        cpuSource = value;
        return this;
    }

    public FarmAgentBuilder clock(Clock value) {
        clock = value;
        return this;
    }

    /** Runs the agent's tasks; default: two daemon threads of its own. Should have 2+ threads. */
    public FarmAgentBuilder scheduler(ScheduledExecutorService value) {
        scheduler = value;
        return this;
    }

    /** Random source for shed jitter; default: {@link ThreadLocalRandom}. */
    public FarmAgentBuilder random(RandomGenerator value) {
        random = value;
        return this;
    }

    /**
     * Whether to reach Redis over the lean link (blocking sockets, no Lettuce, Reactor or Netty
     * loaded) where the URI allows it: standalone and Sentinel, not Cluster. The sidecar does; an
     * embedded agent shares its host's Lettuce by default.
     */
    FarmAgentBuilder leanRegistryLink(boolean value) {
        leanRegistryLink = value;
        return this;
    }

    /** The validated configuration these values make. */
    public AgentConfig buildConfig() {
        return new AgentConfig(redisUri, farm, hostId, url, address, zone, capacity, weight, heartbeatIntervalMillis,
                heartbeatTtlMillis, cpuHalfLifeMillis, drainPeriodMillis, shedFractionPerSecond, minShedPerSecond,
                shedTickMillis, redisCaFile);
    }

    /** The agent, not yet started. */
    public FarmAgent build() {
        AgentConfig config = buildConfig();
        if (connections == null) {
            throw new IllegalArgumentException("connections: not set (expected: a supplier of the open connection count)");
        }
        if (shedHandler == null) {
            throw new IllegalArgumentException("shedHandler: not set (expected: a handler that closes connections)");
        }
        return new FarmAgent(config, connections, shedHandler, clock, scheduler,
                random != null ? random : FarmAgentBuilder::threadLocalLong,
                cpuSource != null ? cpuSource : CpuSource.thisProcess(),
                registryLink(config));
    }

    private RegistryLink registryLink(AgentConfig config) {
        if (leanRegistryLink) {
            RegistryLink lean = LeanRegistryLink.of(config.registryConfig());
            if (lean != null) {
                return lean;
            }
        }
        return new RedisRegistryLink(config, clock);
    }

    /** ThreadLocalRandom must be asked on the thread that uses it, so it is looked up per call. */
    private static long threadLocalLong() {
        return ThreadLocalRandom.current().nextLong();
    }

    /** Builds and starts the agent. */
    public FarmAgent start() {
        return build().start();
    }
}
