# common.gp — shared settings for tiersim's plots. Loaded by the others; ARG1 is the run's
# folder. Time on the x axis in hours; every plot titled, with units on its axes.
set terminal pngcairo size 1100,600 enhanced font "sans,10"
set datafile separator comma
set datafile columnheaders
set datafile missing ""
set key outside right top
set grid lc rgb "#dddddd"
set xlabel "time (h)"
hours(c) = column(c) / 3600.0
