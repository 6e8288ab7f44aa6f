/* sweep_mpi.h — a sweep's runs shared over MPI ranks (only in a build with TIERSIM_MPI, and only
 * when the program was started by mpirun). Rank r of K takes every K-th run still to do, in
 * run order (docs/experiments.md#mpi); rank 0 prepares the folder and writes the tables.
 */
#ifndef TIERSIM_APP_SWEEP_MPI_H
#define TIERSIM_APP_SWEEP_MPI_H

#include "sweep.h"

#include <stdbool.h>

/* Whether this process was started by mpirun (OpenMPI's or a PMI launcher's variables are
 * set). Without one, the MPI build runs as the plain one and never initialises MPI. */
bool sweep_mpi_launched(void);

/* MPI_Init_thread (only the main thread calls MPI: the sweep's worker threads never do),
 * then t describes this rank of MPI_COMM_WORLD. Returns 0 or TS_EIO. */
int sweep_mpi_start(int *argc, char ***argv, struct sweep_team *t);
void sweep_mpi_end(struct sweep_team *t);

#endif
