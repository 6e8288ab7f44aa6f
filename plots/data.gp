# data.gp — the data tier: each cache's hit ratio and commands (top, with caches), each
# database's CPU and queries, then its connections and waits (with databases).
# usage: gnuplot -c data.gp DIR "FLEET1 ..." "CACHE1 ..." "DB1 ..." FUNCTIONS FORMAT
# tiersim plot runs it only when the run has a cache or a database.
load sprintf("%s/common.gp", ARG0[1:strstrt(ARG0, "data.gp") - 1] . ".")
dir = ARG1
caches = ARG3
dbs = ARG4
ts = dir . "/timeseries.csv"
panels = (strlen(caches) > 0 ? 1 : 0) + (strlen(dbs) > 0 ? 2 : 0)
eval term(1100, (panels * 400))
set output outfile("data")
set multiplot layout panels,1 title "Data tier (" . dir . ")" noenhanced
if (strlen(caches) > 0) {
    set title "Cache: hit ratio and engine CPU (left), commands per second (right)" noenhanced
    set ylabel "%"
    set yrange [0:105]
    set y2label "commands/s"
    set y2tics
    set y2range [0:*]
    plot for [c in caches] ts using (hours("t_s")):(100 * column(c . ".hit_ratio")) \
             with lines lw 2 title c . " hit ratio %", \
         for [c in caches] ts using (hours("t_s")):(column(c . ".engine_cpu_max_pct")) \
             with lines lw 1 title c . " busiest node's engine CPU %", \
         for [c in caches] ts using (hours("t_s")):(column(c . ".gets_rps")) axes x1y2 \
             with lines lw 1 dt 2 title c . " GETs/s", \
         for [c in caches] ts using (hours("t_s")):(column(c . ".sets_rps")) axes x1y2 \
             with lines lw 1 dt 3 title c . " SETs/s"
    unset y2label
    unset y2tics
}
if (strlen(dbs) > 0) {
    set title "Database: primary's CPU (left), queries per second (right)" noenhanced
    set ylabel "CPU (%)"
    set yrange [0:105]
    set y2label "queries/s"
    set y2tics
    set y2range [0:*]
    plot for [d in dbs] ts using (hours("t_s")):(column(d . ".cpu_pct")) \
             with lines lw 2 title d . " CPU %", \
         for [d in dbs] ts using (hours("t_s")):(column(d . ".reads_rps")) axes x1y2 \
             with lines lw 1 dt 2 title d . " reads/s", \
         for [d in dbs] ts using (hours("t_s")):(column(d . ".writes_rps")) axes x1y2 \
             with lines lw 1 dt 3 title d . " writes/s"
    unset y2label
    unset y2tics
    set title "Database: connections, queries waiting, refused connections" noenhanced
    set ylabel "connections, queries; errors/s"
    set yrange [0:*]
    plot for [d in dbs] ts using (hours("t_s")):(column(d . ".connections")) \
             with steps lw 2 title d . " connections open", \
         for [d in dbs] ts using (hours("t_s")):(column(d . ".cpu_queue")) \
             with lines lw 1 title d . " waiting for a vCPU", \
         for [d in dbs] ts using (hours("t_s")):(column(d . ".conn_queue")) \
             with lines lw 1 title d . " waiting for a connection", \
         for [d in dbs] ts using (hours("t_s")):(column(d . ".conn_errors_rps")) \
             with lines lw 1 dt 2 title d . " connection errors/s"
}
unset multiplot
