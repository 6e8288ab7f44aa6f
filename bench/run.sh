#!/bin/sh
# run.sh — build the benchmarks (Release, in build-bench/) and run them all, as
# bench/README.md describes: each one a warm-up run and then RUNS counted runs (5 unless the
# environment says otherwise); for each figure the median of the counted runs, with the
# minimum and maximum beside it. wall_s and maxrss_mib are the whole process's, from
# /usr/bin/time (Debian's `time` package); the other figures are the program's own.
# Ends with the engine-to-yardstick ratios against the targets, and the memory check.
#   bench/run.sh            # everything, about eight minutes on two cores
#   RUNS=9 bench/run.sh     # more runs on a noisy machine
# Exits 1 when the memory check fails.
set -eu
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
build=build-bench

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$(nproc)" \
    --target tiersim bench_hold bench_hold_ref bench_mmc bench_mmc_ref >/dev/null
b=$build/bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

timer=""
if [ -x /usr/bin/time ]; then
    timer="/usr/bin/time"
else
    echo "run.sh: /usr/bin/time not found (apt-get install time): no wall_s or maxrss_mib" >&2
fi

# measure NAME COMMAND...: a warm-up, RUNS counted runs, then "NAME key median min max" for
# every numeric "key value" line the program printed (and wall_s, maxrss_mib).
measure() {
    name=$1
    shift
    "$@" >/dev/null
    i=0
    while [ "$i" -lt "$runs" ]; do
        if [ -n "$timer" ]; then
            $timer -f "wall_s %e
maxrss_kib %M" -o "$work/$name.time.$i" "$@" >"$work/$name.out.$i"
        else
            "$@" >"$work/$name.out.$i"
        fi
        i=$((i + 1))
    done
    cat "$work/$name".* | awk -v name="$name" '
        $1 == "maxrss_kib" { $1 = "maxrss_mib"; $2 = sprintf("%.1f", $2 / 1024) }
        NF == 2 && $2 ~ /^-?[0-9.]+$/ { v[$1] = v[$1] " " $2; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
        END {
            for (k = 1; k <= n; k++) {
                m = split(v[order[k]], a, " ")
                for (i = 2; i <= m; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > x + 0; j--) a[j + 1] = a[j]; a[j + 1] = x }
                printf "%-16s %-16s %14s   (min %s, max %s)\n", name, order[k], a[int((m + 1) / 2)], a[1], a[m]
            }
        }' | tee -a "$work/medians"
}

echo "== hold model: $runs runs after a warm-up, medians =="
for p in 1000 1000000; do
    measure "hold_$p" "$b/bench_hold" "$p" 10000000
    measure "hold_sim_$p" "$b/bench_hold" --sim "$p" 10000000
    measure "hold_ref2_$p" "$b/bench_hold_ref" --arity 2 "$p" 10000000
    measure "hold_ref4_$p" "$b/bench_hold_ref" --arity 4 "$p" 10000000
done

echo "== M/M/8 at rho 0.9, 1e7 requests: $runs runs after a warm-up, medians =="
measure mmc "$b/bench_mmc" 10000000
measure mmc_ref "$b/bench_mmc_ref" 10000000

echo "== the three-tier demo (scenarios/three-tier.json, warm-up 0): $runs runs after a warm-up, medians =="
measure three_tier_6h bench/three_tier.sh "$build/tiersim" 6h
measure three_tier bench/three_tier.sh "$build/tiersim" 24h

echo "== against the targets (medians) =="
awk '
    { f[$1 "." $2] = $3 }
    function ratio(a, b) { return b > 0 ? a / b : 0 }
    function verdict(r, t) { return r >= t ? "met" : "NOT met" }
    END {
        for (p = 1000; p <= 1000000; p *= 1000) {
            e = f["hold_" p ".events_per_s"]
            y = f["hold_ref2_" p ".events_per_s"]
            if (f["hold_ref4_" p ".events_per_s"] > y) y = f["hold_ref4_" p ".events_per_s"]
            r = ratio(e, y)
            printf "hold, %7d pending: engine %.2f M/s, yardstick (faster heap) %.2f M/s, ratio %.2f (target >= 0.50: %s)\n", p, e / 1e6, y / 1e6, r, verdict(r, 0.5)
        }
        e = f["mmc.requests_per_s"]; y = f["mmc_ref.requests_per_s"]; r = ratio(e, y)
        printf "M/M/8, 1e7 requests: tiersim %.2f M req/s, yardstick %.2f M req/s, ratio %.2f (target >= 0.33: %s)\n", e / 1e6, y / 1e6, r, verdict(r, 1 / 3)
        e = f["three_tier.requests_per_s"]
        printf "three-tier demo, one day (%.1f M requests): %.2f M req/s (target >= 1.00: %s); peak memory %.1f MiB after 6 h, %.1f MiB after 24 h\n", f["three_tier.requests"] / 1e6, e / 1e6, verdict(e, 1e6), f["three_tier_6h.maxrss_mib"], f["three_tier.maxrss_mib"]
    }' "$work/medians"

echo "== memory: 1e6 vs 1e7 requests =="
"$b/bench_mmc" --memory-check
