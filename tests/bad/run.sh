#!/bin/sh
# run.sh — one bad-input test: `tiersim check NAME.json [args of NAME.args]` run from this
# folder must exit with status 2, print nothing on stdout, and print on stderr exactly the
# bytes of NAME.expected.
#
#   sh run.sh TIERSIM NAME [OUTDIR]
#
# TIERSIM is the program, NAME the test (NAME.json beside this script), OUTDIR where the
# actual output is kept for a look after a failure (default: a temporary folder, removed).
# NAME.args, when present, holds extra arguments, one per line, taken as they are (no
# quoting, no variables); blank lines and lines starting with '#' are skipped.
#
# With TIERSIM_UPDATE_BAD=1 in the environment, NAME.expected is rewritten from the actual
# stderr instead of compared (as long as the exit status is 2 and stdout is empty), so
# `TIERSIM_UPDATE_BAD=1 ctest -R '^bad_'` re-pins every test. Review the diff before
# committing: a message that changed must have changed on purpose.
set -u

if [ $# -lt 2 ]; then
    echo "usage: sh run.sh TIERSIM NAME [OUTDIR]" >&2
    exit 2
fi
tiersim=$1
name=$2
here=$(cd "$(dirname "$0")" && pwd) || exit 1
case $tiersim in
/*) ;;
*/*) tiersim=$(pwd)/$tiersim ;; # relative to where we were called from
esac

if [ $# -ge 3 ]; then
    out=$3
    mkdir -p "$out" || exit 1
    out=$(cd "$out" && pwd) || exit 1
    cleanup=
else
    out=$(mktemp -d) || exit 1
    cleanup=$out
fi
trap 'if [ -n "$cleanup" ]; then rm -rf "$cleanup"; fi' EXIT

cd "$here" || exit 1
if [ ! -f "$name.json" ]; then
    echo "bad/$name: no $name.json in $here" >&2
    exit 1
fi

# the command line: check NAME.json, then NAME.args line by line
set -- check "$name.json"
if [ -f "$name.args" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
        case $line in
        '' | '#'*) continue ;;
        esac
        set -- "$@" "$line"
    done <"$name.args"
fi

actual=$out/$name.stderr
stdout=$out/$name.stdout
"$tiersim" "$@" >"$stdout" 2>"$actual"
status=$?

fail=0
if [ "$status" -ne 2 ]; then
    echo "bad/$name: exit status $status, expected 2" >&2
    fail=1
fi
if [ -s "$stdout" ]; then
    echo "bad/$name: stdout should be empty, got:" >&2
    cat "$stdout" >&2
    fail=1
fi

if [ "${TIERSIM_UPDATE_BAD:-0}" = 1 ]; then
    if [ "$fail" -ne 0 ]; then
        echo "bad/$name: not updating $name.expected" >&2
        cat "$actual" >&2
        exit 1
    fi
    if ! cmp -s "$actual" "$name.expected" 2>/dev/null; then
        cp "$actual" "$name.expected" || exit 1
        echo "bad/$name: updated $name.expected"
    fi
    exit 0
fi

if [ ! -f "$name.expected" ]; then
    echo "bad/$name: no $name.expected (TIERSIM_UPDATE_BAD=1 writes it); stderr was:" >&2
    cat "$actual" >&2
    exit 1
fi
if ! cmp -s "$name.expected" "$actual"; then
    echo "bad/$name: stderr differs from $name.expected (- expected, + actual):" >&2
    if command -v diff >/dev/null 2>&1; then
        diff -u "$name.expected" "$actual" >&2
    else
        echo "--- expected" >&2
        cat "$name.expected" >&2
        echo "--- actual" >&2
        cat "$actual" >&2
    fi
    fail=1
fi
exit "$fail"
