# shellcheck shell=bash
# Shell functions shared by bench/longlived.sh and bench/soak.sh (sourced, not run). They expect
# $WORK (the script's scratch directory, holding its *.log files) and $BUILD (non-empty: build).

# build_jars: the farmgate CLI jar and the bench jar, with the reactor (never `mvn install`).
build_jars() {
  if [ -n "$BUILD" ]; then
    echo "building the farmgate and bench jars ..." >&2
    mvn -B -q -o package -pl cli,bench -am -DskipTests >"$WORK/build.log" 2>&1 \
      || mvn -B -q package -pl cli,bench -am -DskipTests >&2
  fi
}

# port_taken PORT: whether something already listens on 127.0.0.1:PORT (TCP).
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_http URL CODE WHAT: waits up to 30 s for URL to answer CODE; else shows the logs and exits.
wait_http() {
  for _ in $(seq 1 150); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" 2>/dev/null)" = "$2" ] && return 0
    sleep 0.2
  done
  echo "$3 did not answer $2 on $1 within 30 s; logs in $WORK:" >&2
  tail -n 20 "$WORK"/*.log >&2 || true
  exit 1
}

# stop_started: stops what the script started (the PIDs in the PIDS array), by PID, then removes
# $WORK. For `trap stop_started EXIT INT TERM`.
stop_started() {
  # SHOW_ERRORS=1: the load generators' error lines, before they go with $WORK.
  if [ -n "${SHOW_ERRORS:-}" ]; then cat "$WORK"/*.err >&2 2>/dev/null || true; fi
  for pid in "${PIDS[@]:-}"; do
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  done
  for pid in "${PIDS[@]:-}"; do
    if [ -n "$pid" ]; then wait "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$WORK"
}

# start_farm REDIS_PORT FARM HOSTS CPU: Redis and HOSTS fake hosts heartbeating into FARM through the
# registry protocol (one process for all of them), pinned to CPU; their PIDs go into PIDS. Both run
# at nice 19: they stand for machines elsewhere and share CPU with the load generators, whose
# schedule they must not delay (a waking generator preempts them at once).
start_farm() {
  taskset -c "$4" nice -n 19 redis-server --port "$1" --bind 127.0.0.1 --save '' --appendonly no >"$WORK/redis.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 50); do redis-cli -p "$1" ping >/dev/null 2>&1 && break; sleep 0.1; done
  taskset -c "$4" nice -n 19 java -Xms64m -Xmx128m -XX:+UseSerialGC -cp "$BENCH_JAR" io.farmgate.bench.FakeHosts \
    --redis "redis://127.0.0.1:$1" --farm "$2" --hosts "$3" --url-base "ws://127.0.0.11:9001" >"$WORK/hosts.log" 2>&1 &
  PIDS+=($!)
}

# wait_hosts URL HOSTS: waits up to 20 s for the gateway's /readyz (URL) to count HOSTS eligible hosts.
wait_hosts() {
  for _ in $(seq 1 100); do
    [ "$(curl -s "$1" | grep -o '"eligibleHosts":[0-9]*' | cut -d: -f2)" = "$2" ] && return 0
    sleep 0.2
  done
  echo "the gateway did not see $2 hosts within 20 s: $(curl -s "$1")" >&2
  exit 1
}

# What the launcher gives `farmgate gateway` (GatewayCommand.LAUNCHER_JAVA_OPTS), for every script that
# starts the gateway with `java -jar` itself.
GATEWAY_JAVA_OPTS="-XX:-UsePerfData -XX:+UnlockDiagnosticVMOptions -XX:GuaranteedSafepointInterval=5000 -XX:AsyncDeflationInterval=5000"

# start_farmgate_gateway PORT REDIS_PORT FARM CPU: `farmgate gateway` as users run it (rebalancer on,
# tokens off; the launcher's JVM options for gateway, those it adds as root when this runs as root,
# then a fixed heap and GC) on 127.0.0.1:PORT,
# admin on PORT+1, pinned to CPU; sets GATEWAY_PID (also in PIDS).
start_farmgate_gateway() {
  local as_root=""
  # What the launcher adds as root (GatewayCommand.LAUNCHER_ROOT_JAVA_OPTS): background threads below the event loops.
  [ "$(id -u)" = 0 ] && as_root="-XX:ThreadPriorityPolicy=1 -XX:JavaPriority1_To_OSPriority=19 -XX:JavaPriority6_To_OSPriority=0 -XX:JavaPriority7_To_OSPriority=0 -XX:JavaPriority8_To_OSPriority=0 -XX:JavaPriority9_To_OSPriority=0 -XX:JavaPriority10_To_OSPriority=0"
  # shellcheck disable=SC2086 # lists of JVM options
  taskset -c "$4" java $GATEWAY_JAVA_OPTS $as_root -Xms256m -Xmx256m -XX:+UseParallelGC -jar "$JAR" gateway \
    --redis "redis://127.0.0.1:$2" --farm "$3" --listen "127.0.0.1:$1" \
    --admin-listen "127.0.0.1:$(($1 + 1))" --admin-token bench-admin-token-not-secret >"$WORK/gateway.log" 2>&1 &
  GATEWAY_PID=$!
  PIDS+=("$GATEWAY_PID")
}

# build_openloop: compiles the open-loop generator bench/src/c/openloop.c into bench/target/openloop
# with gcc (under a second; done on every run, --no-build or not, so it always matches its source) and
# runs its self-test; sets OPENLOOP. Needs $ROOT.
build_openloop() {
  command -v gcc >/dev/null 2>&1 \
    || { echo "gcc is needed to build the open-loop generator bench/src/c/openloop.c (Debian: apt-get install gcc)" >&2; exit 1; }
  OPENLOOP="$ROOT/bench/target/openloop"
  mkdir -p "$ROOT/bench/target"
  gcc -O2 -Wall -Wextra -Werror -o "$OPENLOOP" "$ROOT/bench/src/c/openloop.c" -lm >&2 \
    || { echo "bench/src/c/openloop.c did not compile (gcc above)" >&2; exit 1; }
  "$OPENLOOP" --self-test >/dev/null || { echo "the open-loop generator's self-test failed (above)" >&2; exit 1; }
}
