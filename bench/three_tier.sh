#!/bin/sh
# three_tier.sh TIERSIM [DURATION] — the README's demo through the whole program: runs
# `tiersim run scenarios/three-tier.json` (the full day unless DURATION, e.g. 6h, is given)
# with the warm-up set to 0, so that summary.csv's `requests` counts every request
# simulated, and prints `requests`, `wall_s` (the whole tiersim process, start-up and files
# included) and `requests_per_s`. Memory is measured by the caller (run.sh, /usr/bin/time).
set -eu
tiersim=$1
duration=${2:-24h}
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
t0=$(date +%s.%N)
"$tiersim" run "$here/scenarios/three-tier.json" -q -o "$out" --set warmup=0 \
    --set "duration=\"$duration\""
t1=$(date +%s.%N)
awk -F, -v t0="$t0" -v t1="$t1" '
    NR == 1 { for (i = 1; i <= NF; i++) if ($i == "requests") c = i }
    NR == 2 { w = t1 - t0; printf "requests %d\nwall_s %.3f\nrequests_per_s %.0f\n", $c, w, $c / w }
' "$out/summary.csv"
