#!/usr/bin/env bash
# Broadcast cost (not a test): the demo backend's room positions (a Redis stream per room, XADD in a
# script, an XREAD BLOCK loop per host; docs/registry.md) against the pub/sub relay it replaces
# (`--room-positions false`: PUBLISH, one subscription per host, no positions, no resume).
#
# The same farm runs twice, once per mode: Redis and N demo backends (`farmgate backend`, one process
# each); L listener clients in one room spread over the backends and one sender per backend
# (bench/src/.../BroadcastLoad.java). Per mode:
#   rate phase  R broadcasts/s for S seconds: CPU (utime + stime of every backend, /proc) per broadcast
#   max phase   W messages in flight per sender for S seconds: broadcasts/s the farm confirms
# Then the ratio positions/pub-sub of the CPU per broadcast (the issue's target: <= 1.3x).
#
# Loopback only. Redis and the backends are pinned to SERVER_CPUS (default 1), the load driver to
# LOAD_CPU (default 0). Every process it starts is stopped by PID.
#
# Usage: bench/broadcast.sh [--backends N] [--listeners L] [--rate R] [--seconds S] [--window W]
#                           [--quick] [--results FILE] [--no-build]
#   defaults: 3 backends, 300 listeners, 200 broadcasts/s, 30 s per phase, window 20
#   --quick:  60 listeners, 50 broadcasts/s, 5 s per phase, 2 s warm-up (a check that the script works)
# Results: printed, and written to bench/results/broadcast.txt (or --results FILE).
# Needs Java 17, Maven and redis-server.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# shellcheck source=bench/farm-lib.sh
. "$ROOT/bench/farm-lib.sh"

BACKENDS=3
LISTENERS=300
RATE=200
SECONDS_PER_PHASE=30
WARMUP=10
WINDOW=20
RESULTS="$ROOT/bench/results/broadcast.txt"
BUILD=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --backends) BACKENDS=$2; shift 2 ;;
    --listeners) LISTENERS=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --seconds) SECONDS_PER_PHASE=$2; shift 2 ;;
    --window) WINDOW=$2; shift 2 ;;
    --quick) LISTENERS=60; RATE=50; SECONDS_PER_PHASE=5; WARMUP=2; shift ;;
    --results) RESULTS=$2; shift 2 ;;
    --no-build) BUILD=""; shift ;;
    *) echo "unknown option: $1 (expected --backends, --listeners, --rate, --seconds, --window, --quick, --results, --no-build)" >&2; exit 2 ;;
  esac
done
for v in BACKENDS LISTENERS RATE SECONDS_PER_PHASE WINDOW; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || { echo "$v: ${!v} (expected: a whole number > 0)" >&2; exit 2; }
done
[ "$LISTENERS" -le 20000 ] || { echo "--listeners: $LISTENERS (expected: <= 20000)" >&2; exit 2; }
[ "$SECONDS_PER_PHASE" -le 600 ] || { echo "--seconds: $SECONDS_PER_PHASE (expected: <= 600)" >&2; exit 2; }

REDIS_PORT="${REDIS_PORT:-29479}"
BACKEND_BASE_PORT="${BACKEND_BASE_PORT:-29200}"
FARM=broadcast
if [ "$(nproc)" -ge 2 ]; then
  SERVER_CPUS="${SERVER_CPUS:-1}"
  LOAD_CPU="${LOAD_CPU:-0}"
else
  SERVER_CPUS=0
  LOAD_CPU=0
  echo "warning: one CPU only; everything shares it" >&2
fi
CLK_TCK=$(getconf CLK_TCK)
JAR="$ROOT/cli/target/farmgate.jar"
BENCH_JAR="$ROOT/bench/target/benchmarks.jar"

