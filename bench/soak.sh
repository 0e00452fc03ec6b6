#!/usr/bin/env bash
# Soak (not a test): a real farm under steady load for a long time while parts of it fail.
#
# Starts Redis, three demo backends (`farmgate backend`), a gateway and a DNS server (`farmgate
# gateway`, `farmgate dns`) as processes on loopback, measures the farm's capacity for redirects
# (wrk), DNS queries (dnsperf) and WebSocket churn (307 + connect + one echoed message + close, by
# the driver), then runs all three at --fraction of that capacity for --minutes with the driver
# bench/src/.../SoakLoad.java, while:
#   at 25 % of the run  Redis is killed (SIGKILL) and restarted empty 20 s later (less in short runs);
#   at 55 %             backend 3 is killed (SIGKILL); at 75 % it is started again (slow start).
# Reports errors per kind (target 0; a churn client whose host is gone goes back through the gateway,
# as a cooperating client does -- "retried" -- and only a cycle that fails 3 attempts is an error),
# p50/p99 latency per interval (60 s; 15 s for runs under 3 minutes), and the RSS and the live heap
# (after a full GC, `jcmd GC.run`) of each JVM at the start, every interval and at the end.
# The forced GCs are short pauses of their own, seen by that interval's latencies.
#
# Usage: bench/soak.sh [--minutes N] [--fraction F] [--interval-seconds S] [--results FILE] [--no-build]
#   defaults: 10 minutes, 0.1 of the measured capacity, results appended to bench/results/soak.txt
# Loopback only; the farm is pinned to CPU 1 (FARM_CPU), the driver, wrk and dnsperf to CPU 0 (LOAD_CPU).
# Every process it starts is stopped by PID. Needs Java 17, Maven, redis-server, wrk, dnsperf, dig.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# shellcheck source=bench/farm-lib.sh
. "$ROOT/bench/farm-lib.sh"

MINUTES=10
FRACTION=0.1
INTERVAL=""
RESULTS="$ROOT/bench/results/soak.txt"
BUILD=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) MINUTES=$2; shift 2 ;;
    --fraction) FRACTION=$2; shift 2 ;;
    --interval-seconds) INTERVAL=$2; shift 2 ;;
    --results) RESULTS=$2; shift 2 ;;
    --no-build) BUILD=""; shift ;;
    *) echo "unknown option: $1 (expected --minutes, --fraction, --interval-seconds, --results, --no-build)" >&2; exit 2 ;;
  esac
done
if ! [[ "$MINUTES" =~ ^[1-9][0-9]*$ ]] || [ "$MINUTES" -gt 720 ]; then
  echo "--minutes: $MINUTES (expected: 1 to 720)" >&2
  exit 2
fi
awk -v f="$FRACTION" 'BEGIN { exit !(f > 0 && f <= 1) }' || { echo "--fraction: $FRACTION (expected: > 0 and <= 1)" >&2; exit 2; }
TOTAL=$((MINUTES * 60))
if [ -z "$INTERVAL" ]; then
  if [ "$MINUTES" -ge 3 ]; then INTERVAL=60; else INTERVAL=15; fi
fi
[[ "$INTERVAL" =~ ^[1-9][0-9]*$ ]] || { echo "--interval-seconds: $INTERVAL (expected: a whole number > 0)" >&2; exit 2; }

REDIS_PORT="${REDIS_PORT:-29479}"
BACKEND_BASE_PORT="${BACKEND_BASE_PORT:-29200}"
GATEWAY_PORT="${GATEWAY_PORT:-29280}"
ADMIN_PORT=$((GATEWAY_PORT + 1))
DNS_PORT="${DNS_PORT:-29353}"
DNS_METRICS_PORT=$((DNS_PORT + 1))
FARM=soak
ZONE=farm.example.com
if [ "$(nproc)" -ge 2 ]; then
  FARM_CPU="${FARM_CPU:-1}"
  LOAD_CPU="${LOAD_CPU:-0}"
else
  FARM_CPU=0
  LOAD_CPU=0
