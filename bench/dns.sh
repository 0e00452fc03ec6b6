#!/usr/bin/env bash
# DNS benchmark (not a test): dnsperf against farmgate DNS, Knot DNS serving the same zone from a
# static file, and PowerDNS answering the apex with a LUA record (pickrandom, per query).
#
# For each server, on loopback only:
#   1. warm-up   (JIT for farmgate; the same for all servers, for fairness)
#   2. saturation: dnsperf as fast as it can -> queries/s, average latency, lost queries
#   3. fixed rate: dnsperf -Q $RATE          -> CPU seconds the server used per 100k answered queries
# The server is pinned to one CPU and dnsperf to another (taskset; every server thread, including
# those a server pins itself, see pin_threads), so they do not steal from each other; on a 2-core
# machine dnsperf itself is the ceiling near ~150k q/s.
#
# Results: printed, and written to bench/results/dns.txt.
#
# Usage: bench/dns.sh [--duration SECONDS] [--warmup SECONDS] [--rate QPS] [--hosts N] [--rounds N]
#                     [--udp-threads N] [--servers LIST] [--only SERVER] [--quick]
# Servers: farmgate, farmgate-general (the same with its UDP fast path off: every query through
# dnsjava), farmgate-unbatched (one UDP packet per system call instead of recvmmsg/sendmmsg
# batches), farmgate-2threads (2 receive threads on its one CPU), knot, pdns, pdns-cached;
# default all of them.
# --rounds N runs every server N times, interleaved, and reports the median of each figure (the
# worst for lost queries) and, per round, farmgate's CPU per query over Knot's: on a shared
# machine one round can be off by half, the ratio within a round much less.
# --quick: farmgate and knot only, 4 s warm-up, 8 s per phase, 5 rounds, nothing written.
# --only SERVER (one server) and --servers LIST (space- or comma-separated) print without writing
# the results file.
# Needs: Java 17, Maven, and (installed from apt when missing) dnsperf, knot, pdns-server,
# pdns-backend-bind. Nothing listens beyond 127.0.0.1; every process it starts is stopped by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

DURATION=15
WARMUP=8
RATE=50000
HOSTS=3
ROUNDS=1
SERVERS="farmgate farmgate-general farmgate-unbatched farmgate-2threads knot pdns pdns-cached"
WRITE=yes
# farmgate: one receive thread for its one CPU, its default. A second thread per CPU costs more
# CPU per query below saturation (two threads on one CPU each sleep and get woken for their share
# of the packets; 7-10 % more in the runs of 23 November); on a CPU shared with other work it wins
# peak q/s, since the scheduler then gives farmgate two shares of the CPU (farmgate-2threads).
FARMGATE_UDP_THREADS=1
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --hosts) HOSTS=$2; shift 2 ;;
    --only) SERVERS=$2; WRITE=""; shift 2 ;;
    --servers) SERVERS=${2//,/ }; WRITE=""; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --udp-threads) FARMGATE_UDP_THREADS=$2; shift 2 ;;
    --quick) SERVERS="farmgate knot"; WARMUP=4; DURATION=8; ROUNDS=5; WRITE=""; shift ;;
    *) echo "unknown option: $1 (expected --duration, --warmup, --rate, --hosts, --rounds, --udp-threads," \
         "--servers, --only, --quick)" >&2; exit 2 ;;
  esac
done
for name in $SERVERS; do
  case "$name" in
    farmgate|farmgate-general|farmgate-unbatched|farmgate-2threads|knot|pdns|pdns-cached) ;;
    *) echo "unknown server: $name (expected farmgate, farmgate-general, farmgate-unbatched, farmgate-2threads," \
         "knot, pdns, pdns-cached)" >&2; exit 2 ;;
  esac
done

ZONE=farm.example.com
# Knot with 1 UDP worker for its one CPU (its best here: more only cost it throughput).
FARMGATE_PORT=15353
KNOT_PORT=15354
PDNS_PORT=15355
CPUS=$(nproc)
if [ "$CPUS" -ge 2 ]; then
  SERVER_CPU=1
  LOAD_CPU=0
else
  SERVER_CPU=0
  LOAD_CPU=0
  echo "warning: one CPU only; server and dnsperf share it" >&2
fi

WORK=$(mktemp -d /tmp/farmgate-dns-bench.XXXXXX)
RESULTS="$ROOT/bench/results/dns.txt"
mkdir -p "$ROOT/bench/results"
PIDS=()

