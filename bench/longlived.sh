#!/usr/bin/env bash
# Long-lived traffic (not a test): what the balancing layer costs when clients stay connected.
#
# N WebSocket clients connect, each sends chat messages at a fixed rate for a fixed time, then
# they all close. The same clients, backends and Redis are used for two balancing layers:
#   haproxy   HAProxy 2.x, `balance leastconn`, proxying every byte both ways (WebSocket in HTTP
#             mode by default, or plain TCP mode with --haproxy-mode tcp), one thread;
#   farmgate  the farmgate gateway: each client gets one 307 and then talks to its backend directly.
# The CPU time (utime + stime from /proc/<pid>/stat) of the balancing process is read around every
# phase by the load driver (bench/src/.../LongLivedLoad.java): connect, messages, close, plus an idle
# stretch before them. Reported per client (connect + close), per message (the message phase), for
# the whole run per client, and the ratio haproxy/farmgate.
#
# The backends are the demo chat backends (`farmgate backend`, one process each, agent embedded);
# every message resends an id the farm has seen, so a backend answers the sender alone with an ack
# (an echo) rather than broadcasting to all N clients (docs/client.md, rule 3).
#
# Loopback only; the balancer is pinned to one CPU (SERVER_CPU, default 1), Redis, the backends and
# the load driver to the other (LOAD_CPU, default 0). Every process it starts is stopped by PID.
#
# Usage: bench/longlived.sh [--clients N] [--rate MSGS_PER_CLIENT_PER_S] [--seconds S] [--rounds N]
#                           [--backends N] [--body-bytes N] [--haproxy-mode http|tcp] [--quick]
#                           [--results FILE] [--no-build]
#   defaults: 1000 clients, 1 message/s each, 30 s, 1 round, 3 backends, 64-byte bodies, HTTP mode
#   --quick:  200 clients, 10 s, 3000 warm-up requests (a check that the script works; rough figures)
# After the last farmgate round the gateway's idle CPU is taken once more, settled (bench/thread-cpu.sh:
# wait up to IDLE_SETTLE (300) s for the JIT to go quiet, then IDLE_SECONDS (60) s per thread); the
# per-client-hour figure shares that rate among the clients, since a connected client's hours are idle
# ones for the gateway.
# Before the clients come, 10000 plain GETs (fresh connection each) warm the gateway's JIT; HAProxy
# gets the same (it passes them to the backends).
# Results: printed, and written to bench/results/longlived.txt (or --results FILE).
# Needs Java 17 and Maven; installs haproxy with apt-get when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# shellcheck source=bench/farm-lib.sh
. "$ROOT/bench/farm-lib.sh"

CLIENTS=1000
RATE=1
SECONDS_PER_RUN=30
ROUNDS=1
BACKENDS=3
BODY_BYTES=64
HAPROXY_MODE=http
RESULTS="$ROOT/bench/results/longlived.txt"
BUILD=yes
WARMUP_REQUESTS=10000
IDLE_SECONDS="${IDLE_SECONDS:-60}"
IDLE_SETTLE="${IDLE_SETTLE:-300}"
SETTLED_IDLE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) CLIENTS=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --seconds) SECONDS_PER_RUN=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --backends) BACKENDS=$2; shift 2 ;;
    --body-bytes) BODY_BYTES=$2; shift 2 ;;
    --haproxy-mode) HAPROXY_MODE=$2; shift 2 ;;
    --quick) CLIENTS=200; SECONDS_PER_RUN=10; WARMUP_REQUESTS=3000; IDLE_SECONDS=10; IDLE_SETTLE=20; shift ;;
    --results) RESULTS=$2; shift 2 ;;
    --no-build) BUILD=""; shift ;;
    *) echo "unknown option: $1 (expected --clients, --rate, --seconds, --rounds, --backends, --body-bytes, --haproxy-mode, --quick, --results, --no-build)" >&2; exit 2 ;;
  esac
