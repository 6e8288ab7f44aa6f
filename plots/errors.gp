# errors.gp — requests that ended in an error, per second, by kind (the client's
# errors_<kind>_rps columns), and the share of ended requests that failed on the right axis.
# Only the kinds that occur in the run are drawn; a run without errors says so.
# usage: gnuplot -c errors.gp DIR FLEETS CACHES DBS FUNCTIONS FORMAT
load sprintf("%s/common.gp", ARG0[1:strstrt(ARG0, "errors.gp") - 1] . ".")
dir = ARG1
ts = dir . "/timeseries.csv"
eval term(1100, 600)
set output outfile("errors")
# the kinds, each with its usual cause (docs/outputs.md, summary.csv's errors_*)
kinds = "400 429 500 502 503 504 timeout"
array what[7] = ["400 (a table's throttle)", "429 (throttled)", "500 (a step failed)", \
                 "502 (bad gateway)", "503 (no capacity)", "504 (gateway timeout)", \
                 "client timeout"]
array colour[7] = ["#8c564b", "#e377c2", "#9467bd", "#ff7f0e", "#d62728", "#1f77b4", "#7f7f7f"]
array present[7]
npresent = 0
do for [k = 1:7] {
    stats ts using (column("errors_" . word(kinds, k) . "_rps")) nooutput
    present[k] = STATS_max > 0
    npresent = npresent + present[k]
}
set title "Errors by kind: requests that ended in an error (" . dir . ")" noenhanced
set ylabel "requests per second"
set yrange [0:*]
set ytics nomirror
set y2label "errors (% of requests ended)"
set y2tics
set y2range [0:*]
# the share of the interval's ended requests that failed; empty when none ended
share(ok, err) = ok + err > 0 ? 100 * err / (ok + err) : NaN
if (npresent > 0) {
    plot for [k = 1:7] for [j = 1:present[k]] ts \
             using (hours("t_s")):(column("errors_" . word(kinds, k) . "_rps")) \
             with lines lw 2 lc rgb colour[k] title what[k], \
         ts using (hours("t_s")):(share(column("ok_rps"), column("error_rps"))) axes x1y2 \
             with lines lw 1 dt 2 lc rgb "black" title "all, % of ended (right)"
} else {
    set yrange [0:1]
    set y2range [0:1]
    plot ts using (hours("t_s")):(column("error_rps")) with lines lw 2 lc rgb "#2ca02c" \
         title "no request ended in an error"
}