cleanup() {
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

# ---- tools ----
install_missing() {
  local need=()
  command -v dnsperf >/dev/null 2>&1 || need+=(dnsperf)
  command -v knotd >/dev/null 2>&1 || need+=(knot)
  if [[ " $SERVERS " == *" pdns"* ]]; then
    command -v pdns_server >/dev/null 2>&1 || need+=(pdns-server pdns-backend-bind)
    [ -e /usr/lib/x86_64-linux-gnu/pdns/libbindbackend.so ] || [ -e /usr/lib/aarch64-linux-gnu/pdns/libbindbackend.so ] \
      || need+=(pdns-backend-bind)
  fi
  if [ "${#need[@]}" -eq 0 ]; then
    return
  fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # The packages would start system daemons on port 53; forbid that while installing.
  local made_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
    made_policy=yes
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
  [ -n "$made_policy" ] && $sudo rm -f /usr/sbin/policy-rc.d
  return 0
}
install_missing

port_free() {
  ! (ss -Hlnu "sport = :$1" 2>/dev/null | grep -q . || ss -Hlnt "sport = :$1" 2>/dev/null | grep -q .)
}
for p in $FARMGATE_PORT $KNOT_PORT $PDNS_PORT; do
  port_free "$p" || { echo "port $p is in use on this machine; stop whatever holds it" >&2; exit 1; }
done

# ---- the zone and the queries (the same for every server) ----
hosts_csv=""
{
  echo "\$ORIGIN $ZONE."
  echo "\$TTL 5"
  echo "@ 3600 IN SOA ns1.$ZONE. hostmaster.$ZONE. 1 3600 600 604800 5"
  echo "@ 3600 IN NS ns1.$ZONE."
  echo "ns1 3600 IN A 127.0.0.1"
  for i in $(seq 1 "$HOSTS"); do
    echo "host-$i IN A 127.0.1.$i"
  done
} > "$WORK/zone.common"
for i in $(seq 1 "$HOSTS"); do
  hosts_csv="$hosts_csv${hosts_csv:+,}'127.0.1.$i'"
done
# Knot: the apex holds every host (a static zone cannot choose).
{ cat "$WORK/zone.common"; for i in $(seq 1 "$HOSTS"); do echo "@ IN A 127.0.1.$i"; done; } > "$WORK/knot.zone"
# PowerDNS: the apex chooses one host per query.
{ cat "$WORK/zone.common"; echo "@ IN LUA A \"pickrandom({$hosts_csv})\""; } > "$WORK/pdns.zone"

# 80% apex A (the answer that picks), 20% per-host names, as a client population would ask.
{
  for _ in $(seq 1 8); do echo "$ZONE A"; done
  for i in $(seq 1 2); do echo "host-$(( (i - 1) % HOSTS + 1 )).$ZONE A"; done
} > "$WORK/queries.txt"

# ---- servers ----
build_farmgate() {
  echo "building farmgate dns..." >&2
  mvn -B -q package dependency:build-classpath -pl dns -am -DskipTests \
      -Dmdep.outputFile="$WORK/cp.txt" -DincludeScope=runtime >&2
}

start_farmgate() { # [extra StaticFarmDnsMain options]
  local cp="$ROOT/dns/target/classes:$(cat "$WORK/cp.txt")"
  taskset -c "$SERVER_CPU" java -Xms256m -Xmx256m -XX:+UseSerialGC -XX:+AlwaysPreTouch -cp "$cp" io.farmgate.dns.StaticFarmDnsMain \
      --zone "$ZONE" --listen "127.0.0.1:$FARMGATE_PORT" --hosts "$HOSTS" --udp-threads "$FARMGATE_UDP_THREADS" "$@" \
      > "$WORK/farmgate.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
}
start_farmgate_general() { start_farmgate --no-fast-path; }
start_farmgate_unbatched() { start_farmgate --no-batching; }
start_farmgate_2threads() { start_farmgate --udp-threads 2; } # the last --udp-threads wins

start_knot() {
  mkdir -p "$WORK/knot/db"
  cp "$WORK/knot.zone" "$WORK/knot/$ZONE.zone"
  cat > "$WORK/knot/knot.conf" <<EOF
server:
    listen: 127.0.0.1@$KNOT_PORT
    rundir: $WORK/knot
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
log:
  - target: stderr
    any: warning
database:
    storage: $WORK/knot/db
control:
    listen: $WORK/knot/knot.sock
template:
  - id: default
    storage: $WORK/knot
    semantic-checks: off
zone:
  - domain: $ZONE
    file: $ZONE.zone
EOF
  taskset -c "$SERVER_CPU" knotd -c "$WORK/knot/knot.conf" > "$WORK/knot.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
}

start_pdns() { # [cached]: keep PowerDNS's packet and query caches (its defaults)
  local caches="--cache-ttl=0 --query-cache-ttl=0 --negquery-cache-ttl=0"
  [ "${1:-}" = cached ] && caches=""
  mkdir -p "$WORK/pdns"
  cp "$WORK/pdns.zone" "$WORK/pdns/$ZONE.zone"
  echo "zone \"$ZONE\" { type master; file \"$WORK/pdns/$ZONE.zone\"; };" > "$WORK/pdns/named.conf"
  # Caches off by default: every query runs the LUA record, as farmgate picks per query. With
  # its packet cache on, PowerDNS hands the same cached choice to every client for a while.
  # shellcheck disable=SC2086
  taskset -c "$SERVER_CPU" pdns_server --no-config --daemon=no --guardian=no --disable-syslog \
      --write-pid=no --socket-dir="$WORK/pdns" --local-address=127.0.0.1 --local-port="$PDNS_PORT" \
      --launch=bind --bind-config="$WORK/pdns/named.conf" --enable-lua-records=shared \
      --receiver-threads=1 --distributor-threads=1 $caches --loglevel=4 > "$WORK/pdns.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
}

wait_ready() { # port name
  for _ in $(seq 1 100); do
    if dig +time=1 +tries=1 @127.0.0.1 -p "$1" "$ZONE" SOA 2>/dev/null | grep -q "status: NOERROR"; then
      return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "$2 exited; its log:" >&2; cat "$WORK/$2.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "$2 did not answer within 20 s; its log:" >&2
  cat "$WORK/$2.log" >&2
  exit 1
}

cpu_seconds() { # pid: user+system CPU time of the whole process
  local ticks
  ticks=$(awk '{print $14 + $15}' "/proc/$1/stat")
  awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f", t / hz }'
}

dnsperf_run() { # port seconds [extra args...]
  local port=$1 secs=$2
  shift 2
  taskset -c "$LOAD_CPU" dnsperf -s 127.0.0.1 -p "$port" -d "$WORK/queries.txt" -l "$secs" \
      -c 8 -T 1 -q 100 -t 2 "$@" 2>&1
}

field() { # dnsperf-output label -> first number after it
  awk -v label="$2" 'i = index($0, label) {
      rest = substr($0, i + length(label)); sub(/^[ \t]+/, "", rest); split(rest, a, /[ (]/); print a[1]; exit
    }' <<< "$1"
}

# Per server, space-separated values of every round.
declare -A QPS LAT LOST CPU100K FIXQPS FIXLOST FIXLAT SATCPU
record() { # array-name server value
  local -n arr=$1
  arr[$2]="${arr[$2]:-} $3"
}

# Knot pins its UDP worker threads itself (worker i on CPU i), whatever the taskset it was started
# with: its one worker moved onto CPU 0, beside dnsperf, where waking each other costs far less
# than across CPUs (a trivial C echo server measured 0.34 CPU-s/100k beside dnsperf, 0.80 on the
# other CPU). Before this, Knot's CPU per query was measured that way. Every thread of every
# server is put back on the server's CPU once it answers.
pin_threads() { # name
  local moved=0 tid
  for tid in $(ls "/proc/$SERVER_PID/task"); do
    if [ "$(taskset -pc "$tid" 2>/dev/null | awk -F': ' '{print $2}')" != "$SERVER_CPU" ]; then
      moved=$((moved + 1))
    fi
  done
  taskset -a -pc "$SERVER_CPU" "$SERVER_PID" > /dev/null
  if [ "$moved" -gt 0 ]; then
    echo "== $1: $moved thread(s) had pinned themselves off CPU $SERVER_CPU; moved back" >&2
  fi
}

measure() { # name port
  local name=$1 port=$2
  wait_ready "$port" "$name"
  pin_threads "$name"
  echo "== $name: warm-up ${WARMUP}s" >&2
  dnsperf_run "$port" "$WARMUP" > /dev/null
  echo "== $name: saturation ${DURATION}s" >&2
  local out sat_before sat_after
  sat_before=$(cpu_seconds "$SERVER_PID")
  out=$(dnsperf_run "$port" "$DURATION")
  sat_after=$(cpu_seconds "$SERVER_PID")
  # Share of its one CPU the server used at saturation: well below 100 % means the load
  # generator, not the server, set the pace.
  record SATCPU "$name" "$(awk -v a="$sat_after" -v b="$sat_before" -v d="$DURATION" 'BEGIN { printf "%.0f", (a - b) * 100 / d }')"
  record QPS "$name" "$(field "$out" "Queries per second:")"
  record LAT "$name" "$(field "$out" "Average Latency (s):")"
  record LOST "$name" "$(field "$out" "Queries lost:")"
  echo "== $name: fixed rate ${RATE} q/s for ${DURATION}s" >&2
  local before after completed
  before=$(cpu_seconds "$SERVER_PID")
  out=$(dnsperf_run "$port" "$DURATION" -Q "$RATE")
  after=$(cpu_seconds "$SERVER_PID")
  completed=$(field "$out" "Queries completed:")
  record FIXQPS "$name" "$(field "$out" "Queries per second:")"
  record FIXLOST "$name" "$(field "$out" "Queries lost:")"
  record FIXLAT "$name" "$(field "$out" "Average Latency (s):")"
  record CPU100K "$name" "$(awk -v a="$after" -v b="$before" -v n="$completed" \
      'BEGIN { if (n > 0) printf "%.3f", (a - b) * 100000 / n; else print "nan" }')"
}

run() { # name start port
  if [[ " $SERVERS " != *" $1 "* ]]; then
    return
  fi
  "$2"
  measure "$1" "$3"
  stop_server
}

# farmgate's CPU per query over Knot's in one round (both measured minutes apart at most).
declare -A ROUND_RATIO
record_round_ratio() { # round server
  local fg kn
  fg=$(awk '{ print $NF }' <<< "${CPU100K[$2]:-}")
  kn=$(awk '{ print $NF }' <<< "${CPU100K[knot]:-}")
  if [ -n "$fg" ] && [ -n "$kn" ]; then
    ROUND_RATIO[$2]="${ROUND_RATIO[$2]:-} $(ratio "$fg" "$kn")"
    echo "== round $1: $2 cpu/query over knot's: $(ratio "$fg" "$kn") ($fg / $kn cpu-s per 100k)" >&2
  fi
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "") printf "%.2f", a / b; else print "n/a" }'; }

