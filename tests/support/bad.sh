# bad.sh — sourced by the command-line tests: `bad EXPECTED-MESSAGE ARGS...` runs $tiersim
# with ARGS and fails the test (with the caller's `fail`) unless it exits 2 and stderr holds
# the message.
bad() {
    want=$1
    shift
    "$tiersim" "$@" >/dev/null 2>bad_sh_err
    st=$?
    [ $st -eq 2 ] || fail "$*: exit $st, expected 2"
    grep -qF -- "$want" bad_sh_err || fail "$*: no \"$want\" in: $(cat bad_sh_err)"
}
