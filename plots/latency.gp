# latency.gp — client latency per interval: mean, median and 99th percentile, log scale. A run
# in which no request succeeded has no latency: its plot says so.
# usage: gnuplot -c latency.gp DIR FLEETS CACHES DBS FUNCTIONS FORMAT
load sprintf("%s/common.gp", ARG0[1:strstrt(ARG0, "latency.gp") - 1] . ".")
dir = ARG1
ts = dir . "/timeseries.csv"
eval term(1100, 600)
set output outfile("latency")
set title "Latency of successful requests per interval (" . dir . ")" noenhanced
# gnuplot refuses a plot whose every point is missing: count the intervals with a latency
stats ts using (is_number(column("latency_p50_ms"))) nooutput
if (STATS_sum > 0) {
    set ylabel "latency (ms, log scale)"
    set logscale y
    plot ts using (hours("t_s")):"latency_p50_ms" with lines lw 2 title "p50", \
         ts using (hours("t_s")):"latency_mean_ms" with lines lw 2 title "mean", \
         ts using (hours("t_s")):"latency_p99_ms" with lines lw 2 title "p99"
} else {
    set ylabel "requests per second"
    set yrange [0:1]
    plot ts using (hours("t_s")):(column("ok_rps")) with lines lw 2 lc rgb "red" \
         title "no request succeeded: no latency"
}
