# latency.gp — client latency per interval: mean, median and 99th percentile.
# usage: gnuplot -c latency.gp DIR [FLEETS]
load sprintf("%s/common.gp", ARG0[1:strstrt(ARG0, "latency.gp") - 1] . ".")
dir = ARG1
eval term(1100, 600)
set output outfile("latency")
set title "Latency of successful requests per interval (" . dir . ")" noenhanced
set ylabel "latency (ms, log scale)"
set logscale y
plot dir . "/timeseries.csv" using (hours("t_s")):"latency_p50_ms" with lines lw 2 title "p50", \
     ""                        using (hours("t_s")):"latency_mean_ms" with lines lw 2 title "mean", \
     ""                        using (hours("t_s")):"latency_p99_ms" with lines lw 2 title "p99"