done
case "$HAPROXY_MODE" in http|tcp) ;; *) echo "--haproxy-mode: $HAPROXY_MODE (expected: http or tcp)" >&2; exit 2 ;; esac
for v in CLIENTS ROUNDS BACKENDS SECONDS_PER_RUN; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || { echo "$v: ${!v} (expected: a whole number > 0)" >&2; exit 2; }
done
[ "$CLIENTS" -le 20000 ] || { echo "--clients: $CLIENTS (expected: <= 20000 on one machine)" >&2; exit 2; }
[ "$SECONDS_PER_RUN" -le 3600 ] || { echo "--seconds: $SECONDS_PER_RUN (expected: <= 3600)" >&2; exit 2; }

REDIS_PORT="${REDIS_PORT:-29379}"
BACKEND_BASE_PORT="${BACKEND_BASE_PORT:-29100}"
GATEWAY_PORT="${GATEWAY_PORT:-29080}"
ADMIN_PORT=$((GATEWAY_PORT + 1))
HAPROXY_PORT="${HAPROXY_PORT:-29090}"
FARM=longlived
if [ "$(nproc)" -ge 2 ]; then
  SERVER_CPU="${SERVER_CPU:-1}"
  LOAD_CPU="${LOAD_CPU:-0}"
else
  SERVER_CPU=0
  LOAD_CPU=0
  echo "warning: one CPU only; everything shares it" >&2
fi
CLK_TCK=$(getconf CLK_TCK)
JAR="$ROOT/cli/target/farmgate.jar"
BENCH_JAR="$ROOT/bench/target/benchmarks.jar"

WORK=$(mktemp -d /tmp/farmgate-longlived.XXXXXX)
PIDS=()
trap stop_started EXIT INT TERM

# ---- tools ----
if ! command -v haproxy >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # The package would start a system haproxy; forbid that while installing.
  made_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
    made_policy=yes
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends haproxy
  [ -n "$made_policy" ] && $sudo rm -f /usr/sbin/policy-rc.d
fi
command -v redis-server >/dev/null 2>&1 || { echo "redis-server is needed on PATH (apt-get install redis-server)" >&2; exit 1; }

for p in "$REDIS_PORT" "$GATEWAY_PORT" "$ADMIN_PORT" "$HAPROXY_PORT" $(seq $((BACKEND_BASE_PORT + 1)) $((BACKEND_BASE_PORT + BACKENDS))); do
  if port_taken "$p"; then
    echo "port $p is taken by another process; set REDIS_PORT / BACKEND_BASE_PORT / GATEWAY_PORT / HAPROXY_PORT" >&2
    exit 1
  fi
done

build_jars

# ---- the farm: Redis and the backends (they stay up for every round) ----
taskset -c "$LOAD_CPU" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
  >"$WORK/redis.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

BACKEND_PIDS=()
SERVERS=""
for i in $(seq 1 "$BACKENDS"); do
  port=$((BACKEND_BASE_PORT + i))
  taskset -c "$LOAD_CPU" java -Xms128m -Xmx512m -XX:+UseSerialGC -jar "$JAR" backend \
    --redis "redis://127.0.0.1:$REDIS_PORT" --farm "$FARM" --port "$port" --host-id "b$i" \
    --capacity 100000 >"$WORK/backend-$i.log" 2>&1 &
  PIDS+=($!)
  BACKEND_PIDS+=($!)
  SERVERS+="  server b$i 127.0.0.1:$port maxconn 100000"$'\n'
done
for i in $(seq 1 "$BACKENDS"); do
  wait_http "http://127.0.0.1:$((BACKEND_BASE_PORT + i))/healthz" 200 "backend b$i"
done
OTHER_PIDS=$(IFS=,; echo "${BACKEND_PIDS[*]}")

