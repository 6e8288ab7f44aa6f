#!/bin/sh
# plan_cli.sh TIERSIM SCENARIO — `tiersim plan` against its own sweep.csv: each
# configuration's verdict in plan.csv, and the answer, are recomputed here from sweep.csv
# (every variant's upper end of the p99 interval at most the bound, lower end of the
# availability interval at least the bound; the cheapest by cost_usd_mean), without and
# with --az-loss; more instances cost more; -j 2 writes the bytes of -j 1; the exit status
# says whether a configuration meets the SLO; bad --slo and --az-loss exit 2 with their
# messages.
set -u
tiersim=$1 scenario=$2
fail() { echo "plan_cli: $*"; exit 1; }
rm -rf plan_a plan_b plan_loss plan_none
inst='components.app.instance={"type":"c5.large","workers":16,"backlog":8}'
vary="--vary components.app.asg.desired_capacity=1,2,3,4"

# check DIR NVARIANTS P99_MS AVAILABILITY: plan.csv and stdout (DIR.out) agree with sweep.csv
# (its quoted fields, the faults' JSON, become Q first so that commas split the columns)
check() {
    sed -E 's/"([^"]|"")*"/Q/g' "$1/sweep.csv" | awk -F, -v nv="$2" -v p99="$3" -v av="$4" -v plan="$1/plan.csv" -v out="$1.out" '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        {
            c = int(($1 - 1) / nv) + 1
            hi = $col["latency_p99_ms_mean"] + $col["latency_p99_ms_ci95_half"]
            lo = $col["availability_pct_mean"] - $col["availability_pct_ci95_half"]
            if (!(c in ok)) { ok[c] = 1; cost[c] = $col["cost_usd_mean"]; n = c }
            if ($col["latency_p99_ms_mean"] == "" || hi > p99 || lo < av) ok[c] = 0
        }
        END {
            best = 0
            for (c = 1; c <= n; c++) {
                if (ok[c] && (!best || cost[c] < cost[best])) best = c
                if (c > 1 && !(cost[c] > cost[c - 1])) { print "cost does not rise with size"; exit 1 }
            }
            r = 0
            while ((getline line < plan) > 0) {
                if (r++ == 0) continue
                split(line, f, ",")
                want = ok[f[1]] ? "yes" : "no"
                if (f[9] != want) { print "configuration " f[1] ": plan says " f[9] ", sweep.csv " want; exit 1 }
            }
            if (r != n + 1) { print "plan.csv has " r - 1 " rows, expected " n; exit 1 }
            found = 0
            while ((getline line < out) > 0)
                if (line ~ /^answer: configuration /) { split(line, w, " "); found = w[3] }
            if (found != best) { print "answer " found ", expected " best; exit 1 }
            print best
        }'
}

"$tiersim" plan "$scenario" --set "$inst" $vary --slo p99=400ms --slo availability=99.5 \
    --reps 3 -o plan_a >plan_a.out || fail "plan exited $? though a configuration meets"
best=$(check plan_a 1 400 99.5) || fail "without AZ loss: $best"
[ "$best" -ge 2 ] || fail "one c5.large at 100 % busy cannot meet p99 400 ms (answer $best)"
"$tiersim" plan "$scenario" --set "$inst" $vary --slo p99=400ms,availability=99.5 \
    --reps 3 -j 2 -q -o plan_b >plan_b.out || fail "plan -j 2 failed"
[ ! -s plan_b.out ] || fail "--quiet printed: $(cat plan_b.out)"
diff -r plan_a plan_b || fail "-j 1 and -j 2 differ"

# each AZ lost in turn: the variants are the last (fastest) dimension
"$tiersim" plan "$scenario" --set "$inst" $vary --slo p99=400ms --slo availability=85 \
    --az-loss 4m+3m --reps 3 -o plan_loss >plan_loss.out || fail "plan --az-loss failed"
loss=$(check plan_loss 3 400 85) || fail "with AZ loss: $loss"
[ "$loss" -gt "$best" ] || fail "losing an AZ needs more than $best instances, plan says $loss"
grep -q '^point,components.app.asg.desired_capacity,faults,' plan_loss/sweep.csv ||
    fail "the AZ-loss dimension is not the sweep's last: $(head -c 120 plan_loss/sweep.csv)"
grep -q 'met with no AZ lost and with each of a lost b lost' plan_loss.out ||
    fail "stdout does not name the variants"

# nothing meets: exit 1, the reason on stdout
"$tiersim" plan "$scenario" --set "$inst" --vary components.app.asg.desired_capacity=1 \
    --slo p99=1ms -o plan_none >plan_none.out
[ $? -eq 1 ] || fail "no configuration meets, yet exit 0"
grep -q 'no configuration meets the SLO' plan_none.out || fail "no answer line: $(cat plan_none.out)"

. "$(dirname "$0")/../support/bad.sh"
bad 'tiersim: --slo p99 needs a duration above 0 (300ms, 1.5s), got "fast"' \
    plan "$scenario" $vary --slo p99=fast
bad 'tiersim: unknown SLO "latency": expected p99=DURATION or availability=PERCENT' \
    plan "$scenario" $vary --slo latency=1s
bad 'tiersim: --slo availability needs a percentage in (0, 100], got "101"' \
    plan "$scenario" $vary --slo availability=101
bad 'tiersim: --az-loss needs AT or AT+DURATION (10h, 10h+2h), got "soon"' \
    plan "$scenario" $vary --az-loss soon
bad "tiersim: --az-loss adds to the scenario's faults: do not --vary them" \
    plan "$scenario" $vary --az-loss 1m --vary 'faults=[]'
bad 'tiersim: --slo and --az-loss are options of plan, not of sweep' \
    sweep "$scenario" $vary --slo p99=1s
bad 'tiersim: plan needs at least one --vary PATH=V1,V2,...' plan "$scenario"
echo "plan_cli: ok (answer $best; $loss with each AZ lost)"
