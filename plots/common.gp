# common.gp — shared settings for tiersim's plots. Loaded by the others, which tiersim runs as
# gnuplot -c SCRIPT DIR FLEETS CACHES DBS FUNCTIONS FORMAT [EXTRA]: ARG1 is the run's folder,
# ARG6 "png" (the default) or "svg". Time on the x axis in hours; every plot titled, with
# units on its axes and a legend.
# fmt(): "svg" or "png". A function, read when called: within this file, which the scripts
# `load`, gnuplot 5.4 hides their arguments (ARGC is 0 here).
fmt(x) = (ARGC >= 6 && (ARG6 eq "svg")) ? "svg" : "png"
# term(w, h): the command that selects the terminal of a w x h pixel image, to eval
term(w, h) = fmt(0) eq "svg" ? \
    sprintf("set terminal svg size %d,%d dynamic enhanced font 'sans,10' background '#ffffff'", \
            w, h) : \
    sprintf("set terminal pngcairo size %d,%d enhanced font 'sans,10'", w, h)
# outfile(name): the image's path beside the CSV files
outfile(name) = ARG1 . "/" . name . "." . fmt(0)
set datafile separator comma
set datafile columnheaders
set datafile missing ""
set key outside right top
# fixed margins, so the panels of a multiplot line up whatever the width of their legends
set lmargin at screen 0.08
set rmargin at screen 0.70
set grid lc rgb "#dddddd"
set xlabel "time (h)"
set autoscale xfix
hours(c) = column(c) / 3600.0
# 1 for a number, 0 for a missing value (an empty field reads as NaN, unequal to itself)
is_number(x) = x == x ? 1 : 0
