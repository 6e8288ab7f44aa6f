#!/bin/sh
# setup.sh — install what a fresh Debian 12 machine lacks, then configure and build.
#   scripts/setup.sh BUILD_DIR [extra packages...] -- [cmake options...]
# Installs with apt-get (as root, or through sudo) only the packages that are missing.
set -eu
cd "$(dirname "$0")/.."

build=$1; shift
pkgs="build-essential cmake pkg-config libgsl-dev libcjson-dev libcsv-dev gnuplot-nox"
while [ $# -gt 0 ] && [ "$1" != "--" ]; do pkgs="$pkgs $1"; shift; done
[ $# -gt 0 ] && shift # the --

missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "setup: installing$missing"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

cmake -S . -B "$build" "$@" >/dev/null
cmake --build "$build" -j "$(nproc)"
