#!/usr/bin/env bash
# The front door's cost (not a test): the real `farmgate gateway` as its own process, reading a farm
# of 32 hosts that heartbeat through the registry protocol (Redis; one process publishes for all of
# them, bench/src/.../FakeHosts.java), against nginx and HAProxy answering the same 307.
#
# Every server is pinned to SERVER_CPU (default 0), wrk and the open-loop generator to LOAD_CPU
# (default 1), Redis and the fake hosts to LOAD_CPU too. Rounds alternate the servers, so a change in
# the machine's background load hits all alike; figures are medians over the rounds. Per server:
#   - 307, keep-alive and `Connection: close`: req/s and p99 (wrk, closed loop, CONNECTIONS);
#   - /v1/assign, keep-alive (the gateway only): req/s and p99, and its ratio to the 307 from
#     ASSIGN_PAIRS back-to-back pairs of ASSIGN_SECONDS s (the median of the pairs' ratios);
#   - CPU per new connection at a fixed CONN_RATE connections/s (open loop, `Connection: close`,
#     bench/src/c/openloop.c): time on CPU of every thread of every process of the server
#     (/proc/PID/task/*/schedstat, exact; utime + stime, sampled at ticks, printed beside it),
#     divided by the connections answered; plus the p99 of those connections; CONN_ROUNDS rounds of
#     CONN_SECONDS s alternating the servers, medians of the rounds;
#   - p99 at half of saturation: an open-loop keep-alive run at half the server's median keep-alive
#     req/s measured above, DURATION s per server per round, rounds alternating the servers (median
#     of the rounds), by bench/src/c/openloop.c (C, epoll; built here with gcc): CONNECTIONS
#     kept-alive connections, one request in flight on each, latency counted from when each request
#     was due; it also reports its own lateness (gen lag), which must stay small beside the p99;
#   - idle CPU (the gateway; nginx and HAProxy have no farm to read): ms of CPU per second over
#     IDLE_SECONDS with no clients, after the load, once the JIT has settled: IDLE_WARMUP s after the
#     last load, then until the JIT compiler threads used under 5 ms in 10 s (at most IDLE_SETTLE s
#     more; the result says whether they did), per thread (bench/thread-cpu.sh).
# Results: printed and written to bench/results/gateway.txt (or --results FILE).
#
# Usage: bench/gateway.sh [--quick] [--rounds N] [--duration S] [--connections N] [--no-build] [--results FILE]
#   defaults: 3 rounds of 10 s per server and mode, 50 connections, 15 s JIT warm-up, 10 assign pairs
#   of 3 s, 3 rounds of 10 s at 1000 connections/s, idle: 60 s warm-up, up to 300 s more for the JIT,
#   60 s measured
#   --quick:  1 round of 2 s, 3 s warm-up, 2 assign pairs of 1 s, 3 s at 1000 connections/s, 5 s idle,
#             unsettled (checks that the script works; the figures are rough)
# The environment may set ROUNDS, DURATION, CONNECTIONS, WARMUP, CONN_RATE, CONN_SECONDS, CONN_ROUNDS, IDLE_SECONDS,
# IDLE_WARMUP, IDLE_SETTLE, ASSIGN_PAIRS, ASSIGN_SECONDS, HOSTS, SERVER_CPU, LOAD_CPU and the ports (REDIS_PORT, GATEWAY_PORT (+1 admin), NGINX_PORT, HAPROXY_PORT).
# Needs java, mvn, gcc, wrk, nginx, haproxy and redis-server; stops only the processes it started, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# shellcheck source=bench/farm-lib.sh
. "$ROOT/bench/farm-lib.sh"

ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-50}"
WARMUP="${WARMUP:-15}"
CONN_RATE="${CONN_RATE:-1000}"
CONN_SECONDS="${CONN_SECONDS:-10}"
CONN_ROUNDS="${CONN_ROUNDS:-3}"
IDLE_SECONDS="${IDLE_SECONDS:-60}"
IDLE_WARMUP="${IDLE_WARMUP:-60}"
IDLE_SETTLE="${IDLE_SETTLE:-300}"
ASSIGN_PAIRS="${ASSIGN_PAIRS:-10}"
ASSIGN_SECONDS="${ASSIGN_SECONDS:-3}"
HOSTS="${HOSTS:-32}"
RESULTS="$ROOT/bench/results/gateway.txt"
BUILD=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) ROUNDS=1; DURATION=2; WARMUP=3; CONN_SECONDS=3; CONN_ROUNDS=1; IDLE_SECONDS=5; IDLE_WARMUP=1; IDLE_SETTLE=0; ASSIGN_PAIRS=2; ASSIGN_SECONDS=1; shift ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --results) RESULTS=$2; shift 2 ;;
    --no-build) BUILD=""; shift ;;
    *) echo "unknown option: $1 (expected --quick, --rounds, --duration, --connections, --results, --no-build)" >&2; exit 2 ;;
  esac
