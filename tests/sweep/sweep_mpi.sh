#!/bin/sh
# sweep_mpi.sh TIERSIM SCENARIO MPIRUN — `mpirun -n 2 tiersim sweep` (each rank -j 1) writes
# the same bytes as `tiersim sweep -j 2`, says that two ranks shared the runs, and resumes
# a sweep another rank count started.
set -u
tiersim=$1 scenario=$2 mpirun=$3
fail() { echo "sweep_mpi: $*"; exit 1; }
args="--vary components.app.asg.desired_capacity=1,2 --vary components.app.instance.vcpus=1,2
      --set duration=5m --set warmup=1m --reps 3"
rm -rf sweep_mpi_j sweep_mpi_n
"$tiersim" sweep "$scenario" $args -q -j 2 -o sweep_mpi_j || fail "-j 2 failed"
"$mpirun" -n 2 --oversubscribe "$tiersim" sweep "$scenario" $args -j 1 -o sweep_mpi_n \
    >sweep_mpi_out || fail "mpirun -n 2 failed: $(cat sweep_mpi_out)"
grep -q '^tiersim: 2 MPI ranks share the runs$' sweep_mpi_out || fail "said: $(cat sweep_mpi_out)"
diff -r sweep_mpi_j sweep_mpi_n || fail "mpirun -n 2 and -j 2 differ"
# the same command with 3 ranks finds every run complete
"$mpirun" -n 3 --oversubscribe "$tiersim" sweep "$scenario" $args -o sweep_mpi_n >sweep_mpi_out ||
    fail "mpirun -n 3 failed"
grep -q '^tiersim: resumed: 12 of 12 runs kept from before, 0 run now$' sweep_mpi_out ||
    fail "resume with 3 ranks said: $(cat sweep_mpi_out)"
echo "sweep_mpi: ok"
