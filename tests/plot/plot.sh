#!/bin/sh
# plot.sh TIERSIM SCENARIOS FIXTURES — `tiersim plot` draws every plot a folder calls for:
# - the demo (three-tier, shortened): load, latency, errors, fleet and data; an M/M/c run,
#   with neither a cache nor a database, no data plot; a Lambda function alone and the
#   serverless example a lambda plot and no fleet plot; the AZ outage example (shortened
#   past its fault, so the fleet plot marks a fault, launches and terminations) all of its;
#   a run without a latency or a CPU figure all of its too;
# - cost.png exactly when the run has cost columns (a hand-made run with them, the same
#   without them, and each real run as its header says);
# - a sweep folder (hand-made sweep.csv: two numeric parameters with CIs; one categorical
#   parameter with one replication) a sweep-<kpi>.png per KPI, and no temporary file left;
# - --svg: SVG images instead of PNG;
# - without gnuplot on PATH: one message, exit status 1, no image, and `tiersim run` works.
# Each file must be an image of its format.
set -u
tiersim=$1 scenarios=$2 fixtures=$3
status=0
fail() { echo "plot: $*"; status=1; }
png() { # a PNG starts with the bytes 0x89 "PNG"
    [ -s "$1" ] && [ "$(od -An -c -N4 "$1" | tr -d ' ')" = '211PNG' ]
}
svg() { [ -s "$1" ] && head -c 1000 "$1" | grep -q '<svg' && tail -c 20 "$1" | grep -q '</svg>'; }
# expect DIR FORMAT NAME...: each NAME.FORMAT is there and an image of that format
expect() {
    d=$1 f=$2
    shift 2
    for p in "$@"; do
        $f "$d/$p.$f" || fail "$d has no $f image $p.$f"
    done
}
absent() { [ ! -e "$1" ] || fail "$1 was drawn, but $2"; }
# the cost plot exactly when the run has the cost columns (the cost model may not be there)
cost_as_header() {
    if head -1 "$1/timeseries.csv" | tr , '\n' | grep -qx cost_usd ||
        head -1 "$1/summary.csv" | tr , '\n' | grep -q '^cost_.*_usd$'; then
        expect "$1" png cost
    else
        absent "$1/cost.png" "the run has no cost columns"
    fi
}
run() { # run NAME SCENARIO [ARGS...]: a run into plot_NAME, then its plots
    n=$1 s=$2
    shift 2
    rm -rf "plot_$n"
    "$tiersim" run "$s" -o "plot_$n" -q "$@" || { echo "plot: the $n run failed"; exit 1; }
    "$tiersim" plot "plot_$n" -q || { echo "plot: tiersim plot failed on $n"; exit 1; }
}

# the demo (scripts/demo.sh runs scenarios/three-tier.json), shortened
run three_tier "$scenarios/three-tier.json" --set duration=10m --set warmup=0
expect plot_three_tier png load latency errors fleet data
cost_as_header plot_three_tier

run mmc "$scenarios/mmc.json" --set duration=30m --set warmup=0
expect plot_mmc png load latency errors fleet
absent plot_mmc/data.png "mmc has no cache or database"

# a function alone: a lambda plot, and no fleet plot (there is no fleet to draw)
cat > plot_lambda.json <<'EOF'
{ "name": "plot-lambda", "duration": 600, "interval": 30,
  "workload": { "entry": "fn", "rate": 50 },
  "components": { "fn": { "type": "lambda", "provisioned_concurrency": 2,
                          "handlers": { "default": [ { "cpu": "5ms" } ] } } } }
EOF
run lambda plot_lambda.json
expect plot_lambda png load latency errors lambda
absent plot_lambda/fleet.png "there is no fleet"

run serverless "$scenarios/serverless-api.json" --set duration=10m
expect plot_serverless png load latency errors lambda
absent plot_serverless/fleet.png "serverless-api has no fleet"
cost_as_header plot_serverless

