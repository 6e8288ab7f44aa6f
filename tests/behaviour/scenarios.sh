#!/bin/sh
# scenarios.sh TIERSIM DIR — every scenario shipped in DIR is valid as written (schema.json,
# the JSON Schema of the format, is no scenario).
set -u
tiersim=$1 dir=$2 status=0 n=0
for f in "$dir"/*.json; do
    [ "$(basename "$f")" != schema.json ] || continue
    n=$((n + 1))
    if ! out=$("$tiersim" check "$f" 2>&1); then
        echo "$out"
        status=1
    fi
done
echo "scenarios: $n checked"
exit $status
