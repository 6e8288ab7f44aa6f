/* sweep_mpi.c — the sweep_team of MPI_COMM_WORLD: a broadcast from rank 0 and an element-wise
 * maximum, the two collective steps sweep_run() needs. Results travel through the shared
 * file system (each run's resume record), so only small arrays go over MPI.
 */
#include "sweep_mpi.h"

#include <limits.h>
#include <mpi.h>
#include <stdlib.h>

bool sweep_mpi_launched(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
        if (getenv(vars[i])) return true;
    return false;
}

static int bcast(const struct sweep_team *t, void *buf, size_t len)
{
    (void)t;
    char *p = buf;
    while (len > 0) { /* MPI counts are ints */
        int n = len > INT_MAX ? INT_MAX : (int)len;
        if (MPI_Bcast(p, n, MPI_BYTE, 0, MPI_COMM_WORLD) != MPI_SUCCESS) return TS_EIO;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int max(const struct sweep_team *t, int *v, size_t n)
{
    (void)t;
    while (n > 0) {
        int m = n > INT_MAX ? INT_MAX : (int)n;
        if (MPI_Allreduce(MPI_IN_PLACE, v, m, MPI_INT, MPI_MAX, MPI_COMM_WORLD) != MPI_SUCCESS)
            return TS_EIO;
        v += m;
        n -= (size_t)m;
    }
    return 0;
}

int sweep_mpi_start(int *argc, char ***argv, struct sweep_team *t)
{
    int provided;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) return TS_EIO;
    *t = (struct sweep_team){.bcast = bcast, .max = max};
    MPI_Comm_rank(MPI_COMM_WORLD, &t->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &t->size);
    return 0;
}

void sweep_mpi_end(struct sweep_team *t)
{
    (void)t;
    MPI_Finalize();
}
