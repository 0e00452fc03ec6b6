#!/usr/bin/env bash
# Runs every benchmark of bench/ beside its peers and writes one summary table into
# docs/benchmarks.md, between the markers <!-- run-all:begin --> and <!-- run-all:end -->
# (replaced on every run; the rest of the file is left alone), with the machine, the versions and
# the date. Not a test.
#
#   gateway    bench/gateway.sh    `farmgate gateway` (32 heartbeating hosts) vs nginx and HAProxy answering 307
#   storm      bench/storm.sh      20,000 new connections in 2 s at the gateway: every one a valid 307
#   dns        bench/dns.sh        farmgate DNS vs Knot (static zone) and PowerDNS LUA (dnsperf)
#   simulate   farmgate simulate   the farm simulator: two-choice vs random, round-robin, least-score, rendezvous
#   pick       bench/pick.sh       one pick (JMH), two-choice vs least-score vs rendezvous
#   longlived  bench/longlived.sh  N long-lived WebSocket clients: HAProxy leastconn vs the gateway's 307
#
# Usage: bench/run-all.sh [--quick] [--only NAME[,NAME...]] [--no-docs]
#   --quick   short runs of everything (a few minutes in all): to check that the scripts work. The
#             per-benchmark results files (bench/results/*.txt) are kept as they were; the quick
#             outputs go to bench/results/run-all-quick.txt, and the docs table says "quick".
#   --only    run only these (the table shows the others as not run)
#   --no-docs print the table without touching docs/benchmarks.md
# Full runs take about half an hour. Every script stops only the processes it started.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

QUICK=""
ONLY="gateway,storm,dns,simulate,pick,longlived"
DOCS=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=yes; shift ;;
    --only) ONLY=$2; shift 2 ;;
    --no-docs) DOCS=""; shift ;;
    *) echo "unknown option: $1 (expected --quick, --only, --no-docs)" >&2; exit 2 ;;
  esac
done
for name in ${ONLY//,/ }; do
  case "$name" in gateway|storm|dns|simulate|pick|longlived) ;; *) echo "--only: $name (expected gateway, storm, dns, simulate, pick, longlived)" >&2; exit 2 ;; esac
done
wanted() { [[ ",$ONLY," == *",$1,"* ]]; }

