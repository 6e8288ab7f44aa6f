#!/bin/sh
# golden.sh TIERSIM NAME SCENARIO [ARGS...] — run SCENARIO and compare its five output files
# byte for byte with tests/golden/NAME/. With TIERSIM_UPDATE_GOLDEN=1 the files are
# rewritten instead (then review the diff and commit it with the change that caused it).
set -u
tiersim=$1 name=$2 scenario=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
out=golden_$name
rm -rf "$out"
"$tiersim" run "$scenario" -o "$out" -q "$@" || { echo "golden $name: the run failed"; exit 1; }
if [ "${TIERSIM_UPDATE_GOLDEN:-0}" = 1 ]; then
    mkdir -p "$here/$name"
    cp "$out"/timeseries.csv "$out"/events.csv "$out"/summary.csv "$out"/scenario.json \
       "$out"/faults.csv "$here/$name/"
    echo "golden $name: updated"
    exit 0
fi
status=0
for f in timeseries.csv events.csv summary.csv scenario.json faults.csv; do
    if ! cmp -s "$here/$name/$f" "$out/$f"; then
        echo "golden $name: $f differs from tests/golden/$name/$f:"
        diff "$here/$name/$f" "$out/$f" | head -20
        status=1
    fi
done
[ $status -eq 0 ] && echo "golden $name: identical"
exit $status
