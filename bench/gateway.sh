#!/usr/bin/env bash
# Load test of the gateway's redirect against nginx answering `return 307`, on this machine.
#
# Both servers are pinned to one core and wrk to another, so neither competes with the load
# generator; each is measured with keep-alive and with `Connection: close`. Prints requests/s,
# p99 latency, errors and the ratio gateway/nginx (also written to bench/results/gateway.txt).
# Not a test: run it by hand, record results in docs/benchmarks.md.
#
#   bench/gateway.sh                 # 3 rounds of 10 s per server and mode, 50 connections
#   ROUNDS=5 DURATION=20 CONNECTIONS=100 bench/gateway.sh
#
# Needs java and mvn; installs wrk and nginx-light with apt-get when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-10}"
ROUNDS="${ROUNDS:-3}"
CONNECTIONS="${CONNECTIONS:-50}"
WARMUP="${WARMUP:-15}"
SERVER_CPU="${SERVER_CPU:-0}"
LOAD_CPU="${LOAD_CPU:-1}"
GATEWAY_PORT="${GATEWAY_PORT:-28080}"
NGINX_PORT="${NGINX_PORT:-28090}"

need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
if [ "${#need[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

for port in "$GATEWAY_PORT" "$((GATEWAY_PORT + 1))" "$NGINX_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is taken by another process; set GATEWAY_PORT / NGINX_PORT" >&2
    exit 1
  fi
done

work="$(mktemp -d)"
pids=()
cleanup() {
  # Only what this script started, by PID.
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "building the bench jar ..."
mvn -B -q -o package -pl bench -am -DskipTests >"$work/build.log" 2>&1 || mvn -B -q package -pl bench -am -DskipTests

# nginx: one worker on the server core, no logs, a 307 like the gateway's.
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
worker_cpu_affinity auto;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work; uwsgi_temp_path $work; scgi_temp_path $work;
  server {
    listen 127.0.0.1:$NGINX_PORT reuseport;
    location / { return 307 http://127.0.0.11:9001\$request_uri; }
  }
}
CONF
taskset -c "$SERVER_CPU" "$NGINX" -c "$work/nginx.conf" -e "$work/nginx-error.log" &
pids+=($!)

taskset -c "$SERVER_CPU" java -Xms256m -Xmx256m -XX:+UseParallelGC -cp bench/target/benchmarks.jar \
  io.farmgate.bench.GatewayUnderLoad "127.0.0.1:$GATEWAY_PORT" "127.0.0.1:$((GATEWAY_PORT + 1))" >"$work/gateway.out" 2>&1 &
pids+=($!)

wait_for() {
  for _ in $(seq 1 100); do
    if curl -s -o /dev/null "http://127.0.0.1:$1/"; then return 0; fi
    sleep 0.2
  done
  echo "nothing answers on port $1" >&2
  cat "$work/gateway.out" >&2 || true
  exit 1
}
wait_for "$NGINX_PORT"
wait_for "$GATEWAY_PORT"

curl -s -D - -o /dev/null "http://127.0.0.1:$GATEWAY_PORT/chat?room=1" | grep -i '^location' | sed 's/^/gateway: /'
curl -s -D - -o /dev/null "http://127.0.0.1:$NGINX_PORT/chat?room=1" | grep -i '^location' | sed 's/^/nginx:   /'

# run NAME URL [extra wrk args...] -> prints "rps p99_ms errors"
run() {
  local out
  out="$(taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency "${@:2}" "$1" 2>&1)"
  echo "$out" >>"$work/wrk.log"
  local rps p99 errors non3xx sockerr
  rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
  p99="$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' <<<"$out")"
  non3xx="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")"
  sockerr="$(awk -F'[ ,]+' '/Socket errors:/ {print $4+$6+$8+$10}' <<<"$out")"
  errors=$(( ${non3xx:-0} + ${sockerr:-0} ))
  echo "$rps ${p99:-?} $errors"
}

echo "warming up the gateway's JIT for ${WARMUP}s ..."
taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" "http://127.0.0.1:$GATEWAY_PORT/chat?room=1" >/dev/null
taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"$((WARMUP / 3 + 1))s" -H "Connection: close" "http://127.0.0.1:$GATEWAY_PORT/chat?room=1" >/dev/null

mkdir -p bench/results
exec > >(tee bench/results/gateway.txt)
echo "# bench/gateway.sh $(date -u +%Y-%m-%dT%H:%MZ), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# Rounds alternate the servers so that a change in the machine's background load hits both alike;
# each figure is the median over the rounds, errors are summed.
declare -A RPS P99 ERR
for round in $(seq 1 "$ROUNDS"); do
  for mode in keep-alive close; do
    extra=()
    [ "$mode" = close ] && extra=(-H "Connection: close")
    for server in nginx gateway; do
      port="$NGINX_PORT"; [ "$server" = gateway ] && port="$GATEWAY_PORT"
      read -r rps p99 errors < <(run "http://127.0.0.1:$port/chat?room=1" "${extra[@]}")
      RPS["$server/$mode"]+="$rps "
      P99["$server/$mode"]+="$p99 "
      ERR["$server/$mode"]=$(( ${ERR["$server/$mode"]:-0} + errors ))
      echo "round $round: $server $mode $rps req/s, p99 $p99 ms, $errors errors"
    done
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR]=$1} END {print (NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2)}'; }
best() { tr ' ' '\n' | grep -v '^$' | sort -g | tail -1; }

# On a shared machine the best round is the one least disturbed by other work: it shows what each
# server costs; the median shows what a run typically gets.
printf '\n%-10s %-11s %13s %11s %13s %8s\n' server mode "median req/s" "best req/s" "median p99 ms" errors
declare -A MED BEST
for mode in keep-alive close; do
  for server in nginx gateway; do
    MED["$server/$mode"]="$(median <<<"${RPS[$server/$mode]}")"
    BEST["$server/$mode"]="$(best <<<"${RPS[$server/$mode]}")"
    printf '%-10s %-11s %13.0f %11.0f %13s %8s\n' "$server" "$mode" "${MED[$server/$mode]}" "${BEST[$server/$mode]}" \
      "$(median <<<"${P99[$server/$mode]}")" "${ERR[$server/$mode]}"
  done
done
echo
for mode in keep-alive close; do
  awk -v g="${MED[gateway/$mode]}" -v n="${MED[nginx/$mode]}" -v gb="${BEST[gateway/$mode]}" -v nb="${BEST[nginx/$mode]}" -v m="$mode" \
    'BEGIN { printf "ratio gateway/nginx %-11s median %.2f, best %.2f\n", m, (n > 0 ? g / n : 0), (nb > 0 ? gb / nb : 0) }'
done
echo "(servers on cpu $SERVER_CPU, wrk on cpu $LOAD_CPU, $CONNECTIONS connections, $ROUNDS rounds of ${DURATION}s per server and mode; load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