done
for v in ROUNDS DURATION CONNECTIONS WARMUP CONN_RATE CONN_SECONDS CONN_ROUNDS IDLE_SECONDS HOSTS ASSIGN_PAIRS ASSIGN_SECONDS; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || { echo "$v: ${!v} (expected: a whole number > 0)" >&2; exit 2; }
done

SERVER_CPU="${SERVER_CPU:-0}"
LOAD_CPU="${LOAD_CPU:-1}"
[ "$(nproc)" -ge 2 ] || { SERVER_CPU=0; LOAD_CPU=0; echo "warning: one CPU only; everything shares it" >&2; }
REDIS_PORT="${REDIS_PORT:-28379}"
GATEWAY_PORT="${GATEWAY_PORT:-28080}"
ADMIN_PORT=$((GATEWAY_PORT + 1))
NGINX_PORT="${NGINX_PORT:-28090}"
HAPROXY_PORT="${HAPROXY_PORT:-28095}"
FARM=gatewaybench
CLK_TCK=$(getconf CLK_TCK)
JAR="$ROOT/cli/target/farmgate.jar"
BENCH_JAR="$ROOT/bench/target/benchmarks.jar"
PATH_Q="/chat?room=1"
ASSIGN_Q="/v1/assign?path=/chat"

for tool in wrk nginx haproxy redis-server java; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] \
    || { echo "$tool is needed (Debian: apt-get install ${tool/nginx/nginx-light})" >&2; exit 1; }
done
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
for p in "$REDIS_PORT" "$GATEWAY_PORT" "$ADMIN_PORT" "$NGINX_PORT" "$HAPROXY_PORT"; do
  if port_taken "$p"; then
    echo "port $p is taken by another process; set REDIS_PORT / GATEWAY_PORT / NGINX_PORT / HAPROXY_PORT" >&2
    exit 1
  fi
done

WORK=$(mktemp -d /tmp/farmgate-gateway-bench.XXXXXX)
PIDS=()
trap stop_started EXIT INT TERM

build_jars
build_openloop

# ---- the farm: Redis and the heartbeating hosts ----
start_farm "$REDIS_PORT" "$FARM" "$HOSTS" "$LOAD_CPU"

# ---- the servers, all on SERVER_CPU ----
# nginx: one worker, no logs, the 307 the gateway gives (one host's base URL plus the request URI).
cat >"$WORK/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $WORK; proxy_temp_path $WORK; fastcgi_temp_path $WORK; uwsgi_temp_path $WORK; scgi_temp_path $WORK;
  server {
    listen 127.0.0.1:$NGINX_PORT reuseport backlog=4096;
    location / { return 307 http://127.0.0.11:9001/h0\$request_uri; }
  }
}
CONF
taskset -c "$SERVER_CPU" "$NGINX" -c "$WORK/nginx.conf" -e "$WORK/nginx-error.log" &
NGINX_PID=$!
PIDS+=("$NGINX_PID")

# HAProxy: one thread, answering the same 307 itself (no backend is ever contacted).
cat >"$WORK/haproxy.cfg" <<CFG
global
  nbthread 1
  maxconn 8000
  log stdout format raw local0 emerg
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  timeout http-keep-alive 30s
frontend fe
  bind 127.0.0.1:$HAPROXY_PORT backlog 4096
  http-request redirect code 307 location http://127.0.0.11:9001/h0%[capture.req.uri]