fi
JAR="$ROOT/cli/target/farmgate.jar"
BENCH_JAR="$ROOT/bench/target/benchmarks.jar"
REDIS_DOWN=$(( TOTAL / 10 < 20 ? (TOTAL / 10 < 5 ? 5 : TOTAL / 10) : 20 ))
REDIS_KILL_AT=$(( TOTAL * 25 / 100 ))
REDIS_START_AT=$(( REDIS_KILL_AT + REDIS_DOWN ))
BACKEND_KILL_AT=$(( TOTAL * 55 / 100 ))
BACKEND_START_AT=$(( TOTAL * 75 / 100 ))

for tool in redis-server redis-cli wrk dnsperf dig curl jcmd taskset; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool is needed on PATH (bench/gateway.sh and bench/dns.sh install wrk and dnsperf)" >&2; exit 1; }
done
for p in "$REDIS_PORT" "$GATEWAY_PORT" "$ADMIN_PORT" "$DNS_METRICS_PORT" $(seq $((BACKEND_BASE_PORT + 1)) $((BACKEND_BASE_PORT + 3))); do
  if port_taken "$p"; then
    echo "port $p is taken by another process; set REDIS_PORT / BACKEND_BASE_PORT / GATEWAY_PORT / DNS_PORT" >&2
    exit 1
  fi
done

