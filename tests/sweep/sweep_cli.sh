#!/bin/sh
# sweep_cli.sh TIERSIM SCENARIO — sweeps through the program:
#   -j 1 and -j 2 write the same bytes in every file; a point's folder is what `run --reps`
#   writes with the point's values as --set; --reps 1 points are plain runs; the default
#   folder is out/<name>-sweep; bad --vary options exit 2 with their messages; a folder
#   holding another sweep is refused; a sweep killed with SIGKILL part-way and run again
#   keeps its complete runs (not run again: their files keep their times) and gives the
#   sweep.csv of an uninterrupted sweep.
set -u
tiersim=$1 scenario=$2
fail() { echo "sweep_cli: $*"; exit 1; }
vary="--vary components.app.asg.desired_capacity=1,2 --vary components.app.instance.vcpus=1,2"
short="--set duration=5m --set warmup=1m -q"
rm -rf sweep_j1 sweep_j2 sweep_run sweep_one sweep_plain out

"$tiersim" sweep "$scenario" $vary $short --reps 3 -j 1 -o sweep_j1 || fail "-j 1 failed"
"$tiersim" sweep "$scenario" $vary $short --reps 3 -j2 -o sweep_j2 || fail "-j2 failed"
diff -r sweep_j1 sweep_j2 || fail "-j 1 and -j 2 differ"
[ "$(wc -l <sweep_j1/sweep.csv)" -eq 5 ] || fail "sweep.csv: not a header and 4 rows"
head -1 sweep_j1/sweep.csv | grep -q '^point,components.app.asg.desired_capacity,components.app.instance.vcpus,reps,requests_mean,requests_sd,requests_ci95_half,' ||
    fail "sweep.csv header: $(head -c 200 sweep_j1/sweep.csv)"
# the product's order: the first --vary slowest
[ "$(cut -d, -f1-4 sweep_j1/sweep.csv | tr '\n' ' ')" = \
    "point,components.app.asg.desired_capacity,components.app.instance.vcpus,reps 1,1,1,3 2,1,2,3 3,2,1,3 4,2,2,3 " ] ||
    fail "points out of order: $(cut -d, -f1-4 sweep_j1/sweep.csv | tr '\n' ' ')"
find sweep_j1 -name '*.part' | grep -q . && fail ".part files left behind"

# point 3 (desired_capacity=2, vcpus=1) is `run --reps 3` with those values
"$tiersim" run "$scenario" $short --reps 3 --set components.app.asg.desired_capacity=2 \
    --set components.app.instance.vcpus=1 -o sweep_run || fail "run --reps failed"
diff -r sweep_run sweep_j1/point-003 || fail "point 3 differs from run --reps with its values"

# with --reps 1 each point is the plain run; the default folder is out/<name>-sweep
"$tiersim" sweep "$scenario" --vary workload.rate=20,30 $short || fail "--reps 1 sweep failed"
"$tiersim" run "$scenario" $short --set workload.rate=30 -o sweep_plain || fail "plain run"
diff -r sweep_plain out/small-sweep/point-002 || fail "a --reps 1 point differs from the run"
grep -q '^2,30,1,' out/small-sweep/sweep.csv || fail "--reps 1: row 2 is not 2,30,1,..."

. "$(dirname "$0")/../support/bad.sh"
bad 'tiersim: sweep needs at least one --vary PATH=V1,V2,...' sweep "$scenario"
bad 'tiersim: --vary is an option of sweep and plan, not of run' run "$scenario" --vary a=1
bad 'tiersim: --vary a is given twice' sweep "$scenario" --vary a=1 --vary a=2
bad 'tiersim: --vary components.app.instance.vcpus: '"'['"' is not closed in "[2,4"' \
    sweep "$scenario" --vary 'components.app.instance.vcpus=[2,4'
bad 'tiersim: --vary workload.rate: empty value in "10,,20"' \
    sweep "$scenario" --vary workload.rate=10,,20
bad '--vary components.app.instanse.vcpus=2: .components.app.instanse: unknown key (did you mean "instance"?)' \
    sweep "$scenario" --vary components.app.instanse.vcpus=2,4 -o sweep_bad
bad 'tiersim: sweep point 2 (components.app.instance.vcpus=two) is invalid:' \
    sweep "$scenario" --vary components.app.instance.vcpus=2,two -o sweep_bad
bad '--vary components.app.instance.vcpus=two: .components.app.instance.vcpus: expected an integer, got "two"' \
    sweep "$scenario" --vary components.app.instance.vcpus=2,two -o sweep_bad
