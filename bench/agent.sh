#!/usr/bin/env bash
# Agent cost benchmark (not a test): CPU and memory of farmgate's agents at steady state.
#
# Measured, all at once, on loopback, with one real redis-server:
#   sidecar-jvm-defaults  `java -jar farmgate.jar agent` (no JVM options) beside an idle backend
#   sidecar               `./farmgate agent` (the launcher's lean JVM defaults) beside the same backend
#   backend               `./farmgate backend`, the demo chat server (Javalin/Jetty, a Redis chat relay)
#                         with the Java agent embedded, no clients: the whole process
#   backend-agent-threads the embedded agent's own threads in that process (named farmgate-agent-* and
#                         farmgate-nudge-*): what the agent adds to its host, less its share of the
#                         Lettuce I/O thread it shares with the chat relay (the backend cannot run
#                         without its agent, so a with/without comparison is not possible)
#   node-agent            a Node.js ws server with @farmgate/agent in-process, no clients
#   node-bare             the same ws server without the agent: node-agent minus node-bare is the
#                         Node agent's cost
# For each: CPU = utime + stime from /proc/PID/stat, read after the warm-up and again after the
# measuring period, divided by its length (ms of CPU per s; /proc counts in 10 ms ticks, so over
# 60 s the resolution is 0.17 ms/s), and how much of it is system (kernel) time; RSS = VmRSS from
# /proc/PID/status at the end, and its peak (VmHWM).
# Every agent heartbeats once a second (the default) and has no target or drain: steady state.
#
# Results: printed, and written to bench/results/agent.txt (unless --no-write).
# Usage: bench/agent.sh [--duration SECONDS] [--warmup SECONDS] [--no-build] [--no-write]
# Needs: Java 17, Maven, redis-server, node 20+ with node/agent's dependencies (npm ci in node/agent).
# Every process it starts is stopped by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

DURATION=60
WARMUP=60
BUILD=yes
WRITE=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --no-build) BUILD=""; shift ;;
    --no-write) WRITE=""; shift ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done

for tool in java mvn redis-server node; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench/agent.sh needs $tool" >&2; exit 1; }
done
[ -d node/agent/node_modules ] || { echo "run 'npm ci' in node/agent first" >&2; exit 1; }

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ -n "$BUILD" ]; then
  echo "building the farmgate jar ..." >&2
  mvn -B -q -o package -pl cli -am -DskipTests >"$WORK/build.log" 2>&1 \
    || mvn -B -q package -pl cli -am -DskipTests >&2