CFG
haproxy -c -q -f "$WORK/haproxy.cfg" >&2
taskset -c "$SERVER_CPU" haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
HAPROXY_PID=$!
PIDS+=("$HAPROXY_PID")

start_farmgate_gateway "$GATEWAY_PORT" "$REDIS_PORT" "$FARM" "$SERVER_CPU"

wait_http "http://127.0.0.1:$NGINX_PORT$PATH_Q" 307 nginx
wait_http "http://127.0.0.1:$HAPROXY_PORT$PATH_Q" 307 haproxy
wait_http "http://127.0.0.1:$GATEWAY_PORT$PATH_Q" 307 gateway
wait_hosts "http://127.0.0.1:$GATEWAY_PORT/readyz" "$HOSTS"

port_of() { case "$1" in nginx) echo "$NGINX_PORT" ;; haproxy) echo "$HAPROXY_PORT" ;; gateway) echo "$GATEWAY_PORT" ;; esac; }
pid_of() { case "$1" in nginx) echo "$NGINX_PID" ;; haproxy) echo "$HAPROXY_PID" ;; gateway) echo "$GATEWAY_PID" ;; esac; }
for server in nginx haproxy gateway; do
  curl -s -D - -o /dev/null "http://127.0.0.1:$(port_of "$server")$PATH_Q" | grep -i '^location' | sed "s/^/$server: /"
done

# cpu_ticks SERVER: utime + stime of the server's process and its children (nginx's worker).
cpu_ticks() {
  local pid total=0 p
  pid=$(pid_of "$1")
  for p in "$pid" $(pgrep -P "$pid" || true); do
    [ -r "/proc/$p/stat" ] && total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}

