#!/bin/sh
# plot.sh TIERSIM SCENARIOS — `tiersim plot` draws every plot a run calls for: a short
# three-tier run gets load, latency, fleet and data (cache and database) plots; an M/M/c run,
# with neither a cache nor a database, gets no data plot; a Lambda function alone gets a
# lambda plot and no fleet plot. Each file must be a PNG image.
set -u
tiersim=$1 scenarios=$2
status=0
png() { # a PNG starts with the bytes 0x89 "PNG"
    [ -s "$1" ] && [ "$(od -An -c -N4 "$1" | tr -d ' ')" = '211PNG' ]
}
rm -rf plot_three_tier plot_mmc
"$tiersim" run "$scenarios/three-tier.json" -o plot_three_tier -q --set duration=10m --set warmup=0 ||
    { echo "plot: the three-tier run failed"; exit 1; }
"$tiersim" plot plot_three_tier -q || { echo "plot: tiersim plot failed on three-tier"; exit 1; }
for p in load latency fleet data; do
    png plot_three_tier/$p.png || { echo "plot: three-tier has no PNG $p.png"; status=1; }
done
"$tiersim" run "$scenarios/mmc.json" -o plot_mmc -q --set duration=30m --set warmup=0 ||
    { echo "plot: the mmc run failed"; exit 1; }
"$tiersim" plot plot_mmc -q || { echo "plot: tiersim plot failed on mmc"; exit 1; }
for p in load latency fleet; do
    png plot_mmc/$p.png || { echo "plot: mmc has no PNG $p.png"; status=1; }
done
[ ! -e plot_mmc/data.png ] || { echo "plot: mmc has a data plot but no cache or database"; status=1; }
# a function alone: a lambda plot, and no fleet plot (there is no fleet to draw)
rm -rf plot_lambda
cat > plot_lambda.json <<'EOF'
{ "name": "plot-lambda", "duration": 600, "interval": 30,
  "workload": { "entry": "fn", "rate": 50 },
  "components": { "fn": { "type": "lambda", "provisioned_concurrency": 2,
                          "handlers": { "default": [ { "cpu": "5ms" } ] } } } }
EOF
"$tiersim" run plot_lambda.json -o plot_lambda -q || { echo "plot: the lambda run failed"; exit 1; }
"$tiersim" plot plot_lambda -q || { echo "plot: tiersim plot failed on lambda"; exit 1; }
for p in load latency lambda; do
    png plot_lambda/$p.png || { echo "plot: lambda has no PNG $p.png"; status=1; }
done
[ ! -e plot_lambda/fleet.png ] || { echo "plot: lambda has a fleet plot but no fleet"; status=1; }
[ $status -eq 0 ] && echo "plot: every expected PNG drawn"
exit $status
