# fleet.gp — per fleet: CPU utilisation, desired capacity and instances in service (top),
# worker slots in use and requests waiting (bottom).
# usage: gnuplot -c fleet.gp DIR "FLEET1 FLEET2 ..."
load sprintf("%s/common.gp", ARG0[1:strstrt(ARG0, "fleet.gp") - 1] . ".")
dir = ARG1
fleets = ARG2
set output dir . "/fleet.png"
set terminal pngcairo size 1100,800
set multiplot layout 2,1 title "Fleets (" . dir . ")" noenhanced
set title "CPU utilisation, desired capacity and instances in service" noenhanced
set ylabel "CPU (%)"
set yrange [0:105]
# headroom above the largest instance count, so its line is not hidden by the frame
imax = 1
do for [f in fleets] {
    stats dir . "/timeseries.csv" using (column(f . ".desired")) nooutput
    if (STATS_max > imax) { imax = STATS_max }
    stats dir . "/timeseries.csv" using (column(f . ".in_service")) nooutput
    if (STATS_max > imax) { imax = STATS_max }
}
set y2label "instances"
set y2tics
set y2range [0:imax * 1.25]
plot for [f in fleets] dir . "/timeseries.csv" using (hours("t_s")):(column(f . ".cpu_pct")) \
         with lines lw 2 title f . " CPU %", \
     for [f in fleets] "" using (hours("t_s")):(column(f . ".desired")) axes x1y2 \
         with steps lw 1 dt 3 title f . " desired", \
     for [f in fleets] "" using (hours("t_s")):(column(f . ".in_service")) axes x1y2 \
         with steps lw 2 dt 2 title f . " in service"
unset y2label
unset y2tics
set yrange [0:*]
set title "Requests in progress and waiting (interval averages)" noenhanced
set ylabel "requests"
plot for [f in fleets] dir . "/timeseries.csv" using (hours("t_s")):(column(f . ".busy_workers")) \
         with lines lw 2 title f . " in worker slots", \
     for [f in fleets] "" using (hours("t_s")):(column(f . ".cpu_queue")) \
         with lines lw 2 title f . " waiting for a vCPU", \
     for [f in fleets] "" using (hours("t_s")):(column(f . ".queued")) \
         with lines lw 2 title f . " in the backlog"
unset multiplot
