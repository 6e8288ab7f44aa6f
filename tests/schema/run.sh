#!/bin/sh
# run.sh TIERSIM SOURCE_DIR [--self-test] — check_schema.py over every example scenario
# (scenarios/*.json but the schema itself) and the test scenarios here. Skipped (exit 77)
# when no python3 has the jsonschema module (Debian: python3-jsonschema, which
# scripts/test.sh installs for CI).
set -u
tiersim=$1 src=$2
shift 2
py=""
for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import jsonschema' 2>/dev/null; then
        py=$p
        break
    fi
done
if [ -z "$py" ]; then
    echo "schema: SKIPPED: no python3 with the jsonschema module (apt-get install" \
         "python3-jsonschema); CI installs it"
    exit 77
fi
exec "$py" "$src/tests/schema/check_schema.py" "$tiersim" "$src/scenarios/schema.json" \
    "$src/scenarios" "$src/tests/schema" "$@"
