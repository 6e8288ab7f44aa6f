#!/bin/sh
# demo.sh — install what is missing, build, run the demo scenario and draw its plots.
set -eu
cd "$(dirname "$0")/.."
scripts/setup.sh build -- -DCMAKE_BUILD_TYPE=Release
./build/tiersim run scenarios/three-tier.json -o out/three-tier
./build/tiersim plot out/three-tier
echo "demo: the CSV files and PNG plots are in $(pwd)/out/three-tier"
