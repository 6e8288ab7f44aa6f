# load.gp — offered load against what was served and what failed.
# usage: gnuplot -c load.gp DIR FLEETS CACHES DBS FUNCTIONS FORMAT
load sprintf("%s/common.gp", ARG0[1:strstrt(ARG0, "load.gp") - 1] . ".")
dir = ARG1
eval term(1100, 600)
set output outfile("load")
set title "Load: offered, served and failed requests (" . dir . ")" noenhanced
set ylabel "requests per second"
plot dir . "/timeseries.csv" using (hours("t_s")):"offered_rps" with lines lw 2 title "offered", \
     ""                        using (hours("t_s")):"ok_rps" with lines lw 2 title "ok", \
     ""                        using (hours("t_s")):"error_rps" with lines lw 2 lc rgb "red" title "errors"
