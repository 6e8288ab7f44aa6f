# lambda.gp — per Lambda function: concurrency (mean and max), environments and provisioned
# utilisation (top); invocations and throttles per second, and cold starts per second on
# the right axis, a scale of their own (bottom).
# usage: gnuplot -c lambda.gp DIR "FLEET1 ..." "CACHE1 ..." "DB1 ..." "FUNCTION1 ..." FORMAT
# tiersim plot runs it only when the run has a function.
load sprintf("%s/common.gp", ARG0[1:strstrt(ARG0, "lambda.gp") - 1] . ".")
dir = ARG1
fns = ARG5
ts = dir . "/timeseries.csv"
eval term(1100, 800)
set output outfile("lambda")
set multiplot layout 2,1 title "Lambda functions (" . dir . ")" noenhanced
set title "Concurrency (busy environments) and environments" noenhanced
set ylabel "environments"
set yrange [0:*]
plot for [f in fns] ts using (hours("t_s")):(column(f . ".concurrency")) \
         with lines lw 2 title f . " concurrency (mean)", \
     for [f in fns] ts using (hours("t_s")):(column(f . ".concurrency_max")) \
         with lines lw 1 dt 3 title f . " concurrency (max)", \
     for [f in fns] ts using (hours("t_s")):(column(f . ".environments")) \
         with steps lw 2 dt 2 title f . " environments"
set title "Invocations and throttles (left axis), cold starts (right axis)" noenhanced
set ylabel "invocations, throttles per second"
set y2label "cold starts per second"
set y2tics
set ytics nomirror
set y2range [0:*]
plot for [f in fns] ts using (hours("t_s")):(column(f . ".invocations_rps")) \
         with lines lw 2 title f . " invocations/s", \
     for [f in fns] ts using (hours("t_s")):(column(f . ".cold_starts_ps")) \
         axes x1y2 with lines lw 1 title f . " cold starts/s (right)", \
     for [f in fns] ts using (hours("t_s")):(column(f . ".throttles_rps")) \
         with lines lw 2 lc rgb "red" title f . " throttles/s"
unset multiplot