# the AZ outage starts at 45 min: 50 min hold it, the launches and terminations it causes
run az_outage "$scenarios/az-outage.json" --set duration=50m
expect plot_az_outage png load latency errors fleet data
cost_as_header plot_az_outage

# no request succeeded (the mmc run with its latencies and CPU blanked): still every plot
rm -rf plot_failing
mkdir plot_failing
awk -F, 'BEGIN { OFS = "," }
    NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /latency|cpu_pct/) b[i] = 1 }
    NR > 1 { for (i in b) $i = "" }
    { print }' plot_mmc/timeseries.csv >plot_failing/timeseries.csv
"$tiersim" plot plot_failing -q || fail "tiersim plot failed on a run without latencies"
expect plot_failing png load latency errors fleet

# a hand-made run with the cost columns, then the same without them
rm -rf plot_cost plot_nocost
cp -r "$fixtures/cost" plot_cost
"$tiersim" plot plot_cost -q || fail "tiersim plot failed on the cost fixture"
expect plot_cost png load latency errors cost
mkdir plot_nocost
cut -d, -f1-16 plot_cost/timeseries.csv > plot_nocost/timeseries.csv
cut -d, -f1-4 plot_cost/summary.csv > plot_nocost/summary.csv
"$tiersim" plot plot_nocost -q || fail "tiersim plot failed on a run without cost columns"
expect plot_nocost png load latency errors
absent plot_nocost/cost.png "the run has no cost columns"

# sweeps: every KPI of interest sweep.csv has
for s in sweep-two sweep-one; do
    rm -rf "plot_$s"
    cp -r "$fixtures/$s" "plot_$s"
    "$tiersim" plot "plot_$s" -q || fail "tiersim plot failed on $s"
    [ -z "$(ls -A "plot_$s" | grep -v -e '^sweep.csv$' -e '^sweep-.*\.png$')" ] ||
        fail "plot_$s holds other files than its plots: $(ls -A "plot_$s")"
done
expect plot_sweep-two png sweep-latency_p99_ms sweep-availability_pct sweep-errors \
    sweep-cost_usd sweep-web.instances_mean
absent plot_sweep-two/sweep-requests.png "requests is not a KPI the sweep plots"
expect plot_sweep-one png sweep-latency_p99_ms sweep-errors

# --svg
"$tiersim" plot plot_three_tier --svg -q || fail "tiersim plot --svg failed"
expect plot_three_tier svg load latency errors fleet data
"$tiersim" plot plot_sweep-two --svg -q || fail "tiersim plot --svg failed on a sweep"
expect plot_sweep-two svg sweep-latency_p99_ms

# without gnuplot: one line on stderr, exit status 1, nothing drawn; a run still works
rm -rf plot_nognuplot
mkdir plot_nognuplot
cp plot_mmc/timeseries.csv plot_mmc/summary.csv plot_nognuplot/
PATH=/nonexistent "$tiersim" plot plot_nognuplot >plot_nognuplot.out 2>plot_nognuplot.err
rc=$?
[ $rc -eq 1 ] || fail "without gnuplot, tiersim plot exits $rc, not 1"
[ "$(wc -l <plot_nognuplot.err)" -eq 1 ] &&
    grep -q 'gnuplot is not installed' plot_nognuplot.err ||
    fail "without gnuplot, not the one message: $(cat plot_nognuplot.err)"
[ ! -s plot_nognuplot.out ] || fail "without gnuplot, tiersim plot printed $(cat plot_nognuplot.out)"
[ -z "$(ls plot_nognuplot | grep -v '\.csv$')" ] || fail "without gnuplot, files were drawn"
PATH=/nonexistent "$tiersim" run "$scenarios/mmc.json" -o plot_nognuplot -q --set duration=5m \
    --set warmup=0 ||
    fail "without gnuplot, tiersim run failed"

[ $status -eq 0 ] && echo "plot: every expected image drawn"
exit $status