# ---- balancing layers ----
start_haproxy() {
  local mode_lines
  if [ "$HAPROXY_MODE" = http ]; then
    # HTTP mode: HAProxy parses the upgrade, then tunnels the WebSocket (timeout tunnel).
    mode_lines="  mode http"
  else
    mode_lines="  mode tcp"
  fi
  cat >"$WORK/haproxy.cfg" <<CFG
global
  nbthread 1
  maxconn $((CLIENTS * 2 + 1000))
  log stdout format raw local0 emerg
defaults
$mode_lines
  timeout connect 5s
  timeout client 120s
  timeout server 120s
  timeout tunnel 1h
  timeout client-fin 5s
frontend fe
  bind 127.0.0.1:$HAPROXY_PORT
  maxconn $((CLIENTS + 1000))
  default_backend be
backend be
  balance leastconn
$SERVERS
CFG
  haproxy -c -q -f "$WORK/haproxy.cfg" >&2
  taskset -c "$SERVER_CPU" haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
  BALANCER_PID=$!
  PIDS+=("$BALANCER_PID")
  wait_http "http://127.0.0.1:$HAPROXY_PORT/healthz" 200 "haproxy"
}

start_gateway() {
  # The rebalancer runs once per farm (one leader), not per gateway: off, so that only the
  # per-client work is compared. Slow start off: the backends have been up for a while.
  # shellcheck disable=SC2086 # a list of JVM options (the launcher's, bench/farm-lib.sh)
  taskset -c "$SERVER_CPU" java $GATEWAY_JAVA_OPTS -Xms256m -Xmx256m -XX:+UseSerialGC -jar "$JAR" gateway \
    --redis "redis://127.0.0.1:$REDIS_PORT" --farm "$FARM" --listen "127.0.0.1:$GATEWAY_PORT" \
    --admin-listen "127.0.0.1:$ADMIN_PORT" --admin-token bench-admin-token-not-secret \
    --no-rebalance --slow-start-millis 0 >"$WORK/gateway.log" 2>&1 &
  BALANCER_PID=$!
  PIDS+=("$BALANCER_PID")
  wait_http "http://127.0.0.1:$GATEWAY_PORT/chat" 307 "gateway"
}

stop_balancer() {
  kill "$BALANCER_PID" 2>/dev/null || true
  wait "$BALANCER_PID" 2>/dev/null || true
}

