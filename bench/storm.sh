#!/usr/bin/env bash
# A connection storm at the front door (not a test): 20,000 new connections within 2 s from
# loopback (an open-loop schedule of 10,000 connections/s, `Connection: close`, each asking for a
# redirect), against the real `farmgate gateway` reading a farm of 32 heartbeating hosts. Every
# connection must get a valid 307 with a Location; errors (refused or reset connections, timeouts,
# other answers) are counted. Prints errors, p50/p99/max latency (from when each connection was
# due, so a stall cannot hide) and the gateway's CPU over the storm; written to
# bench/results/storm.txt (or --results FILE).
#
# The gateway is pinned to SERVER_CPU (default 0); the generator (bench/src/c/openloop.c, built here
# with gcc), Redis and the fake hosts to LOAD_CPU (default 1).
#
# Usage: bench/storm.sh [--quick] [--connections N] [--seconds S] [--no-build] [--results FILE]
#   defaults: 20000 connections in 2 s, after a 10 s warm-up (wrk and a slower storm)
#   --quick:  a 2 s warm-up and a storm of 2000 connections in 1 s (checks that the script works)
# Needs java, mvn, gcc, wrk and redis-server; stops only the processes it started, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# shellcheck source=bench/farm-lib.sh
. "$ROOT/bench/farm-lib.sh"

STORM_CONNECTIONS=20000
STORM_SECONDS=2
WARMUP=10
HOSTS="${HOSTS:-32}"
RESULTS="$ROOT/bench/results/storm.txt"
BUILD=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) WARMUP=2; STORM_CONNECTIONS=2000; STORM_SECONDS=1; shift ;;
    --connections) STORM_CONNECTIONS=$2; shift 2 ;;
    --seconds) STORM_SECONDS=$2; shift 2 ;;
    --results) RESULTS=$2; shift 2 ;;
    --no-build) BUILD=""; shift ;;
    *) echo "unknown option: $1 (expected --quick, --connections, --seconds, --results, --no-build)" >&2; exit 2 ;;
  esac
done
for v in STORM_CONNECTIONS STORM_SECONDS HOSTS; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || { echo "$v: ${!v} (expected: a whole number > 0)" >&2; exit 2; }
done
[ "$STORM_CONNECTIONS" -le 25000 ] || { echo "--connections: $STORM_CONNECTIONS (expected: <= 25000, loopback has ~28000 ephemeral ports)" >&2; exit 2; }

SERVER_CPU="${SERVER_CPU:-0}"
LOAD_CPU="${LOAD_CPU:-1}"
[ "$(nproc)" -ge 2 ] || { SERVER_CPU=0; LOAD_CPU=0; echo "warning: one CPU only; everything shares it" >&2; }
REDIS_PORT="${REDIS_PORT:-28479}"
GATEWAY_PORT="${GATEWAY_PORT:-28180}"
FARM=stormbench
CLK_TCK=$(getconf CLK_TCK)
JAR="$ROOT/cli/target/farmgate.jar"
BENCH_JAR="$ROOT/bench/target/benchmarks.jar"
PATH_Q="/chat?room=1"

for tool in wrk redis-server java; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool is needed (Debian: apt-get install $tool)" >&2; exit 1; }
done
for p in "$REDIS_PORT" "$GATEWAY_PORT" "$((GATEWAY_PORT + 1))"; do
  if port_taken "$p"; then
    echo "port $p is taken by another process; set REDIS_PORT / GATEWAY_PORT" >&2
    exit 1
  fi
done

WORK=$(mktemp -d /tmp/farmgate-storm.XXXXXX)
PIDS=()
trap stop_started EXIT INT TERM

build_jars
build_openloop
start_farm "$REDIS_PORT" "$FARM" "$HOSTS" "$LOAD_CPU"
start_farmgate_gateway "$GATEWAY_PORT" "$REDIS_PORT" "$FARM" "$SERVER_CPU"
wait_http "http://127.0.0.1:$GATEWAY_PORT$PATH_Q" 307 gateway
wait_hosts "http://127.0.0.1:$GATEWAY_PORT/readyz" "$HOSTS"

storm() {
  taskset -c "$LOAD_CPU" "$OPENLOOP" --target "127.0.0.1:$GATEWAY_PORT" --mode close --path "$PATH_Q" \
    --rate "$1" --count "$2" --timeout-millis 5000 2>>"$WORK/storm.err"
}
field() { tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$GATEWAY_PID/stat"; }

echo "warming up for ${WARMUP}s ..."
taskset -c "$LOAD_CPU" wrk -t1 -c50 -d"${WARMUP}s" -H "Connection: close" "http://127.0.0.1:$GATEWAY_PORT$PATH_Q" >/dev/null

rate=$((STORM_CONNECTIONS / STORM_SECONDS))
mkdir -p "$(dirname "$RESULTS")"
exec > >(tee "$RESULTS")
echo "# bench/storm.sh $(date -u +%Y-%m-%dT%H:%MZ), $HOSTS hosts heartbeating, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
before=$(cpu_ticks)
line=$(storm "$rate" "$STORM_CONNECTIONS" || true)
after=$(cpu_ticks)
echo "storm: $STORM_CONNECTIONS connections scheduled over ${STORM_SECONDS}s ($rate/s): $line"
errors=$(field errors <<<"$line")
echo "errors: ${errors:-?} of $STORM_CONNECTIONS; p50 $(field p50_ms <<<"$line") ms, p99 $(field p99_ms <<<"$line") ms, max $(field max_ms <<<"$line") ms"
awk -v t=$((after - before)) -v k="$CLK_TCK" -v n="$STORM_CONNECTIONS" \
  'BEGIN { printf "gateway CPU over the storm: %.0f ms, %.0f us per connection\n", t / k * 1000, t / k * 1e6 / n }'
if [ -s "$WORK/storm.err" ]; then
  echo "first errors:"; head -5 "$WORK/storm.err"
fi
echo "generator lateness (when it opened a connection minus when it was due): p99 $(field gen_lag_p99_ms <<<"$line") ms, max $(field gen_lag_max_ms <<<"$line") ms"
echo "(gateway on cpu $SERVER_CPU, generator, Redis and the fake hosts on cpu $LOAD_CPU; load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
[ "${errors:-1}" = 0 ]