WORK=$(mktemp -d /tmp/farmgate-run-all.XXXXXX)
RESULTS_DIR="$ROOT/bench/results"
mkdir -p "$RESULTS_DIR"
KEPT=()
cleanup() {
  # A quick run must not replace the results of full runs: put them back.
  for f in "${KEPT[@]:-}"; do
    [ -n "$f" ] && [ -f "$WORK/kept/$f" ] && cp "$WORK/kept/$f" "$RESULTS_DIR/$f"
  done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
if [ -n "$QUICK" ]; then
  mkdir -p "$WORK/kept"
  for f in gateway.txt storm.txt dns.txt pick.txt longlived.txt; do
    if [ -f "$RESULTS_DIR/$f" ]; then
      cp "$RESULTS_DIR/$f" "$WORK/kept/$f"
      KEPT+=("$f")
    fi
  done
fi

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
DATE=$(date -u +%Y-%m-%dT%H:%MZ)
echo "run-all: $([ -n "$QUICK" ] && echo quick || echo full) run of: $ONLY; load average now $LOAD_BEFORE" >&2
echo "run-all: the machine is shared when the load average is above its $(nproc) CPUs: read the figures as rough" >&2

echo "== building the farmgate jar (for simulate and longlived) ..." >&2
mvn -B -q -o package -pl cli,bench -am -DskipTests >"$WORK/build.log" 2>&1 \
  || mvn -B -q package -pl cli,bench -am -DskipTests >&2

run_logged() { # name command...
  local name=$1
  shift
  echo "== $name: $*" >&2
  if "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"; then
    return 0
  fi
  echo "run-all: $name failed; the end of its output:" >&2
  tail -n 20 "$WORK/$name.err" "$WORK/$name.out" >&2 || true
  echo "failed" >"$WORK/$name.failed"
  return 0
}

if wanted gateway; then
  if [ -n "$QUICK" ]; then
    run_logged gateway bench/gateway.sh --quick --no-build
  else
    run_logged gateway bench/gateway.sh --no-build
  fi
fi
if wanted storm; then
  if [ -n "$QUICK" ]; then
    run_logged storm bench/storm.sh --quick --no-build
  else
    run_logged storm bench/storm.sh --no-build
  fi
fi
if wanted dns; then
  if [ -n "$QUICK" ]; then
    run_logged dns bench/dns.sh --duration 3 --warmup 2
  else
    run_logged dns bench/dns.sh --rounds 3
  fi
fi
if wanted simulate; then
  if [ -n "$QUICK" ]; then
    run_logged simulate java -jar cli/target/farmgate.jar simulate --duration 2m
  else
    run_logged simulate java -jar cli/target/farmgate.jar simulate
  fi
fi
if wanted pick; then
  if [ -n "$QUICK" ]; then
    # pick.sh fixes the iteration counts; a quick run needs fewer, from the jar built above.
    run_logged pick java -jar bench/target/benchmarks.jar 'io.farmgate.bench.PickBenchmark' \
      -prof gc -f 1 -wi 1 -w 1s -i 2 -r 1s -p hosts=10,1000
  else
    run_logged pick bench/pick.sh
  fi
fi
if wanted longlived; then
  if [ -n "$QUICK" ]; then
    run_logged longlived bench/longlived.sh --quick --no-build --results "$WORK/longlived.txt"
  else
    run_logged longlived bench/longlived.sh --no-build
  fi
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- the summary ----
out() { # name -> its output, or nothing when it did not run or failed
  if [ -f "$WORK/$1.out" ] && [ ! -f "$WORK/$1.failed" ]; then cat "$WORK/$1.out"; fi
}
status() { # name
  if ! wanted "$1"; then echo "not run"; elif [ -f "$WORK/$1.failed" ]; then echo "FAILED"; else echo ""; fi
}
fmt() { awk -v v="$1" 'BEGIN { if (v == "" || v == "?") print "?"; else printf "%.0f", v }'; }

versions() {
  local v=()
  v+=("$(java -version 2>&1 | head -1 | sed 's/ version//; s/"//g')")
  v+=("nginx $( (nginx -v 2>&1 || /usr/sbin/nginx -v 2>&1) | sed -n 's/.*nginx\///p' | head -1)")
  v+=("Knot $(knotd --version 2>&1 | grep -o '[0-9][0-9.]*' | head -1)")
  v+=("PowerDNS $(pdns_server --version 2>&1 | grep -o 'Server [0-9][0-9.]*' | head -1 | cut -d' ' -f2)")
  v+=("HAProxy $(haproxy -v 2>&1 | head -1 | awk '{ print $3 }')")
  v+=("Redis $(redis-server --version 2>&1 | sed -n 's/.* v=\([^ ]*\).*/\1/p')")
  v+=("wrk $(wrk -v 2>&1 | head -1 | awk '{ print $2 }')")
  v+=("dnsperf $(dnsperf -h 2>&1 | sed -n 's/^Version //p' | head -1)")
  local joined
  joined=$(IFS=';'; echo "${v[*]}")
  echo "${joined//;/; }"
}
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')
git -C "$ROOT" diff --quiet HEAD 2>/dev/null || commit="$commit (with uncommitted changes)"

table() {
  local mode="full run"
  [ -n "$QUICK" ] && mode="QUICK run (short durations: checks the scripts, figures are rough)"
  echo "Generated by \`bench/run-all.sh$([ -n "$QUICK" ] && echo " --quick")\` on $DATE -- $mode. Do not edit by hand: the next run replaces it."
  echo
  echo "- machine: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo) RAM, Linux $(uname -r)"
  echo "- load average before / after: $LOAD_BEFORE / $LOAD_AFTER$(awk -v l="${LOAD_BEFORE%% *}" -v n="$(nproc)" 'BEGIN { if (l + 0 > n / 2) print " -- **the machine was busy with other work: figures are noisy**" }')"
  echo "- versions (empty: not installed): farmgate $commit; $(versions)"
  echo
  echo "| benchmark | farmgate | peers | farmgate / peer |"
  echo "|---|---|---|---|"

  local g s
  s=$(status gateway)
  if [ -n "$s" ]; then
    echo "| redirect, keep-alive (\`gateway.sh\`) | $s | | |"
  else
    g=$(out gateway)
    for mode in keep-alive close; do
      local gw ng ratio
      gw=$(awk -v m="$mode" '$1 == "gateway" && $2 == m { print $3 }' <<<"$g")
      ng=$(awk -v m="$mode" '$1 == "nginx" && $2 == m { print $3 }' <<<"$g")
      ratio=$(awk -v m="$mode" '$0 ~ "^ratio gateway/nginx " m " " { sub(/,$/, "", $5); print $5 }' <<<"$g")
      echo "| redirect 307, $mode, req/s median (\`gateway.sh\`) | $(fmt "$gw") | nginx $(fmt "$ng") | ${ratio:-?} |"
    done
  fi

  s=$(status storm)
  if [ -n "$s" ]; then
    echo "| connection storm (\`storm.sh\`) | $s | | |"
  else
    g=$(out storm)
    echo "| connection storm (\`storm.sh\`): $(grep -m1 '^storm:' <<<"$g" | sed 's/^storm: //; s/: requests=.*//') | $(grep -m1 '^errors:' <<<"$g" | sed 's/^errors: //') | | |"
  fi

  s=$(status dns)
  if [ -n "$s" ]; then
    echo "| DNS (\`dns.sh\`) | $s | | |"
  else
    g=$(out dns)
    local fq fc kq kc pq pc
    fq=$(awk '$1 == "farmgate" { print $2 }' <<<"$g"); fc=$(awk '$1 == "farmgate" { print $NF }' <<<"$g")
    kq=$(awk '$1 == "knot" { print $2 }' <<<"$g"); kc=$(awk '$1 == "knot" { print $NF }' <<<"$g")
    pq=$(awk '$1 == "pdns" { print $2 }' <<<"$g"); pc=$(awk '$1 == "pdns" { print $NF }' <<<"$g")
    echo "| DNS q/s at saturation (\`dns.sh\`) | $(fmt "$fq") | Knot $(fmt "$kq"); PowerDNS-LUA $(fmt "$pq") | $(awk -v a="$fq" -v b="$kq" -v c="$pq" 'BEGIN { if (b > 0 && c > 0) printf "%.2f / %.2f", a / b, a / c; else print "?" }') |"
    echo "| DNS CPU s per 100k queries at a fixed rate (\`dns.sh\`) | ${fc:-?} | Knot ${kc:-?}; PowerDNS-LUA ${pc:-?} | $(awk -v a="$fc" -v b="$kc" -v c="$pc" 'BEGIN { if (b > 0 && c > 0) printf "%.2f / %.2f", a / b, a / c; else print "?" }') |"
  fi

  s=$(status simulate)
  if [ -n "$s" ]; then
    echo "| simulator (\`farmgate simulate\`) | $s | | |"
  else
    g=$(out simulate)
    local tc peers
    tc=$(awk '$1 == "two-choice" { print $2 " / " $4 }' <<<"$g")
    peers=$(awk '$1 == "random" || $1 == "round-robin" || $1 == "least-score" || $1 == "bounded-load-rendezvous" { printf "%s%s %s / %s", sep, $1, $2, $4; sep = "; " }' <<<"$g")
    echo "| simulator, max/mean load p50 / herd factor (\`farmgate simulate$([ -n "$QUICK" ] && echo " --duration 2m")\`) | ${tc:-?} | ${peers:-?} | lower is better (1 = perfect) |"
  fi

  s=$(status pick)
  if [ -n "$s" ]; then
    echo "| one pick (\`pick.sh\`, JMH) | $s | | |"
  else
    g=$(out pick)
    local row
    row=$(awk '$1 ~ /^PickBenchmark\.[A-Za-z]+$/ && $3 == "avgt" { split($1, n, "."); v[n[2] "@" $2] = sprintf("%.0f", $5) }
      END {
        hs = "10 1000 10000"; split(hs, h, " ")
        tc = ""; ls = ""; rv = ""
        for (i = 1; i <= 3; i++) {
          if ((("twoChoice@" h[i]) in v)) { tc = tc (tc == "" ? "" : ", ") h[i] " hosts " v["twoChoice@" h[i]] " ns" }
          if ((("leastScore@" h[i]) in v)) { ls = ls (ls == "" ? "" : ", ") h[i] ": " v["leastScore@" h[i]] }
          if ((("rendezvous@" h[i]) in v)) { rv = rv (rv == "" ? "" : ", ") h[i] ": " v["rendezvous@" h[i]] }
        }
        print tc "|least-score " ls " ns; rendezvous " rv " ns"
      }' <<<"$g")
    local alloc
    alloc=$(awk '$1 == "PickBenchmark.twoChoice:gc.alloc.rate.norm" { print ($5 == "≈" ? "≈ 0" : $5) " B/op"; exit }' <<<"$g")
    echo "| one two-choice pick, ns (\`pick.sh\`, JMH) | ${row%%|*}; ${alloc:-? B/op} | ${row#*|} | the peers scan every host |"
  fi

  s=$(status longlived)
  if [ -n "$s" ]; then
    echo "| long-lived WebSockets (\`longlived.sh\`) | $s | | |"
  else
    if [ -n "$QUICK" ]; then g=$(cat "$WORK/longlived.txt" 2>/dev/null || true); else g=$(cat "$RESULTS_DIR/longlived.txt" 2>/dev/null || true); fi
    local hl fl head
    head=$(grep -m1 'WebSocket clients x' <<<"$g" | sed 's/^# //; s/, acked by.*//')
    hl=$(awk '$1 == "haproxy" && $2 ~ /^[0-9]+$/' <<<"$g"); fl=$(awk '$1 == "farmgate" && $2 ~ /^[0-9]+$/' <<<"$g")
    # Columns from the right: ms/client, ms/cl-net, us/msg, us/msg-net, ms/cl-run.
    col() { awk -v k="$2" '{ print $(NF - k) }' <<<"$1"; }
    ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "haproxy/farmgate %.1fx", a / b; else print "farmgate below one CPU tick" }'; }
    echo "| long-lived WebSockets, $head (\`longlived.sh\`): balancer CPU ms per client (connect + close, net of the balancer's idle CPU) | $(col "$fl" 3) | HAProxy leastconn $(col "$hl" 3) | $(ratio "$(col "$hl" 3)" "$(col "$fl" 3)") |"
    echo "| long-lived: balancer CPU µs per message (message phase, net of the balancer's idle CPU) | $(col "$fl" 1) | HAProxy $(col "$hl" 1) | $(ratio "$(col "$hl" 1)" "$(col "$fl" 1)") |"
    echo "| long-lived: balancer CPU ms per client over the whole run (connect, messages, close; idle included) | $(col "$fl" 0) | HAProxy $(col "$hl" 0) | $(ratio "$(col "$hl" 0)" "$(col "$fl" 0)") |"
  fi
  echo
  echo "Full outputs: bench/results/$([ -n "$QUICK" ] && echo "run-all-quick.txt" || echo "{gateway,storm,dns,pick,longlived}.txt and run-all.txt")."
}

TABLE=$(table)
echo "$TABLE"
{
  echo "# bench/run-all.sh$([ -n "$QUICK" ] && echo " --quick") $DATE"
  echo "$TABLE"
  for name in gateway storm dns simulate pick longlived; do
    wanted "$name" || continue
    echo
    echo "## $name"
    if [ "$name" = longlived ] && [ -n "$QUICK" ]; then cat "$WORK/longlived.txt" 2>/dev/null || true; else cat "$WORK/$name.out" 2>/dev/null || true; fi
  done
} >"$RESULTS_DIR/run-all$([ -n "$QUICK" ] && echo "-quick").txt"

if [ -n "$DOCS" ]; then
  DOC="$ROOT/docs/benchmarks.md"
  BEGIN='<!-- run-all:begin -->'
  END='<!-- run-all:end -->'
  printf '%s\n' "$TABLE" >"$WORK/table.md"
  if grep -qF "$BEGIN" "$DOC" && grep -qF "$END" "$DOC"; then
    awk -v b="$BEGIN" -v e="$END" -v f="$WORK/table.md" '
      $0 == b { print; while ((getline line < f) > 0) print line; skip = 1; next }
      $0 == e { skip = 0 }
      !skip { print }' "$DOC" >"$WORK/doc.md"
  else
    # First run: a new section before the first existing one.
    awk -v b="$BEGIN" -v e="$END" -v f="$WORK/table.md" '
      !done && /^## / {
        print "## Summary of the latest `bench/run-all.sh`"; print ""; print b
        while ((getline line < f) > 0) print line
        print e; print ""; done = 1
      }
      { print }' "$DOC" >"$WORK/doc.md"
  fi
  cp "$WORK/doc.md" "$DOC"
  echo "run-all: table written to docs/benchmarks.md" >&2
fi
