#!/bin/sh
# sigint.sh TIERSIM SCENARIO — interrupt a long run with SIGINT: the run exits with status 1,
# leaves no .part file, its timeseries and events are well-formed, and summary.csv says
# status=interrupted.
set -u
tiersim=$1 scenario=$2 dir=sigint_out
rm -rf "$dir"
"$tiersim" run "$scenario" -o "$dir" --set duration=100000h -q &
pid=$!
# wait until the run is under way (its .part files exist), then interrupt it
i=0
while [ ! -f "$dir/timeseries.csv.part" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
sleep 0.3
kill -INT $pid
wait $pid
status=$?
fail() { echo "sigint: $*"; exit 1; }
[ $status -eq 1 ] || fail "exit status $status, expected 1"
ls "$dir"/*.part >/dev/null 2>&1 && fail ".part files left behind"
for f in timeseries.csv events.csv summary.csv scenario.json; do
    [ -f "$dir/$f" ] || fail "$f missing"
done
grep -q '^1,1,interrupted,' "$dir/summary.csv" || fail "summary does not say interrupted"
# every timeseries row has as many fields as the header
awk -F, 'NR == 1 { n = NF } NF != n { bad = 1 } END { exit bad }' "$dir/timeseries.csv" ||
    fail "a timeseries row is incomplete"
rows=$(wc -l <"$dir/timeseries.csv")
echo "sigint: ok ($rows timeseries lines, summary says interrupted)"
