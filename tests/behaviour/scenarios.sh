#!/bin/sh
# scenarios.sh TIERSIM DIR — every scenario shipped in DIR (schema.json, the JSON Schema of
# the format, is no scenario) is documented at its top and runs as written (issue 7, "the
# scenario library"):
# - it opens with `//` comment lines of at most 95 characters, among them a `// Run:` line
#   that names it;
# - `tiersim check` accepts it;
# - `tiersim run` runs it as written for its first 5 simulated minutes, without its faults
#   (they come later; the whole runs take minutes: behaviour_lesson_* runs the lessons'
#   scenarios whole, behaviour_static_stability, behaviour_serverless_compare and the golden
#   tests others), and exits 0 with a complete summary.
set -u
tiersim=$1 dir=$2 status=0 n=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
for f in "$dir"/*.json; do
    [ "$(basename "$f")" != schema.json ] || continue
    n=$((n + 1))
    name=$(basename "$f")
    # the opening comment block: the lines before the first line that is not a comment
    head=$(awk '!/^\/\//{exit} {print}' "$f")
    if [ -z "$head" ]; then
        echo "$name: does not open with // comment lines"
        status=1
    else
        long=$(printf '%s\n' "$head" | awk 'length > 95 {print NR": "length" characters"}')
        if [ -n "$long" ]; then
            echo "$name: comment lines longer than 95 characters: $long"
            status=1
        fi
        if ! printf '%s\n' "$head" | grep -q "^// Run: .*$name"; then
            echo "$name: no '// Run:' line naming it in the opening comment"
            status=1
        fi
    fi
    if ! out=$("$tiersim" check "$f" 2>&1); then
        echo "$out"
        status=1
        continue
    fi
    if ! out=$("$tiersim" run "$f" -o "$tmp/run" --quiet --set duration=5m \
                     --set warmup=0 --set "faults=[]" 2>&1); then
        echo "$name: tiersim run failed: $out"
        status=1
    elif ! grep -q ',complete,' "$tmp/run/summary.csv"; then
        echo "$name: the run's summary is not complete"
        status=1
    fi
done
echo "scenarios: $n checked"
exit $status