load() { # mode url
  taskset -c "$LOAD_CPU" java -Xms256m -Xmx512m -cp "$BENCH_JAR" io.farmgate.bench.LongLivedLoad \
    --mode "$1" --url "$2" --clients "$CLIENTS" --rate-per-client "$RATE" --seconds "$SECONDS_PER_RUN" \
    --warmup-requests "$WARMUP_REQUESTS" --balancer-pid "$BALANCER_PID" --other-pids "$OTHER_PIDS" --clk-tck "$CLK_TCK" --body-bytes "$BODY_BYTES" \
    2> >(sed 's/^/  /' >&2) | grep '^result '
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A LINES
for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round of $ROUNDS: haproxy ($HAPROXY_MODE mode, leastconn)" >&2
  start_haproxy
  LINES[haproxy]+="$(load direct "ws://127.0.0.1:$HAPROXY_PORT/chat")"$'\n'
  stop_balancer
  echo "== round $round of $ROUNDS: farmgate gateway (307 once, then direct)" >&2
  start_gateway
  LINES[farmgate]+="$(load redirect "http://127.0.0.1:$GATEWAY_PORT/chat")"$'\n'
  if [ "$round" -eq "$ROUNDS" ]; then
    # The hours a client stays connected, the gateway is idle: its settled idle CPU (the JIT done
    # with what the idle work makes it compile), not the load driver's 10 s sample taken while the
    # JIT still works on the warm-up, is the rate to share among the clients.
    echo "== farmgate gateway idle after the clients left (bench/thread-cpu.sh --settle $IDLE_SETTLE, then $IDLE_SECONDS s)" >&2
    SETTLED_IDLE=$("$ROOT/bench/thread-cpu.sh" "$BALANCER_PID" "$IDLE_SECONDS" --settle "$IDLE_SETTLE" | tee /dev/stderr | tail -1)
  fi
  stop_balancer
done

# ---- report ----
field() { # key lines... -> values, one a line
  sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"
}
median() { grep . | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
sum_of() { grep . | awk '{ s += $1 } END { print s + 0 }'; }

declare -A PER_CLIENT_MS PER_CLIENT_NET_MS PER_MSG_US NET_MSG_US TOTAL_MS
# awk with every figure; parentheses around conditions, or awk reads `printf ..., n > 0` as a redirection.
calc() { awk "BEGIN { $1 }" </dev/null; }
report() {
  echo "# bench/longlived.sh -- $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "# machine: $(nproc) CPUs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo); $(haproxy -v | head -1 | cut -d' ' -f1-3); $(java -version 2>&1 | head -1)"
  echo "# $CLIENTS WebSocket clients x $RATE msg/s for ${SECONDS_PER_RUN}s, $BODY_BYTES-byte bodies, acked by $BACKENDS demo backends (farmgate backend)"
  echo "# haproxy: $HAPROXY_MODE mode, balance leastconn, nbthread 1; farmgate: gateway (307 once, fresh TCP connection per client)"
  echo "# balancer on CPU $SERVER_CPU; Redis, backends and load driver on CPU $LOAD_CPU; $ROUNDS round(s), medians"
  echo "# load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine makes every figure noisy)"
  printf "%-9s %9s %6s %7s %7s %8s %8s %8s %8s %8s %10s %10s %10s %10s %10s\n" balancer connected failed sent acked \
    "p50-ms" "p99-ms" "cpu-conn" "cpu-msgs" "cpu-close" "ms/client" "ms/cl-net" "us/msg" "us/msg-net" "ms/cl-run"
  for name in haproxy farmgate; do
    local lines="${LINES[$name]}"
    local connected failed sent acked p50 p99 cc cm cl idle secs cs ks
    connected=$(field connected "$lines" | median)
    failed=$(field failed "$lines" | sum_of)
    sent=$(field sent "$lines" | median)
    acked=$(field acked "$lines" | median)
    p50=$(field rtt_p50_ms "$lines" | median)
    p99=$(field rtt_p99_ms "$lines" | median)
    cc=$(field balancer_cpu_connect_s "$lines" | median)
    cm=$(field balancer_cpu_messages_s "$lines" | median)
    cl=$(field balancer_cpu_close_s "$lines" | median)
    idle=$(field balancer_idle_cpu_per_s "$lines" | median)
    secs=$(field seconds "$lines" | median)
    cs=$(field connect_s "$lines" | median)
    ks=$(field close_s "$lines" | median)
    PER_CLIENT_MS[$name]=$(calc "n = $connected; printf \"%.4f\", (n > 0) ? ($cc + $cl) * 1000 / n : 0")
    PER_CLIENT_NET_MS[$name]=$(calc "n = $connected; v = $cc + $cl - $idle * ($cs + $ks); if (v < 0) v = 0; printf \"%.4f\", (n > 0) ? v * 1000 / n : 0")
    PER_MSG_US[$name]=$(calc "n = $sent; printf \"%.3f\", (n > 0) ? $cm * 1e6 / n : 0")
    # Net: minus what the balancer burns when idle (farmgate's snapshot refresh), floored at 0.
    NET_MSG_US[$name]=$(calc "n = $sent; v = $cm - $idle * $secs; if (v < 0) v = 0; printf \"%.3f\", (n > 0) ? v * 1e6 / n : 0")
    TOTAL_MS[$name]=$(calc "n = $connected; printf \"%.4f\", (n > 0) ? ($cc + $cm + $cl) * 1000 / n : 0")
    printf "%-9s %9s %6s %7s %7s %8s %8s %8s %8s %8s %10s %10s %10s %10s %10s\n" "$name" "$connected" "$failed" "$sent" "$acked" \
      "$p50" "$p99" "$cc" "$cm" "$cl" "${PER_CLIENT_MS[$name]}" "${PER_CLIENT_NET_MS[$name]}" "${PER_MSG_US[$name]}" "${NET_MSG_US[$name]}" "${TOTAL_MS[$name]}"
  done
  ratio() { calc "a = $1; b = $2; if (b > 0) printf \"%.1fx\", a / b; else print \"n/a (farmgate: below one tick)\""; }
  echo "ratio haproxy/farmgate: per client (connect+close) $(ratio "${PER_CLIENT_MS[haproxy]}" "${PER_CLIENT_MS[farmgate]}") (net of idle: $(ratio "${PER_CLIENT_NET_MS[haproxy]}" "${PER_CLIENT_NET_MS[farmgate]}")), per message $(ratio "${PER_MSG_US[haproxy]}" "${PER_MSG_US[farmgate]}") (net of idle: $(ratio "${NET_MSG_US[haproxy]}" "${NET_MSG_US[farmgate]}")), whole run per client $(ratio "${TOTAL_MS[haproxy]}" "${TOTAL_MS[farmgate]}")"
  # Long-lived means hours: what one client costs the balancing layer per hour at this message rate,
  # from the net figures above plus the gateway's idle CPU shared by the clients (an extrapolation).
  local fidle settled
  fidle=$(field balancer_idle_cpu_per_s "${LINES[farmgate]}" | median)
  settled=$(sed -n 's/.*total_ms_per_s=\([^ ]*\).*/\1/p' <<<"$SETTLED_IDLE")
  if [ -n "$settled" ]; then
    echo "# farmgate's idle CPU for the per-client-hour figure: settled, $settled ms/s ($SETTLED_IDLE); the load driver's 10 s sample before the clients: $(calc "printf \"%.2f\", $fidle * 1000") ms/s"
    fidle=$(calc "printf \"%.6f\", $settled / 1000")
  fi
  echo "per client-hour at $RATE msg/s (extrapolated from the figures above): haproxy $(calc "printf \"%.1f\", ${PER_CLIENT_NET_MS[haproxy]} + $RATE * 3600 * ${NET_MSG_US[haproxy]} / 1000") ms, farmgate $(calc "n = $(field connected "${LINES[farmgate]}" | median); printf \"%.1f\", ${PER_CLIENT_NET_MS[farmgate]} + $RATE * 3600 * ${NET_MSG_US[farmgate]} / 1000 + ((n > 0) ? $fidle * 3600 * 1000 / n : 0)") ms (its idle CPU shared by the $CLIENTS clients)"
  echo "# cpu-conn/-msgs/-close: CPU seconds of the balancing process in that phase (CLK_TCK $CLK_TCK: 1 tick = $(calc "print 1000 / $CLK_TCK") ms)"
  echo "#   ms/client = (connect + close) / clients; us/msg = message phase / messages sent;"
  echo "#   ms/cl-net, us/msg-net = the same minus the balancer's idle CPU over those phases; ms/cl-run = all three phases / clients"
  echo "# break-even: HAProxy's CPU per message equals the gateway's idle CPU at $(calc "m = ${PER_MSG_US[haproxy]}; printf \"%.0f\", (m > 0) ? $(field balancer_idle_cpu_per_s "${LINES[farmgate]}" | median) * 1e6 / m : 0") messages/s through the balancer"
  echo "#   p50/p99-ms: message round trip (send -> ack) as the clients saw it"
  echo "# idle CPU of the balancer before the clients came (CPU s per s): haproxy $(field balancer_idle_cpu_per_s "${LINES[haproxy]}" | median), farmgate $(field balancer_idle_cpu_per_s "${LINES[farmgate]}" | median)"
  echo "#   (farmgate's is background work -- snapshot refresh from Redis every 250 ms, JVM -- and is the same with no clients)"
  echo "# backends' CPU in the message phase (s): haproxy runs $(field others_cpu_messages_s "${LINES[haproxy]}" | median), farmgate runs $(field others_cpu_messages_s "${LINES[farmgate]}" | median)"
  echo "# raw result lines:"
  for name in haproxy farmgate; do
    while read -r line; do echo "#   $name: $line"; done <<<"${LINES[$name]%$'\n'}"
  done
}
mkdir -p "$(dirname "$RESULTS")"
report | tee "$RESULTS"
