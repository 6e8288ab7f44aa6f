#!/bin/sh
# sweep.sh [TIERSIM] — time one sweep at -j 1 and at -j 2 (and -j N with JOBS=N), for the
# speed-up of issue 7 (-j N should be at least 0.9 x N faster on N free cores). The sweep:
# three-tier.json, 2 h simulated, 4 points x 4 replications = 16 runs; check that the files
# of each -j are the same bytes. Run it on an idle machine; it prints wall-clock seconds.
set -eu
cd "$(dirname "$0")/.."
tiersim=${1:-build/tiersim}
jobs=${JOBS:-2}
args="scenarios/three-tier.json --set duration=2h --reps 4 -q
      --vary components.app.asg.max_size=4,8 --vary components.web.asg.max_size=6,10"
out=${TMPDIR:-/tmp}/tiersim-bench-sweep
rm -rf "$out"
for j in 1 $jobs; do
    start=$(date +%s.%N)
    "$tiersim" sweep $args -j "$j" -o "$out/j$j"
    end=$(date +%s.%N)
    echo "sweep.sh: -j $j: $(awk "BEGIN { print $end - $start }") s"
done
diff -r "$out/j1" "$out/j$jobs" >/dev/null && echo "sweep.sh: -j 1 and -j $jobs wrote the same bytes"