WORK=$(mktemp -d /tmp/farmgate-soak.XXXXXX)
REDIS_PID="" GATEWAY_PID="" DNS_PID="" DRIVER_PID=""
BACKEND_PID=("" "" "" "")
cleanup() {
  # Only what this script started, by PID.
  local pids=("$DRIVER_PID" "$GATEWAY_PID" "$DNS_PID" "${BACKEND_PID[@]}" "$REDIS_PID")
  for pid in "${pids[@]}"; do
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  done
  for pid in "${pids[@]}"; do
    if [ -n "$pid" ]; then wait "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

build_jars

JVM_OPTS=(-Xms128m -Xmx256m -XX:+UseSerialGC)
start_redis() {
  taskset -c "$FARM_CPU" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    >>"$WORK/redis.log" 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
}
start_backend() { # index
  taskset -c "$FARM_CPU" java "${JVM_OPTS[@]}" -jar "$JAR" backend --redis "redis://127.0.0.1:$REDIS_PORT" \
    --farm "$FARM" --port "$((BACKEND_BASE_PORT + $1))" --host-id "b$1" >>"$WORK/backend-$1.log" 2>&1 &
  BACKEND_PID[$1]=$!
}
start_redis
for i in 1 2 3; do start_backend "$i"; done
taskset -c "$FARM_CPU" java "${JVM_OPTS[@]}" -jar "$JAR" gateway --redis "redis://127.0.0.1:$REDIS_PORT" \
  --farm "$FARM" --listen "127.0.0.1:$GATEWAY_PORT" --admin-listen "127.0.0.1:$ADMIN_PORT" \
  --admin-token soak-admin-token-not-secret >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
# RRL off: every query comes from 127.0.0.1, one client as far as RRL can tell.
taskset -c "$FARM_CPU" java "${JVM_OPTS[@]}" -jar "$JAR" dns --redis "redis://127.0.0.1:$REDIS_PORT" \
  --farm "$FARM" --zone "$ZONE" --listen "127.0.0.1:$DNS_PORT" --metrics-listen "127.0.0.1:$DNS_METRICS_PORT" \
  --rrl-per-second 0 >"$WORK/dns.log" 2>&1 &
DNS_PID=$!
for i in 1 2 3; do wait_http "http://127.0.0.1:$((BACKEND_BASE_PORT + i))/healthz" 200 "backend b$i"; done
wait_http "http://127.0.0.1:$GATEWAY_PORT/chat" 307 "gateway"
for _ in $(seq 1 150); do
  dig +time=1 +tries=1 @127.0.0.1 -p "$DNS_PORT" "$ZONE" A 2>/dev/null | grep -q "ANSWER: [1-9]" && break
  sleep 0.2
done
dig +time=1 +tries=1 @127.0.0.1 -p "$DNS_PORT" "$ZONE" A | grep -q "ANSWER: [1-9]" || { echo "dns gives no answer; its log:" >&2; tail -20 "$WORK/dns.log" >&2; exit 1; }
# Every backend in the picks (slow start lets a new host in gradually, but it is eligible).
sleep 3

# ---- capacity (also the JIT's warm-up) ----
echo "measuring capacity (5 s each) ..." >&2
wrk_out=$(taskset -c "$LOAD_CPU" wrk -t1 -c32 -d5s "http://127.0.0.1:$GATEWAY_PORT/chat" 2>&1)
REDIRECT_CAP=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$wrk_out")
echo "$ZONE A" >"$WORK/queries.txt"
dnsperf_out=$(taskset -c "$LOAD_CPU" dnsperf -s 127.0.0.1 -p "$DNS_PORT" -d "$WORK/queries.txt" -l 5 -c 8 -T 1 -q 100 -t 2 2>&1)
DNS_CAP=$(awk '/Queries per second:/ {printf "%.0f", $4}' <<<"$dnsperf_out")
CHURN_CAP=$(taskset -c "$LOAD_CPU" java -Xmx256m -cp "$BENCH_JAR" io.farmgate.bench.SoakLoad \
  --gateway "127.0.0.1:$GATEWAY_PORT" --capacity-churn-seconds 5 | sed -n 's/^capacity churn_per_s=\([0-9.]*\).*/\1/p')
rate() { awk -v c="$1" -v f="$FRACTION" 'BEGIN { r = c * f; printf "%.0f", (r < 1) ? 1 : r }'; }
REDIRECT_RATE=$(rate "${REDIRECT_CAP:-0}")
DNS_RATE=$(rate "${DNS_CAP:-0}")
CHURN_RATE=$(rate "${CHURN_CAP:-0}")
echo "capacity: redirects ${REDIRECT_CAP}/s, dns ${DNS_CAP}/s, churn ${CHURN_CAP}/s -> load at $FRACTION: $REDIRECT_RATE, $DNS_RATE, $CHURN_RATE per second" >&2
sleep 5

# ---- memory: RSS and the heap that survives a full GC ----
declare -A MEM
mem_sample() { # label pid at
  local rss heap
  rss=$(awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$2/status" 2>/dev/null || echo "?")
  printf 'GC.run\nGC.heap_info\n' >"$WORK/jcmd.txt"
  heap=$(taskset -c "$LOAD_CPU" jcmd "$2" -f "$WORK/jcmd.txt" 2>/dev/null \
    | awk '/total [0-9]+K, used [0-9]+K/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K.*/, "", v); s += v } }
           END { if (s > 0) printf "%.1f", s / 1024; else print "?" }')
  MEM[$1]+="$3:$rss/$heap "
}
SAMPLED=(gateway dns b1 b2)
sample_all() { # at
  mem_sample gateway "$GATEWAY_PID" "$1"
  mem_sample dns "$DNS_PID" "$1"
  mem_sample b1 "${BACKEND_PID[1]}" "$1"
  mem_sample b2 "${BACKEND_PID[2]}" "$1"
}

# ---- the soak ----
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sample_all 0
taskset -c "$LOAD_CPU" java -Xms256m -Xmx512m -cp "$BENCH_JAR" io.farmgate.bench.SoakLoad \
  --gateway "127.0.0.1:$GATEWAY_PORT" --dns "127.0.0.1:$DNS_PORT" --dns-name "$ZONE" \
  --redirect-rate "$REDIRECT_RATE" --dns-rate "$DNS_RATE" --churn-rate "$CHURN_RATE" \
  --seconds "$TOTAL" --interval-seconds "$INTERVAL" >"$WORK/driver.out" 2>"$WORK/driver.err" &
DRIVER_PID=$!
START=$(date +%s)
EVENTS=()
next_sample=$INTERVAL
redis_killed="" redis_started="" backend_killed="" backend_started=""
while kill -0 "$DRIVER_PID" 2>/dev/null; do
  now=$(( $(date +%s) - START ))
  [ "$now" -le $((TOTAL + 120)) ] || { echo "the driver did not finish in time; stopping it" >&2; break; }
  if [ -z "$redis_killed" ] && [ "$now" -ge "$REDIS_KILL_AT" ]; then
    kill -9 "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null || true; REDIS_PID=""
    redis_killed=yes; EVENTS+=("${now}s: Redis killed (SIGKILL)")
  fi
  if [ -n "$redis_killed" ] && [ -z "$redis_started" ] && [ "$now" -ge "$REDIS_START_AT" ]; then
    start_redis; redis_started=yes; EVENTS+=("${now}s: Redis started again (empty)")
  fi
  if [ -z "$backend_killed" ] && [ "$now" -ge "$BACKEND_KILL_AT" ]; then
    kill -9 "${BACKEND_PID[3]}"; wait "${BACKEND_PID[3]}" 2>/dev/null || true; BACKEND_PID[3]=""
    backend_killed=yes; EVENTS+=("${now}s: backend b3 killed (SIGKILL)")
  fi
  if [ -n "$backend_killed" ] && [ -z "$backend_started" ] && [ "$now" -ge "$BACKEND_START_AT" ]; then
    start_backend 3; backend_started=yes; EVENTS+=("${now}s: backend b3 started again")
  fi
  if [ "$now" -ge "$next_sample" ] && [ "$now" -lt "$TOTAL" ]; then
    sample_all "$now"
    next_sample=$((next_sample + INTERVAL))
  fi
  sleep 1
done
wait "$DRIVER_PID" 2>/dev/null || true
DRIVER_PID=""
sample_all "end"

# ---- report ----
val() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
report() {
  echo "# bench/soak.sh -- started $STARTED_AT, $MINUTES minute(s)"
  echo "# machine: $(nproc) CPUs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo); $(java -version 2>&1 | head -1); farmgate $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "# farm: redis, gateway, dns, 3 demo backends on CPU $FARM_CPU; driver, wrk and dnsperf on CPU $LOAD_CPU"
  echo "# load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine makes latency noisy)"
  echo "# capacity (5 s each): redirects ${REDIRECT_CAP}/s (wrk, keep-alive), dns ${DNS_CAP}/s (dnsperf), churn ${CHURN_CAP}/s (16 clients back to back)"
  echo "# load at $FRACTION of it: $REDIRECT_RATE redirects/s, $DNS_RATE dns queries/s, $CHURN_RATE churn cycles/s"
  echo "# events: $(printf '%s; ' "${EVENTS[@]}" | sed 's/; $//')"
  printf "%6s | %9s %5s %7s %7s | %9s %5s %7s %7s | %7s %7s %5s %7s %7s\n" "t(s)" redirects err "p50ms" "p99ms" \
    dns err "p50ms" "p99ms" churn retried err "p50ms" "p99ms"
  while read -r line; do
    printf "%6s | %9s %5s %7s %7s | %9s %5s %7s %7s | %7s %7s %5s %7s %7s\n" "$(val start_s "$line")" \
      "$(val redirect "$line")" "$(val redirect_err "$line")" "$(val redirect_p50_ms "$line")" "$(val redirect_p99_ms "$line")" \
      "$(val dns "$line")" "$(val dns_err "$line")" "$(val dns_p50_ms "$line")" "$(val dns_p99_ms "$line")" \
      "$(val churn "$line")" "$(val churn_retried "$line")" "$(val churn_err "$line")" "$(val churn_p50_ms "$line")" "$(val churn_p99_ms "$line")"
  done < <(grep '^interval ' "$WORK/driver.out")
  local total
  total=$(grep '^total ' "$WORK/driver.out" || echo "total missing")
  local errors
  errors=$(( $(val redirect_err "$total" || echo 0) + $(val dns_err "$total" || echo 0) + $(val churn_err "$total" || echo 0) ))
  echo "errors: $errors (target 0) -- redirects $(val redirect_err "$total"), dns $(val dns_err "$total"), churn $(val churn_err "$total") after retries" \
    "(churn cycles that needed a retry: $(val churn_retried "$total")); dropped by the driver: redirect $(val redirect_dropped "$total"), dns $(val dns_dropped "$total"), churn $(val churn_dropped "$total")"
  echo "achieved: $(val redirect_per_s "$total") redirects/s, $(val dns_per_s "$total") queries/s, $(val churn_per_s "$total") churn cycles/s"
  grep '^error_sample ' "$WORK/driver.out" | sed 's/^/  /' || true
  echo "memory (t: RSS MB / live heap MB after a full GC):"
  for jvm in "${SAMPLED[@]}"; do
    printf "  %-8s %s\n" "$jvm" "${MEM[$jvm]}"
  done
  echo "  (b3 is the backend killed and restarted; the samples follow b1, b2, gateway and dns throughout)"
  echo
}
mkdir -p "$(dirname "$RESULTS")"
report | tee -a "$RESULTS"