WORK=$(mktemp -d /tmp/farmgate-broadcast.XXXXXX)
PIDS=()
cleanup() {
  # Only what this script started, by PID.
  for pid in "${PIDS[@]:-}"; do
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  done
  for pid in "${PIDS[@]:-}"; do
    if [ -n "$pid" ]; then wait "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

command -v redis-server >/dev/null 2>&1 || { echo "redis-server is needed on PATH (apt-get install redis-server)" >&2; exit 1; }
for p in "$REDIS_PORT" $(seq $((BACKEND_BASE_PORT + 1)) $((BACKEND_BASE_PORT + BACKENDS))); do
  if port_taken "$p"; then
    echo "port $p is taken by another process; set REDIS_PORT / BACKEND_BASE_PORT" >&2
    exit 1
  fi
done

build_jars

taskset -c "$SERVER_CPUS" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
  >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
PIDS+=("$REDIS_PID")
for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

# run_mode LABEL POSITIONS: the farm in one mode, the driver against it, the farm stopped again.
run_mode() {
  local label=$1 positions=$2 urls="" pids="" backend_pids=()
  redis-cli -p "$REDIS_PORT" flushall >/dev/null
  for i in $(seq 1 "$BACKENDS"); do
    local port=$((BACKEND_BASE_PORT + i))
    taskset -c "$SERVER_CPUS" java -Xms128m -Xmx512m -XX:+UseSerialGC -jar "$JAR" backend \
      --redis "redis://127.0.0.1:$REDIS_PORT" --farm "$FARM" --port "$port" --host-id "b$i" \
      --capacity 100000 --room-positions "$positions" >"$WORK/backend-$label-$i.log" 2>&1 &
    PIDS+=($!)
    backend_pids+=($!)
    urls+="${urls:+,}ws://127.0.0.1:$port"
    pids+="${pids:+,}$!"
  done
  for i in $(seq 1 "$BACKENDS"); do
    wait_http "http://127.0.0.1:$((BACKEND_BASE_PORT + i))/healthz" 200 "backend b$i ($label)"
  done
  # Redis works for both modes: charge its CPU too (it is part of the relay's cost).
  taskset -c "$LOAD_CPU" java -Xms256m -Xmx512m -cp "$BENCH_JAR" io.farmgate.bench.BroadcastLoad \
    --backends "$urls" --pids "$pids,$REDIS_PID" --listeners "$LISTENERS" --rate "$RATE" \
    --seconds "$SECONDS_PER_PHASE" --warmup-seconds "$WARMUP" --window "$WINDOW" --clk-tck "$CLK_TCK" \
    --label "$label" | tee -a "$WORK/results.txt"
  for pid in "${backend_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${backend_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}

echo "broadcast cost: $BACKENDS backends, $LISTENERS listeners in one room, $RATE broadcasts/s, ${SECONDS_PER_PHASE} s per phase, window $WINDOW"
run_mode pubsub false
run_mode positions true

value() { grep "^$1 phase=$2 " "$WORK/results.txt" | sed -n "s/.* $3=\([0-9.]*\).*/\1/p"; }
cpu_pubsub=$(value pubsub rate cpu_ms_per_broadcast)
cpu_positions=$(value positions rate cpu_ms_per_broadcast)
max_pubsub=$(value pubsub max broadcasts_per_s)
max_positions=$(value positions max broadcasts_per_s)
mkdir -p "$(dirname "$RESULTS")"
{
  echo "# bench/broadcast.sh $(date -u +%Y-%m-%dT%H:%MZ): $BACKENDS backends, $LISTENERS listeners, $RATE/s, ${SECONDS_PER_PHASE}s, window $WINDOW, $(nproc) CPUs"
  cat "$WORK/results.txt"
  awk -v a="$cpu_positions" -v b="$cpu_pubsub" -v c="$max_positions" -v d="$max_pubsub" 'BEGIN {
    printf "CPU per broadcast (backends + Redis), positions / pub-sub: %.2fx (target <= 1.3x)\n", a / b;
    printf "most broadcasts per second, positions / pub-sub: %.2fx\n", c / d }'
} | tee "$RESULTS.tmp"
mv "$RESULTS.tmp" "$RESULTS"
