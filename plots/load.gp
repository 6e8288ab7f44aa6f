# load.gp — the client's load: requests offered (and attempts, retries included) against
# those served and those that failed, per second.
# usage: gnuplot -c load.gp DIR FLEETS CACHES DBS FUNCTIONS FORMAT
load sprintf("%s/common.gp", ARG0[1:strstrt(ARG0, "load.gp") - 1] . ".")
dir = ARG1
ts = dir . "/timeseries.csv"
eval term(1100, 600)
set output outfile("load")
set title "Load: offered, served and failed requests (" . dir . ")" noenhanced
set ylabel "requests per second"
plot ts using (hours("t_s")):"offered_rps" with lines lw 2 title "offered", \
     ts using (hours("t_s")):"attempts_rps" with lines lw 1 dt 2 title "attempts (retries too)", \
     ts using (hours("t_s")):"ok_rps" with lines lw 2 title "ok", \
     ts using (hours("t_s")):"error_rps" with lines lw 2 lc rgb "red" title "errors"
