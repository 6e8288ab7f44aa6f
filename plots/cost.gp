# cost.gp — what the run cost: the cumulative cost over time and its rate (dollars per hour,
# from timeseries.csv's cost_usd), and the run's cost by service (summary.csv's
# cost_<service>_usd columns: only the services that cost something, or all of them if none did).
# usage: gnuplot -c cost.gp DIR FLEETS CACHES DBS FUNCTIONS FORMAT HAS_TS "SERVICE1 ..."
# HAS_TS is 1 when timeseries.csv has cost_usd; the services are those summary.csv has
# columns for. tiersim plot runs it only when one of the two is there.
load sprintf("%s/common.gp", ARG0[1:strstrt(ARG0, "cost.gp") - 1] . ".")
dir = ARG1
has_ts = ARG7 eq "1"
svcs = ARG8
ts = dir . "/timeseries.csv"
sum = dir . "/summary.csv"
nsvc = words(svcs)
# the services to draw: those with a cost, or all if none has one
shown = ""
do for [i = 1:nsvc] {
    stats sum every ::0::0 using (column("cost_" . word(svcs, i) . "_usd")) nooutput
    if (STATS_max > 0) { shown = shown . " " . word(svcs, i) }
}
if (words(shown) == 0) { shown = svcs }
panels = has_ts + (nsvc > 0)
eval term(1100, 420 * panels)
set output outfile("cost")
set multiplot layout panels,1 title "Cost (" . dir . ")" noenhanced
if (has_ts) {
    set title "Cumulative cost (left) and its rate (right)" noenhanced
    set ylabel "cost since t = 0 (USD)"
    set yrange [0:*]
    set ytics nomirror
    set y2label "USD per hour"
    set y2tics
    # the rate: the interval's increase of the cumulative cost, per hour of the interval
    rate(t, c) = (r = t > prev_t ? (c - prev_c) / (t - prev_t) * 3600 : NaN, \
                  prev_c = c, prev_t = t, r)
    prev_c = 0; prev_t = 0
    stats ts using (rate(column("t_s"), column("cost_usd"))) nooutput
    set y2range [0:(STATS_max > 0 ? STATS_max * 1.15 : 1)]
    prev_c = 0; prev_t = 0
    plot ts using (hours("t_s")):(column("cost_usd")) with lines lw 2 lc rgb "#1f77b4" \
             title "cumulative cost (left)", \
         ts using (hours("t_s")):(rate(column("t_s"), column("cost_usd"))) axes x1y2 \
             with fsteps lw 1 lc rgb "#ff7f0e" title "cost rate (right)"
    unset y2label
    unset y2tics
    set ytics mirror
}
if (nsvc > 0) {
    set title "Cost of the run by service (summary.csv)" noenhanced
    set xlabel "service"
    set ylabel "USD"
    set yrange [0:*]
    set xrange [0.3:words(shown) + 0.7]
    set style fill solid 0.6 border -1
    set boxwidth 0.6
    tics = ""
    do for [i = 1:words(shown)] {
        tics = tics . sprintf("%s\"%s\" %d", i > 1 ? ", " : "", word(shown, i), i)
    }
    eval "set xtics (" . tics . ")"
    set grid noxtics
    unset key
    set offsets 0, 0, graph 0.1, 0
    plot for [i = 1:words(shown)] sum every ::0::0 \
             using (i):(column("cost_" . word(shown, i) . "_usd")) with boxes lc i, \
         for [i = 1:words(shown)] sum every ::0::0 \
             using (i):(column("cost_" . word(shown, i) . "_usd")): \
                   (sprintf("$%.4f", column("cost_" . word(shown, i) . "_usd"))) \
             with labels offset 0,0.8
}
unset multiplot
