# fleet.gp — the EC2 tiers. One panel per fleet: its load (requests/s, left) against its
# capacity (desired and in-service instances, right), with the scaling events of events.csv
# marked above the lines (launches, terminations, changes of desired capacity, faults
# starting); then every fleet's CPU utilisation; then worker slots in use and requests waiting.
# usage: gnuplot -c fleet.gp DIR "FLEET1 FLEET2 ..." CACHES DBS FUNCTIONS FORMAT EVENTS
# tiersim plot runs it only when the run has a fleet.
load sprintf("%s/common.gp", ARG0[1:strstrt(ARG0, "fleet.gp") - 1] . ".")
dir = ARG1
fleets = ARG2
ts = dir . "/timeseries.csv"
# ARG7: the path of events.csv, empty when the folder has none (no markers then)
ev = ARGC >= 7 ? ARG7 : ""
have_ev = strlen(ev) > 0
nf = words(fleets)
eval term(1100, 320 * (nf + 2))
set output outfile("fleet")
set multiplot layout nf + 2,1 title "EC2 fleets (" . dir . ")" noenhanced
# 1 for an events.csv row of component `f` with event word `e`, else 0
ev_is(f, e) = (strcol("component") eq f && strcol("event") eq e) ? 1 : 0
# the time of such a row in hours, NaN for another row (not drawn)
is_ev(f, e) = ev_is(f, e) ? hours("t_s") : NaN
do for [i = 1:nf] {
    f = word(fleets, i)
    imax = 1
    stats ts using (column(f . ".desired")) nooutput
    if (STATS_max > imax) { imax = STATS_max }
    stats ts using (column(f . ".in_service")) nooutput
    if (STATS_max > imax) { imax = STATS_max }
    stats ts using (column(f . ".requests_rps")) nooutput
    rmax = STATS_max > 0 ? STATS_max : 1
    # counts of each kind of event, so a kind absent from the run leaves no empty plot item
    nl = 0; nt = 0; nd = 0; nfault = 0
    if (have_ev) {
        stats ev using (ev_is(f, "launch")) nooutput
        nl = STATS_sum
        stats ev using (ev_is(f, "terminating")) nooutput
        nt = STATS_sum
        stats ev using (ev_is(f, "desired")) nooutput
        nd = STATS_sum
        stats ev using (ev_is("faults", "start")) nooutput
        nfault = STATS_sum
    }
    # instances on the right axis; the markers sit in a band above the largest count
    top = imax * 1.5
    set title f . ": load against capacity, with scaling events" noenhanced
    set ylabel "requests per second"
    set yrange [0:rmax * 1.5]
    set ytics nomirror
    set y2label "instances"
    set y2tics
    set y2range [0:top]
    plot ts using (hours("t_s")):(column(f . ".requests_rps")) \
             with lines lw 2 lc rgb "#1f77b4" title "requests/s (left)", \
         ts using (hours("t_s")):(column(f . ".in_service")) axes x1y2 \
             with steps lw 2 lc rgb "#2ca02c" title "in service (right)", \
         ts using (hours("t_s")):(column(f . ".desired")) axes x1y2 \
             with steps lw 2 dt 3 lc rgb "black" title "desired capacity (right)", \
         for [k = 1:(nd > 0)] ev using (is_ev(f, "desired")):(imax * 1.4) axes x1y2 \
             with points pt 7 ps 1 lc rgb "black" title "desired capacity changed", \
         for [k = 1:(nl > 0)] ev using (is_ev(f, "launch")):(imax * 1.25) axes x1y2 \
             with points pt 9 ps 1.3 lc rgb "#2ca02c" title "launch", \
         for [k = 1:(nt > 0)] ev using (is_ev(f, "terminating")):(imax * 1.1) axes x1y2 \
             with points pt 11 ps 1.3 lc rgb "#d62728" title "termination starts", \
         for [k = 1:(nfault > 0)] ev using (is_ev("faults", "start")):(top) axes x1y2 \
             with impulses lw 2 dt 2 lc rgb "#9467bd" title "fault starts"
    unset y2label
    unset y2tics
    set ytics mirror
}
set title "CPU utilisation per fleet (all instances running, warming ones included)" noenhanced
set ylabel "CPU (%)"
set yrange [0:105]
# gnuplot refuses a plot whose every point is missing (no instance ever ran)
ncpu = 0
do for [f in fleets] {
    stats ts using (is_number(column(f . ".cpu_pct"))) nooutput
    ncpu = ncpu + STATS_sum
}
if (ncpu > 0) {
    plot for [f in fleets] ts using (hours("t_s")):(column(f . ".cpu_pct")) \
             with lines lw 2 title f . " CPU %"
} else {
    plot ts using (hours("t_s")):(0) with lines lw 2 lc rgb "red" title "no instance ran"
}
set yrange [0:*]
set title "Requests in progress and waiting (interval averages)" noenhanced
set ylabel "requests"
plot for [f in fleets] ts using (hours("t_s")):(column(f . ".busy_workers")) \
         with lines lw 2 title f . " in worker slots", \
     for [f in fleets] ts using (hours("t_s")):(column(f . ".cpu_queue")) \
         with lines lw 2 title f . " waiting for a vCPU", \
     for [f in fleets] ts using (hours("t_s")):(column(f . ".queued")) \
         with lines lw 2 title f . " in the backlog"
unset multiplot