# cpu_ns SERVER: time on CPU of every thread of the server's process and its children, in ns, from
# /proc/PID/task/*/schedstat: exact, where utime + stime is charged a whole 10 ms tick to whoever
# runs when the tick comes, which for a server woken a thousand times a second for well under a
# millisecond is a sample, biased by how its wake-ups fall against the ticks. Threads that end
# within the window are missed (these servers keep theirs).
cpu_ns() {
  local pid total=0 p t ns
  pid=$(pid_of "$1")
  for p in "$pid" $(pgrep -P "$pid" || true); do
    for t in /proc/"$p"/task/*; do
      read -r ns _ <"$t/schedstat" 2>/dev/null || continue
      total=$((total + ns))
    done
  done
  echo "$total"
}

# wrk_run URL [extra wrk args...] -> "rps p99_ms errors"
wrk_run() {
  local out rps p99 non3xx sockerr
  out="$(taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency "${@:2}" "$1" 2>&1)"
  echo "$out" >>"$WORK/wrk.log"
  rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
  p99="$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' <<<"$out")"
  non3xx="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")"
  sockerr="$(awk -F'[ ,]+' '/Socket errors:/ {print $4+$6+$8+$10}' <<<"$out")"
  echo "${rps:-0} ${p99:-?} $(( ${non3xx:-0} + ${sockerr:-0} ))"
}

# openloop SERVER MODE RATE SECONDS WARMUP -> the generator's line (requests= errors= ... p99_ms= ...):
# MODE keep-alive (CONNECTIONS kept-alive connections) or close (a new connection per request), at
# RATE requests/s for SECONDS s, after WARMUP requests of the same schedule, unmeasured.
openloop() {
  taskset -c "$LOAD_CPU" "$OPENLOOP" --target "127.0.0.1:$(port_of "$1")" --mode "$2" --rate "$3" \
    --seconds "$4" --warmup "$5" --connections "$CONNECTIONS" --path "$PATH_Q" 2>>"$WORK/open-loop.err"
}
field() { tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'; }

echo "warming up the gateway's JIT for ${WARMUP}s ..."
taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" "http://127.0.0.1:$GATEWAY_PORT$PATH_Q" >/dev/null
taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"$((WARMUP / 3 + 1))s" -H "Connection: close" "http://127.0.0.1:$GATEWAY_PORT$PATH_Q" >/dev/null
taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"$((WARMUP / 3 + 1))s" "http://127.0.0.1:$GATEWAY_PORT$ASSIGN_Q" >/dev/null
openloop gateway close "$CONN_RATE" 2 0 >/dev/null

mkdir -p "$(dirname "$RESULTS")"
exec > >(tee "$RESULTS")
echo "# bench/gateway.sh $(date -u +%Y-%m-%dT%H:%MZ), $HOSTS hosts heartbeating, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A RPS P99 ERR
for round in $(seq 1 "$ROUNDS"); do
  for mode in keep-alive close assign; do
    for server in nginx haproxy gateway; do
      [ "$mode" = assign ] && [ "$server" != gateway ] && continue
      url="http://127.0.0.1:$(port_of "$server")$PATH_Q"
      extra=()
      [ "$mode" = close ] && extra=(-H "Connection: close")
      [ "$mode" = assign ] && url="http://127.0.0.1:$GATEWAY_PORT$ASSIGN_Q"
      read -r rps p99 errors < <(wrk_run "$url" "${extra[@]}")
      RPS["$server/$mode"]+="$rps "
      P99["$server/$mode"]+="$p99 "
      ERR["$server/$mode"]=$(( ${ERR["$server/$mode"]:-0} + errors ))
      echo "round $round: $server $mode $rps req/s, p99 $p99 ms, $errors errors"
    done
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR]=$1} END {print (NR == 0 ? 0 : NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2)}'; }
best() { tr ' ' '\n' | grep -v '^$' | sort -g | tail -1; }
least() { tr ' ' '\n' | grep -v '^$' | sort -g | head -1; }

# /v1/assign against the 307, paired: ASSIGN_PAIRS back-to-back pairs of ASSIGN_SECONDS s each (the
# order alternating from pair to pair), one ratio per pair, the median of them. The rounds above
# put minutes between an assign run and its 307, and this machine's speed drifts by more than the
# 10% the target allows over minutes; a pair shares its moment.
ASSIGN_RATIOS=""
plain_url="http://127.0.0.1:$GATEWAY_PORT$PATH_Q"
assign_url="http://127.0.0.1:$GATEWAY_PORT$ASSIGN_Q"
for pair in $(seq 1 "$ASSIGN_PAIRS"); do
  if [ $((pair % 2)) = 1 ]; then
    read -r plain _ _ < <(DURATION=$ASSIGN_SECONDS wrk_run "$plain_url")
    read -r assign _ _ < <(DURATION=$ASSIGN_SECONDS wrk_run "$assign_url")
  else
    read -r assign _ _ < <(DURATION=$ASSIGN_SECONDS wrk_run "$assign_url")
    read -r plain _ _ < <(DURATION=$ASSIGN_SECONDS wrk_run "$plain_url")
  fi
  ratio=$(awk -v a="$assign" -v r="$plain" 'BEGIN { printf "%.3f", (r > 0 ? a / r : 0) }')
  ASSIGN_RATIOS+="$ratio "
  echo "assign pair $pair: 307 $plain req/s, /v1/assign $assign req/s, ratio $ratio"
done

# CPU per new connection at a fixed rate, open loop; rounds alternate the servers (one sample per
# server swung by a third with the machine's background load), medians of the rounds.
declare -A CONN_US CONN_P99 CONN_ERR CONN_ROUNDS_US CONN_ROUNDS_P99
for round in $(seq 1 "$CONN_ROUNDS"); do
  for server in nginx haproxy gateway; do
    before=$(cpu_ticks "$server")
    before_ns=$(cpu_ns "$server")
    # A second of the same schedule first, unmeasured by the generator but inside the CPU window.
    line=$(openloop "$server" close "$CONN_RATE" "$CONN_SECONDS" "$CONN_RATE")
    after_ns=$(cpu_ns "$server")
    after=$(cpu_ticks "$server")
    # The CPU spans the generator's unmeasured warm-up connections too (the same work, at the same rate).
    n=$(( $(field requests <<<"$line") + CONN_RATE ))
    us=$(awk -v t=$((after_ns - before_ns)) -v n="${n:-0}" 'BEGIN { printf "%.0f", (n > 0 ? t / 1e3 / n : 0) }')
    ticks_us=$(awk -v t=$((after - before)) -v k="$CLK_TCK" -v n="${n:-0}" 'BEGIN { printf "%.0f", (n > 0 ? t / k * 1e6 / n : 0) }')
    CONN_ROUNDS_US[$server]+="$us "
    CONN_ROUNDS_P99[$server]+="$(field p99_ms <<<"$line") "
    errors=$(field errors <<<"$line")
    CONN_ERR[$server]=$(( ${CONN_ERR[$server]:-0} + ${errors:-1} ))
    echo "round $round: $server: $CONN_RATE connections/s for ${CONN_SECONDS}s: $line, $us us CPU per connection (schedstat; utime + stime ticks say $ticks_us)"
  done
done
for server in nginx haproxy gateway; do
  CONN_US[$server]=$(median <<<"${CONN_ROUNDS_US[$server]}" | awk '{ printf "%.0f", $1 }')
  CONN_P99[$server]=$(median <<<"${CONN_ROUNDS_P99[$server]}")
done

# p99 at half of saturation: open loop, keep-alive, at half the server's median keep-alive req/s from
# the closed-loop rounds above; rounds alternate the servers, medians over the rounds.
declare -A HALF_RATE HALF_P99 HALF_LAG HALF_ERR
for server in nginx haproxy gateway; do
  HALF_RATE[$server]=$(median <<<"${RPS[$server/keep-alive]}" | awk '{ printf "%.0f", $1 / 2 }')
done
for round in $(seq 1 "$ROUNDS"); do
  for server in nginx haproxy gateway; do
    line=$(openloop "$server" keep-alive "${HALF_RATE[$server]}" "$DURATION" "$(( ${HALF_RATE[$server]} / 2 ))") || line="failed: $(tail -1 "$WORK/open-loop.err")"
    HALF_P99[$server]+="$(field p99_ms <<<"$line") "
    HALF_LAG[$server]+="$(field gen_lag_p99_ms <<<"$line") "
    errors=$(field errors <<<"$line")
    HALF_ERR[$server]=$(( ${HALF_ERR[$server]:-0} + ${errors:-1} ))
    echo "round $round: $server keep-alive at ${HALF_RATE[$server]} req/s (half of saturation), open loop: $line"
  done
done

# Idle: no clients at all, once the JIT is done with what the load left it (it compiles the
# rarely run periodic paths for minutes): IDLE_WARMUP s, then until the compiler threads are flat
# (at most IDLE_SETTLE s more), then IDLE_SECONDS measured, per thread.
echo "idle: ${IDLE_WARMUP}s warm-up, then up to ${IDLE_SETTLE}s for the JIT to settle, then ${IDLE_SECONDS}s measured ..." >&2
sleep "$IDLE_WARMUP"
IDLE_SETTLE_ARGS=()
[ "$IDLE_SETTLE" -gt 0 ] && IDLE_SETTLE_ARGS=(--settle "$IDLE_SETTLE")
IDLE_THREADS="$("$ROOT/bench/thread-cpu.sh" "$GATEWAY_PID" "$IDLE_SECONDS" "${IDLE_SETTLE_ARGS[@]}")"
IDLE_MS=$(awk '/^total_ms_per_s=/ { split($1, t, "="); printf "%.1f", t[2] }' <<<"$IDLE_THREADS")
IDLE_JIT_MS=$(awk '/^total_ms_per_s=/ { split($2, t, "="); printf "%.1f", t[2] }' <<<"$IDLE_THREADS")
IDLE_SETTLED=$(awk '/^total_ms_per_s=/ { split($3, t, "="); print t[2] }' <<<"$IDLE_THREADS")

printf '\n%-10s %-11s %13s %11s %13s %8s\n' server mode "median req/s" "best req/s" "median p99 ms" errors
declare -A MED BEST
for mode in keep-alive close assign; do
  for server in nginx haproxy gateway; do
    [ -n "${RPS[$server/$mode]:-}" ] || continue
    MED["$server/$mode"]="$(median <<<"${RPS[$server/$mode]}")"
    BEST["$server/$mode"]="$(best <<<"${RPS[$server/$mode]}")"
    printf '%-10s %-11s %13.0f %11.0f %13s %8s\n' "$server" "$mode" "${MED[$server/$mode]}" "${BEST[$server/$mode]}" \
      "$(median <<<"${P99[$server/$mode]}")" "${ERR[$server/$mode]}"
  done
done
printf '\n%-10s %22s %14s %8s   %s\n' server "CPU us per connection" "p99 ms at $CONN_RATE/s" errors "(rounds, us)"
for server in nginx haproxy gateway; do
  printf '%-10s %22s %14s %8s   %s\n' "$server" "${CONN_US[$server]}" "${CONN_P99[$server]}" "${CONN_ERR[$server]}" "${CONN_ROUNDS_US[$server]}"
done
printf '\n%-10s %20s %25s %30s %8s\n' server "half saturation /s" "median p99 ms (open loop)" "median generator lag p99 ms" errors
for server in nginx haproxy gateway; do
  printf '%-10s %20s %25s %30s %8s\n' "$server" "${HALF_RATE[$server]}" "$(median <<<"${HALF_P99[$server]}")" \
    "$(median <<<"${HALF_LAG[$server]}")" "${HALF_ERR[$server]}"
done
echo "(a p99 above is the server's only while the generator's own lateness stays small beside it; docs/benchmarks.md)"
echo
for mode in keep-alive close; do
  for peer in nginx haproxy; do
    awk -v g="${MED[gateway/$mode]}" -v n="${MED[$peer/$mode]}" -v gb="${BEST[gateway/$mode]}" -v nb="${BEST[$peer/$mode]}" -v m="$mode" -v p="$peer" \
      'BEGIN { printf "ratio gateway/%s %-11s median %.2f, best %.2f\n", p, m, (n > 0 ? g / n : 0), (nb > 0 ? gb / nb : 0) }'
  done
done
awk -v a="${MED[gateway/assign]}" -v r="${MED[gateway/keep-alive]}" -v p="$(median <<<"$ASSIGN_RATIOS")" \
  -v lo="$(least <<<"$ASSIGN_RATIOS")" -v hi="$(best <<<"$ASSIGN_RATIOS")" -v n="$ASSIGN_PAIRS" -v d="$ASSIGN_SECONDS" \
  'BEGIN { printf "ratio gateway assign/307 keep-alive: paired median %.2f (%d pairs of %d s, range %.2f-%.2f); medians of the rounds %.2f\n", p, n, d, lo, hi, (r > 0 ? a / r : 0) }'
for peer in nginx haproxy; do
  awk -v g="${CONN_US[gateway]}" -v n="${CONN_US[$peer]}" -v p="$peer" \
    'BEGIN { printf "ratio gateway/%s CPU per connection %.2f\n", p, (n > 0 ? g / n : 0) }'
done
case "$IDLE_SETTLED" in
  not-checked) IDLE_JIT_STATE="JIT not waited for" ;;
  no) IDLE_JIT_STATE="JIT still compiling ${IDLE_SETTLE}s after a ${IDLE_WARMUP}s warm-up" ;;
  *) IDLE_JIT_STATE="JIT settled ${IDLE_SETTLED}s after a ${IDLE_WARMUP}s warm-up" ;;
esac
echo "idle gateway CPU: $IDLE_MS ms per second, $IDLE_JIT_MS of it the JIT ($HOSTS hosts heartbeating, no clients, ${IDLE_SECONDS}s measured; $IDLE_JIT_STATE), per thread:"
grep -v '^total_ms_per_s=' <<<"$IDLE_THREADS" | sed 's/^/  /'
echo "(servers on cpu $SERVER_CPU, load generators, Redis and the fake hosts on cpu $LOAD_CPU, $CONNECTIONS connections, $ROUNDS rounds of ${DURATION}s per server and mode; load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
