/* plot.h — `tiersim plot DIR`: gnuplot over the scripts in plots/, PNG or SVG images beside the
 * CSV files. */
#ifndef TIERSIM_APP_PLOT_H
#define TIERSIM_APP_PLOT_H

#include <stdbool.h>

/* Draw every plot the CSV files in `dir` allow, as PNG, or SVG if `svg`: for a run's folder
 * (timeseries.csv) its plots, for a sweep's folder (sweep.csv) a plot per KPI. Prints each
 * file written unless `quiet`. Returns 0, or 1 with a message on stderr (gnuplot missing,
 * neither file readable, gnuplot failed). */
int plot_dir(const char *dir, bool quiet, bool svg);

#endif
