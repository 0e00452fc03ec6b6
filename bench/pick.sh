#!/usr/bin/env bash
# Builds the bench module and runs PickBenchmark (one pick, with and without recording it) with the
# GC profiler, so both ns/op and allocated bytes per pick (gc.alloc.rate.norm) are reported.
# Results go to bench/results/pick.txt. Extra arguments go to JMH, e.g. `bench/pick.sh -p hosts=10`.
# Settings are modest on purpose: the machine is shared; read single runs as rough figures.
set -euo pipefail
cd "$(dirname "$0")/.."

mvn -B -q -DskipTests package -pl bench -am
mkdir -p bench/results
java -jar bench/target/benchmarks.jar 'io.farmgate.bench.PickBenchmark' \
    -prof gc -f 1 -wi 3 -w 1s -i 5 -r 1s "$@" \
    | tee bench/results/pick.txt
