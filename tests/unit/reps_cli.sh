#!/bin/sh
# reps_cli.sh TIERSIM SCENARIO — replications through the program: --reps 1 writes exactly
# what no flag writes; --reps 3 -j 1 and -j 2 write the same bytes in every file; bad
# values of --reps and -j exit 2; SIGINT leaves complete files that say which replications
# completed with a message that names them.
set -u
tiersim=$1 scenario=$2
short="--set duration=30m --set warmup=5m -q"
fail() { echo "reps_cli: $*"; exit 1; }
rm -rf reps_cli_plain reps_cli_one reps_cli_j1 reps_cli_j2
"$tiersim" run "$scenario" $short -o reps_cli_plain || fail "plain run failed"
"$tiersim" run "$scenario" $short --reps 1 -o reps_cli_one || fail "--reps 1 failed"
diff -r reps_cli_plain reps_cli_one || fail "--reps 1 differs from no flag"
"$tiersim" run "$scenario" $short --reps 3 -j 1 -o reps_cli_j1 || fail "-j 1 failed"
"$tiersim" run "$scenario" $short --reps 3 -j2 -o reps_cli_j2 || fail "-j2 failed"
diff -r reps_cli_j1 reps_cli_j2 || fail "-j 1 and -j 2 differ"
n=$(find reps_cli_j1 -type f | wc -l)
[ "$n" -eq 15 ] || fail "expected 15 files (3 top, 4 in each of 3 rep-NNN), found $n"
[ "$(wc -l <reps_cli_j1/summary.csv)" -eq 4 ] || fail "summary.csv: not a header and 3 rows"
ls reps_cli_j1/*.part reps_cli_j1/*/*.part >/dev/null 2>&1 && fail ".part files left behind"

# SIGINT during replications: exit 1, no .part left, a row per replication that says which
# completed, and summary-ci.csv counting only complete ones (here none: n = 0).
rm -rf reps_cli_int
"$tiersim" run "$scenario" --set duration=100000h -q --reps 4 -j 2 -o reps_cli_int &
pid=$!
i=0
while [ ! -f reps_cli_int/rep-001/timeseries.csv.part ] && [ $i -lt 100 ]; do
    sleep 0.05
    i=$((i + 1))
done
sleep 0.3
kill -INT $pid
wait $pid
st=$?
[ $st -eq 1 ] || fail "interrupted: exit $st, expected 1"
find reps_cli_int -name '*.part' | grep -q . && fail "interrupted: .part files left behind"
[ "$(wc -l <reps_cli_int/summary.csv)" -eq 5 ] || fail "interrupted: not 4 rows"
grep -q '^1,[0-9]*,interrupted,' reps_cli_int/summary.csv || fail "row 1 not interrupted"
grep -q '^4,[0-9]*,not_run,' reps_cli_int/summary.csv || fail "row 4 not not_run"
grep -q '^requests,0,,,,,$' reps_cli_int/summary-ci.csv || fail "summary-ci.csv counts runs"

. "$(dirname "$0")/../support/bad.sh"
bad 'tiersim: --reps needs a whole number from 1 to 100000, got "0"' run "$scenario" --reps 0
bad 'tiersim: --reps needs a whole number from 1 to 100000, got "x"' run "$scenario" --reps x
bad 'tiersim: --reps needs a whole number from 1 to 100000, got "-3"' run "$scenario" --reps -3
bad 'tiersim: --reps needs a whole number from 1 to 100000, got "2.5"' run "$scenario" --reps 2.5
bad 'tiersim: --reps needs a number' run "$scenario" --reps
bad 'tiersim: -j needs a whole number from 1 to 256, got "0"' run "$scenario" -j 0
bad 'tiersim: -j needs a whole number from 1 to 256, got "two"' run "$scenario" -j two
bad 'tiersim: -j needs a whole number from 1 to 256, got "0"' run "$scenario" -j0
bad 'tiersim: -j needs a number' run "$scenario" -j
bad 'tiersim: --reps and -j are options of run, sweep and plan, not of check' check "$scenario" --reps 2
echo "reps_cli: ok"