bad 'tiersim: 1 of 2 sweep points are invalid ('"$scenario"')' \
    sweep "$scenario" --vary components.app.instance.vcpus=2,two -o sweep_bad
bad 'tiersim: the sweep has more than 100000 points' sweep "$scenario" \
    --vary "workload.rate=$(seq -s, 1 1000)" --vary "seed=$(seq -s, 1 101)" -o sweep_bad
[ -e sweep_bad ] && fail "an invalid sweep wrote files"
# another sweep into a sweep's folder: refused, nothing touched
cp sweep_j1/sweep.csv sweep_cli_before.csv
bad 'tiersim: "sweep_j1" holds another sweep (its --vary options differ: see its sweep.json); run the command that started it to resume it, or choose another folder with -o' \
    sweep "$scenario" --vary components.app.asg.desired_capacity=1,3 $short --reps 3 -o sweep_j1
bad 'tiersim: "sweep_j1" holds another sweep (its scenario (after --set) differs: see its sweep.json); run the command that started it to resume it, or choose another folder with -o' \
    sweep "$scenario" $vary $short --seed 9 --reps 3 -o sweep_j1
cmp -s sweep_j1/sweep.csv sweep_cli_before.csv || fail "a refused sweep changed sweep.csv"

# stop_part_way SIGNAL DIR: start the long sweep into DIR, send SIGNAL once a run is
# complete (its record exists); its exit status in st
long="--set duration=1h --set warmup=1m --reps 2"
stop_part_way() {
    rm -rf "$2"
    "$tiersim" sweep "$scenario" $vary $long -q -o "$2" &
    pid=$!
    i=0
    while ! ls "$2"/resume/*.txt >/dev/null 2>&1 && [ $i -lt 400 ]; do
        sleep 0.02
        i=$((i + 1))
    done
    kill -"$1" $pid
    wait $pid 2>/dev/null
    st=$?
}

# SIGKILL part-way, then the same command again
rm -rf sweep_full
"$tiersim" sweep "$scenario" $vary $long -q -o sweep_full || fail "the uninterrupted sweep failed"
stop_part_way KILL sweep_kill
kept=$(ls sweep_kill/resume/*.txt | wc -l)
[ "$kept" -ge 1 ] || fail "no run was complete when killed"
[ "$kept" -lt 8 ] || fail "the sweep ended before it was killed: nothing to resume"
[ -f sweep_kill/sweep.csv ] && fail "a killed sweep left a sweep.csv"
touch sweep_cli_mark
sleep 1.1 # file times have a resolution of a second on some file systems
"$tiersim" sweep "$scenario" $vary $long -o sweep_kill --quiet || fail "the resumed sweep failed"
cmp sweep_full/sweep.csv sweep_kill/sweep.csv || fail "resumed sweep.csv differs"
diff -r sweep_full sweep_kill || fail "a resumed sweep's files differ"
# the runs complete before the kill were not run again: their record and summary are
# older than the mark, and no other run's are
old_rec=0 old_sum=0
for f in sweep_kill/resume/*.txt; do
    [ "$f" -nt sweep_cli_mark ] || old_rec=$((old_rec + 1))
done
for f in sweep_kill/point-*/rep-*/summary.csv; do
    [ "$f" -nt sweep_cli_mark ] || old_sum=$((old_sum + 1))
done
[ "$old_rec" -eq "$kept" ] && [ "$old_sum" -eq "$kept" ] ||
    fail "$kept runs were complete, but $old_rec records and $old_sum summaries were kept"
# SIGINT part-way: exit 1, complete files, sweep.csv counts the complete replications;
# the same command again finishes it
stop_part_way INT sweep_int
[ $st -eq 1 ] || fail "interrupted sweep: exit $st, expected 1"
find sweep_int -name '*.part' | grep -q . && fail "interrupted sweep: .part files left behind"
grep -q '^4,2,2,[01],' sweep_int/sweep.csv ||
    fail "interrupted sweep.csv: $(cut -c1-30 sweep_int/sweep.csv)"
"$tiersim" sweep "$scenario" $vary $long -q -o sweep_int || fail "resuming after SIGINT failed"
diff -r sweep_full sweep_int || fail "a sweep resumed after SIGINT differs"

# the program says so
out=$("$tiersim" sweep "$scenario" $vary $long -o sweep_kill | grep resumed)
[ "$out" = "tiersim: resumed: 8 of 8 runs kept from before, 0 run now" ] || fail "said: $out"
echo "sweep_cli: ok ($kept of 8 runs kept after SIGKILL)"