fi
JAR="$ROOT/cli/target/farmgate.jar"
# The launcher rebuilds with `mvn install` when the jar is older than a source; the jar was just
# built, so the launcher only picks its JVM options. Make sure it is not stale anyway.
if [ -n "$(find "$ROOT" \( -name '*.java' -o -name '*.c' \) -path '*/src/main/*' -newer "$JAR" -print -quit)" ] \
   || [ -n "$(find "$ROOT" -name pom.xml -newer "$JAR" -print -quit)" ]; then
  echo "$JAR is older than the sources: run without --no-build" >&2; exit 1
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no >"$WORK/redis.log" 2>&1 &
PIDS+=($!)
REDIS="redis://127.0.0.1:$REDIS_PORT"
for _ in $(seq 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

# The idle backend the sidecars watch: a ws server without an agent.
node_host() { # NAME AGENT(on|off) -> pid; the host prints {"port": N} when ready
  FG_REDIS=$REDIS FG_FARM=bench FG_HOST_ID=$1 FG_AGENT=$2 node node/agent/test/support/host.js >"$WORK/$1.out" 2>"$WORK/$1.log" &
  PIDS+=($!)
  eval "$3=$!"
}
node_host node-bare off BARE_PID
node_host node-agent on NODE_PID
for _ in $(seq 100); do [ -s "$WORK/node-bare.out" ] && [ -s "$WORK/node-agent.out" ] && break; sleep 0.1; done
BACKEND_PORT=$(sed 's/[^0-9]//g' "$WORK/node-bare.out")

java -jar "$JAR" agent --redis "$REDIS" --farm bench --host-id sidecar-jvm-defaults --port "$BACKEND_PORT" \
  --pid "$BARE_PID" >"$WORK/sidecar-jvm-defaults.log" 2>&1 &
PIDS+=($!); SIDECAR_DEFAULT_PID=$!
./farmgate agent --redis "$REDIS" --farm bench --host-id sidecar --port "$BACKEND_PORT" \
  --pid "$BARE_PID" >"$WORK/sidecar.log" 2>&1 &
PIDS+=($!); SIDECAR_PID=$!
DEMO_PORT=$(free_port)
./farmgate backend --redis "$REDIS" --farm bench --host-id backend --port "$DEMO_PORT" >"$WORK/backend.log" 2>&1 &
PIDS+=($!); BACKEND_PID=$!

NAMES=(sidecar-jvm-defaults sidecar backend node-agent node-bare)
PIDOF=([0]=$SIDECAR_DEFAULT_PID [1]=$SIDECAR_PID [2]=$BACKEND_PID [3]=$NODE_PID [4]=$BARE_PID)

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
user_ticks() { awk '{ print $14 }' "/proc/$1/stat"; }
# agent_thread_ticks PID: CPU ticks of the threads the embedded agent owns (comm is cut at 15 characters).
agent_thread_ticks() {
  local sum=0 t
  for t in /proc/"$1"/task/*; do
    case "$(cat "$t/comm" 2>/dev/null)" in
      farmgate-agent*|farmgate-nudge*) sum=$((sum + $(awk '{ print $14 + $15 }' "$t/stat" 2>/dev/null || echo 0))) ;;
    esac
  done
  echo "$sum"
}
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

echo "warming up for $WARMUP s ..." >&2
sleep "$WARMUP"
declare -A START
declare -A START_USER
for i in "${!NAMES[@]}"; do START[$i]=$(cpu_ticks "${PIDOF[$i]}"); START_USER[$i]=$(user_ticks "${PIDOF[$i]}"); done
AGENT_THREADS_START=$(agent_thread_ticks "$BACKEND_PID")
echo "measuring for $DURATION s ..." >&2
sleep "$DURATION"
HZ=$(getconf CLK_TCK)

{
  echo "# bench/agent.sh, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# steady state: heartbeat every 1 s, no target or drain, no clients; ${DURATION} s after ${WARMUP} s warm-up"
  # The sidecar reads /proc/net/tcp(6) every heartbeat: its cost grows with the host's sockets.
  echo "# sockets on this host: $(($(wc -l </proc/net/tcp) - 1)) in /proc/net/tcp, $(($(wc -l </proc/net/tcp6 2>/dev/null || echo 1) - 1)) in /proc/net/tcp6"
  printf '%-22s %12s %10s %10s %10s\n' process "CPU ms/s" "of it sys" "RSS MB" "peak MB"
  for i in "${!NAMES[@]}"; do
    pid=${PIDOF[$i]}
    end=$(cpu_ticks "$pid")
    ms=$(awk -v a="${START[$i]}" -v b="$end" -v hz="$HZ" -v d="$DURATION" 'BEGIN { printf "%.2f", (b - a) * 1000 / hz / d }')
    sys=$(awk -v a="$((START[$i] - START_USER[$i]))" -v b="$((end - $(user_ticks "$pid")))" -v hz="$HZ" -v d="$DURATION" \
      'BEGIN { printf "%.2f", (b - a) * 1000 / hz / d }')
    rss=$(awk -v k="$(status_kb "$pid" VmRSS)" 'BEGIN { printf "%.1f", k / 1024 }')
    hwm=$(awk -v k="$(status_kb "$pid" VmHWM)" 'BEGIN { printf "%.1f", k / 1024 }')
    printf '%-22s %12s %10s %10s %10s\n' "${NAMES[$i]}" "$ms" "$sys" "$rss" "$hwm"
    if [ "${NAMES[$i]}" = backend ]; then
      ms=$(awk -v a="$AGENT_THREADS_START" -v b="$(agent_thread_ticks "$pid")" -v hz="$HZ" -v d="$DURATION" \
        'BEGIN { printf "%.2f", (b - a) * 1000 / hz / d }')
      printf '%-22s %12s %10s %10s %10s\n' backend-agent-threads "$ms" - - -
    fi
  done
  echo "# launcher JVM options for agent: $(sed -n 's/^  agent) defaults="\(.*\)" ;;$/\1/p' farmgate)"
  echo "# sidecar heartbeats: $(redis-cli -p "$REDIS_PORT" get 'fg:{bench}:host:sidecar' | sed 's/.*"sequence":\([0-9]*\).*/sequence \1/')"
} | tee "$WORK/result.txt"
if [ -n "$WRITE" ]; then
  mkdir -p bench/results
  cp "$WORK/result.txt" bench/results/agent.txt
fi
