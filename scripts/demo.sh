#!/bin/sh
# demo.sh — install what is missing, build, run the demo scenario and draw its plots.
set -eu
cd "$(dirname "$0")/.."
scripts/setup.sh build -- -DCMAKE_BUILD_TYPE=Release
./build/tiersim run scenarios/demo.json -o out/demo
./build/tiersim plot out/demo
echo "demo: the CSV files and PNG plots are in $(pwd)/out/demo"
