/* plot.h — `tiersim plot DIR`: gnuplot over the scripts in plots/, PNGs beside the CSVs. */
#ifndef TIERSIM_APP_PLOT_H
#define TIERSIM_APP_PLOT_H

#include <stdbool.h>

/* Draw every plot for the run in `dir`. Returns 0, or 1 with one message on stderr
 * (gnuplot missing, no timeseries.csv, gnuplot failed). */
int plot_dir(const char *dir, bool quiet);

#endif
