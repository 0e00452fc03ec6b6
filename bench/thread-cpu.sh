#!/usr/bin/env bash
# CPU of one process per thread (not a test): what an idle JVM spends its time on.
#
# Reads /proc/PID/task/*/schedstat (time on CPU, nanoseconds) and comm (the thread's name; Java
# names are cut to 15 characters) at the start and the end of a window, and prints ms of CPU per
# second of the window per thread group (names with their trailing numbers dropped: "C2
# CompilerThread0" and "...1" are one group), largest first, then their sum: the process's CPU,
# but for threads that ended within the window. The kernel's utime + stime of the process, which
# counts those too, is printed as a cross-check only: it is sampled at 10 ms ticks and, for a
# process using a few ms per second, off by tens of percent either way.
#
# --settle MAX first waits, in windows of SETTLE_WINDOW (default 10) s, until the JIT compiler
# threads used less than SETTLE_JIT_MS (default 5) ms over one window (the JIT has done what the
# idle work makes it do), at most MAX seconds; it says which.
#
# Usage: bench/thread-cpu.sh PID SECONDS [--settle MAX_SECONDS]
# Last line: "total_ms_per_s=X jit_ms_per_s=J jit_settled_after_s=Y" (X: all threads; J: the
# compiler threads; Y: "no" when MAX passed first).
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 PID SECONDS [--settle MAX_SECONDS]" >&2; exit 2; }
PID=$1
SECONDS_WINDOW=$2
SETTLE_MAX=0
[ "${3:-}" = "--settle" ] && SETTLE_MAX=${4:?--settle needs MAX_SECONDS}
SETTLE_WINDOW="${SETTLE_WINDOW:-10}"
SETTLE_JIT_MS="${SETTLE_JIT_MS:-5}"
for v in SECONDS_WINDOW SETTLE_MAX SETTLE_WINDOW SETTLE_JIT_MS; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || { echo "$v: ${!v} (expected: a whole number >= 0)" >&2; exit 2; }
done
[ -d "/proc/$PID/task" ] || { echo "pid $PID: no such process" >&2; exit 1; }

# sample: "tid<TAB>ns<TAB>group" per live thread of PID.
sample() {
  local t ns name
  for t in /proc/"$PID"/task/*; do
    { read -r ns _ <"$t/schedstat" && read -r name <"$t/comm"; } 2>/dev/null || continue
    printf '%s\t%s\t%s\n' "${t##*/}" "$ns" "$(sed -E 's/[#-]?[0-9]+$//' <<<"$name")"
  done
}
# The whole process's CPU (utime + stime of all threads, ended ones included), in ns.
process_ns() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f", ($14 + $15) * 1e9 / hz }' "/proc/$PID/stat"; }
# jit_ns BEFORE AFTER: ns the compiler threads used between two samples.
jit_ns() {
  awk -F'\t' 'NR == FNR { b[$1] = $2; next } $3 ~ /Compiler/ { s += $2 - ($1 in b ? b[$1] : 0) } END { printf "%.0f", s }' "$1" "$2"
}

WORK=$(mktemp -d /tmp/thread-cpu.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
SETTLED=no
if [ "$SETTLE_MAX" -gt 0 ]; then
  waited=0
  sample >"$WORK/a"
  while [ "$waited" -lt "$SETTLE_MAX" ]; do
    sleep "$SETTLE_WINDOW"
    waited=$((waited + SETTLE_WINDOW))
    sample >"$WORK/b"
    jit=$(jit_ns "$WORK/a" "$WORK/b")
    echo "  JIT compiler threads, ${waited} s: $((jit / 1000000)) ms over the last ${SETTLE_WINDOW} s" >&2
    if [ "$jit" -lt $((SETTLE_JIT_MS * 1000000)) ]; then
      SETTLED=$waited
      break
    fi
    mv "$WORK/b" "$WORK/a"
  done
  if [ "$SETTLED" = no ]; then
    echo "JIT compiler threads: still above ${SETTLE_JIT_MS} ms per ${SETTLE_WINDOW} s after ${SETTLE_MAX} s"
  else
    echo "JIT compiler threads: below ${SETTLE_JIT_MS} ms per ${SETTLE_WINDOW} s after ${SETTLED} s"
  fi
else
  SETTLED=not-checked
fi

sample >"$WORK/before"
p0=$(process_ns)
t0=$(date +%s%N)
sleep "$SECONDS_WINDOW"
sample >"$WORK/after"
p1=$(process_ns)
t1=$(date +%s%N)
awk -F'\t' -v secs="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a) / 1e9 }')" -v total=$((p1 - p0)) '
  NR == FNR { b[$1] = $2; next }
  { d = $2 - ($1 in b ? b[$1] : 0); g[$3] += d; n[$3]++; seen += d; if ($3 ~ /Compiler/) jit += d }
  END {
    for (k in g) if (g[k] > 0) printf "%8.2f ms/s  %s (%d threads)\n", g[k] / 1e6 / secs, k, n[k] | "sort -rn"
    close("sort -rn")
    printf "%8.2f ms/s  all threads over %.1f s (schedstat, ns)\n", seen / 1e6 / secs, secs
    printf "%8.2f ms/s  of it the JIT compiler threads\n", jit / 1e6 / secs
    printf "%8.2f ms/s  cross-check: the process'"'"'s utime + stime (sampled at 10 ms ticks, so rough at a few ms/s; counts threads that ended)\n", total / 1e6 / secs
    printf "total_ms_per_s=%.2f jit_ms_per_s=%.2f", seen / 1e6 / secs, jit / 1e6 / secs
  }' "$WORK/before" "$WORK/after"
echo " jit_settled_after_s=$SETTLED"