start_pdns_cached() { start_pdns cached; }
if [[ " $SERVERS " == *" farmgate"* ]]; then
  build_farmgate
fi
for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round of $ROUNDS" >&2
  run farmgate start_farmgate "$FARMGATE_PORT"
  run farmgate-general start_farmgate_general "$FARMGATE_PORT"
  run farmgate-unbatched start_farmgate_unbatched "$FARMGATE_PORT"
  run farmgate-2threads start_farmgate_2threads "$FARMGATE_PORT"
  run knot start_knot "$KNOT_PORT"
  run pdns start_pdns "$PDNS_PORT"
  run pdns-cached start_pdns_cached "$PDNS_PORT"
  for name in farmgate farmgate-general farmgate-unbatched farmgate-2threads; do
    if [[ " $SERVERS " == *" $name "* && " $SERVERS " == *" knot "* ]]; then
      record_round_ratio "$round" "$name"
    fi
  done
done

median() { tr ' ' '\n' <<< "$1" | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
worst() { tr ' ' '\n' <<< "$1" | grep . | sort -g | tail -1; }

report() {
  echo "# farmgate DNS benchmark -- $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "# machine: $(nproc) CPUs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "# server (all its threads) on CPU $SERVER_CPU, dnsperf on CPU $LOAD_CPU; ${HOSTS} hosts; queries: 80% apex A, 20% host names"
  echo "# saturation: dnsperf -c 8 -q 100 for ${DURATION}s after ${WARMUP}s warm-up; fixed rate: -Q $RATE"
  echo "# farmgate: StaticFarmDnsMain, $FARMGATE_UDP_THREADS UDP thread(s), recvmmsg/sendmmsg batches; farmgate-general: the same, UDP fast path off;"
  echo "#   farmgate-unbatched: the same, one UDP packet per system call;"
  echo "#   farmgate-2threads: the same with 2 UDP threads (SO_REUSEPORT) on its one CPU"
  echo "# knot: 1 UDP worker, static zone (apex holds every host)"
  echo "# pdns: LUA pickrandom, enable-lua-records=shared, 1 receiver + 1 distributor thread,"
  echo "#   caches off (every query runs LUA); pdns-cached: the same with its default packet/query caches"
  echo "# $ROUNDS round(s), interleaved; median of each figure, worst for lost"
  echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews every figure)"
  printf "%-12s %10s %12s %8s %8s %10s %12s %9s %11s\n" server "q/s(sat)" "lat-ms(sat)" "lost" \
    "cpu%(sat)" "q/s(fix)" "lat-ms(fix)" "lost(fix)" "cpu-s/100k"
  declare -A M_QPS M_CPU
  for name in farmgate farmgate-general farmgate-unbatched farmgate-2threads knot pdns pdns-cached; do
    [ -n "${QPS[$name]:-}" ] || continue
    M_QPS[$name]=$(median "${QPS[$name]}")
    M_CPU[$name]=$(median "${CPU100K[$name]}")
    printf "%-12s %10.0f %12.3f %8s %8s %10.0f %12.3f %9s %11s\n" "$name" "${M_QPS[$name]}" \
      "$(awk -v s="$(median "${LAT[$name]}")" 'BEGIN { print s * 1000 }')" "$(worst "${LOST[$name]}")" \
      "$(median "${SATCPU[$name]}")" \
      "$(median "${FIXQPS[$name]}")" "$(awk -v s="$(median "${FIXLAT[$name]}")" 'BEGIN { print s * 1000 }')" \
      "$(worst "${FIXLOST[$name]}")" "${M_CPU[$name]}"
  done
  if [ -n "${M_QPS[farmgate]:-}" ]; then
    if [ -n "${M_QPS[knot]:-}" ]; then
      echo "farmgate/knot         q/s: $(ratio "${M_QPS[farmgate]}" "${M_QPS[knot]}")  (target >= 0.9)  cpu/query: $(ratio "${M_CPU[farmgate]}" "${M_CPU[knot]}")  (target <= 2)"
      echo "farmgate/knot         cpu/query per round:${ROUND_RATIO[farmgate]:-}  median $(median "${ROUND_RATIO[farmgate]:-}")"
    fi
    if [ -n "${M_QPS[pdns]:-}" ]; then
      echo "farmgate/pdns         q/s: $(ratio "${M_QPS[farmgate]}" "${M_QPS[pdns]}")  (target >= 1.5)  cpu/query: $(ratio "${M_CPU[farmgate]}" "${M_CPU[pdns]}")"
    fi
    if [ -n "${M_QPS[pdns-cached]:-}" ]; then
      echo "farmgate/pdns-cached  q/s: $(ratio "${M_QPS[farmgate]}" "${M_QPS[pdns-cached]}")  cpu/query: $(ratio "${M_CPU[farmgate]}" "${M_CPU[pdns-cached]}")"
    fi
  fi
  for name in farmgate-general farmgate-unbatched farmgate-2threads; do
    if [ -n "${M_QPS[$name]:-}" ] && [ -n "${M_QPS[knot]:-}" ]; then
      printf "%-21s q/s: %s  cpu/query: %s  per round:%s\n" "$name/knot" "$(ratio "${M_QPS[$name]}" "${M_QPS[knot]}")" \
        "$(ratio "${M_CPU[$name]}" "${M_CPU[knot]}")" "${ROUND_RATIO[$name]:-}"
    fi
  done
  echo "# per-round q/s(sat):"
  for name in farmgate farmgate-general farmgate-unbatched farmgate-2threads knot pdns pdns-cached; do
    [ -n "${QPS[$name]:-}" ] && echo "#   $name:${QPS[$name]}"
  done
  echo "# per-round cpu-s/100k:"
  for name in farmgate farmgate-general farmgate-unbatched farmgate-2threads knot pdns pdns-cached; do
    [ -n "${CPU100K[$name]:-}" ] && echo "#   $name:${CPU100K[$name]}"
  done
  return 0
}

if [ -z "$WRITE" ]; then
  report
else
  report | tee "$RESULTS"
fi
