# sweep.gp — a sweep folder's KPIs against the varied parameter: one image per KPI,
# sweep-<kpi>.png, each point the mean over the replications with its 95 % confidence
# interval as an error bar (sweep.csv's <kpi>_mean and <kpi>_ci95_half). With two varied
# parameters or more, one line per value of the others.
# usage: gnuplot -e "<variables>" -c sweep.gp DIR "" "" "" "" FORMAT
# tiersim plot sets the variables from sweep.csv and writes the points to a temporary file:
#   data      that file: blocks separated by two blank lines, one per line drawn; each row
#             x, x's label, then each KPI's mean (empty when unknown) and CI half-width
#             (0 when unknown: one replication)
#   xname     the parameter on the x axis; categorical 1 when its values are not all
#             numbers (x is then the value's rank, labelled with the value, from 1 to
#             xcount)
#   groups    how many lines; array group[groups] their titles
#   kpis      how many KPIs; arrays kpi_name, kpi_title, kpi_unit of that size
#   reps      the fewest replications of any point (no CI drawn from one)
load sprintf("%s/common.gp", ARG0[1:strstrt(ARG0, "sweep.gp") - 1] . ".")
set datafile nocolumnheaders
set autoscale x
set offsets graph 0.05, graph 0.05, 0, 0
# the legend (a line per value of the other parameters) below, where long names fit
set key outside below center
set rmargin at screen 0.95
if (categorical) { set xrange [0.5:xcount + 0.5] }
set xlabel xname noenhanced
set xtics noenhanced
# a line's title; a single line of single runs is no mean
line_title(g) = groups == 1 && reps <= 1 ? "one run per value" : group[g]
do for [k = 1:kpis] {
    eval term(900, 560)
    set output outfile("sweep-" . kpi_name[k])
    set title sprintf("%s against %s (%s)", kpi_title[k], xname, reps > 1 \
                      ? sprintf("mean of %d replications, 95 %% confidence interval", reps) \
                      : "one replication: no confidence interval") noenhanced
    set ylabel kpi_unit[k] noenhanced
    mean = 1 + 2 * k
    ci = mean + 1
    if (categorical) {
        plot for [g = 1:groups] data index (g - 1) \
                 using 1:(column(mean)):(column(ci)):xticlabels(2) \
                 with yerrorlines lw 2 pt 7 title line_title(g) noenhanced
    } else {
        plot for [g = 1:groups] data index (g - 1) using 1:(column(mean)):(column(ci)) \
                 with yerrorlines lw 2 pt 7 title line_title(g) noenhanced
    }
}
