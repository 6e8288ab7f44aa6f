#!/bin/sh
# test.sh — install what is missing, then build and run every test, as CI does:
#   1. a release build with warnings as errors and the MPI sweep (OpenMPI), and its whole
#      CTest suite (sweep_mpi runs mpirun -n 2);
#   2. the scenario-loader fuzz target (clang's libFuzzer + AddressSanitizer) for 60 s
#      from the example scenarios (TIERSIM_FUZZ_SECONDS overrides);
#   3. a build with AddressSanitizer + UndefinedBehaviorSanitizer (leaks are errors; without
#      MPI), and the whole CTest suite again.
# Exits 0 only when everything passed.
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc)
fuzz_seconds=${TIERSIM_FUZZ_SECONDS:-60}

echo "== release build (-Werror, with MPI) =="
# python3-jsonschema: tests/schema checks scenarios/schema.json against the loader;
# libopenmpi-dev openmpi-bin: the MPI sweep (sweep_mpi runs mpirun -n 2)
scripts/setup.sh build-ci clang libclang-rt-14-dev python3-jsonschema libopenmpi-dev \
    openmpi-bin -- -DCMAKE_BUILD_TYPE=Release -DTIERSIM_WERROR=ON -DTIERSIM_MPI=ON
(cd build-ci && ctest --output-on-failure -j "$jobs")

echo "== fuzzing the scenario loader for ${fuzz_seconds} s =="
CC=clang scripts/setup.sh build-fuzz -- \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTIERSIM_FUZZ=ON -DBUILD_TESTING=OFF
rm -rf build-fuzz/corpus && mkdir -p build-fuzz/corpus
cp scenarios/*.json tests/bad/*.json build-fuzz/corpus/ 2>/dev/null || true
ASAN_OPTIONS=detect_leaks=1 build-fuzz/tests/fuzz/fuzz_scenario \
    -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 \
    -dict=tests/fuzz/scenario.dict -print_final_stats=1 \
    build-fuzz/corpus >build-fuzz/fuzz.log 2>&1 || { tail -50 build-fuzz/fuzz.log; exit 1; }
grep -E "^(Done|stat::number_of_executed_units)" build-fuzz/fuzz.log || true

echo "== AddressSanitizer + UndefinedBehaviorSanitizer build =="
scripts/setup.sh build-asan -- \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTIERSIM_WERROR=ON -DTIERSIM_SANITIZE=ON
(cd build-asan &&
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --output-on-failure -j "$jobs")
