# The harness shared by the end-to-end scripts in tests/ (sourced, not run: each script does
# `source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"` after `set -uo pipefail`). ctest runs the
# scripts from the repository root with VOUCH=<path to vouch> (tests/CMakeLists.txt).
#
# Sourcing it requires VOUCH, makes a temporary directory $TMP and sets an EXIT trap that kills
# the background processes the script still runs (its servers) and removes $TMP. Checks are
# counted in $pass and $fail:
#   ok                               a check passed
#   bad NAME                         a check failed; prints "FAIL NAME"
#   check NAME RC PATTERN -- CMD...  runs CMD: passes if it exits RC and, when PATTERN is not
#                                    empty, its output (stdout and stderr) matches the extended
#                                    regex PATTERN; otherwise prints why and the first lines
#   run ARGS...                      runs vouch ARGS, leaving its stdout, stderr and exit code in
#                                    $out, $err and $rc
#   bad_run NAME                     a check of the last `run` failed; prints NAME, $rc, $out and
#                                    $err on stderr
#   wait_port FILE [PID]             waits (at most 10 s; less once process PID has exited) for a
#                                    server to write its port to FILE; prints the port
#   wait_exit PID [SECONDS]          waits (at most SECONDS, default 10) for background process PID
#                                    to exit and sets $rc to its exit code; if it is still running
#                                    then, kills it (-9) and sets rc=124
#   finish                           prints "N passed, M failed"; fails if a check failed
#   h FILE                           the SHA-256 of FILE, lower-case hex
#   field NAME                       the first string value of "NAME" in the JSON on stdin
#   upper                            stdin with lower-case hex digits in upper case

: "${VOUCH:?set VOUCH to the vouch binary}"
TMP=$(mktemp -d)

cleanup() {
  local p
  for p in $(jobs -p); do
    kill -9 "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  rm -rf "$TMP"
}
trap cleanup EXIT

pass=0 fail=0

ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

# check NAME EXPECTED_EXIT GREP_PATTERN -- command...
check() {
  local name=$1 want=$2 pattern=$3
  shift 4
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  if [ "$rc" -ne "$want" ]; then
    bad "$name: exit $rc, want $want"; echo "$out" | head -5; return
  fi
  if [ -n "$pattern" ] && ! grep -qE -- "$pattern" <<<"$out"; then
    bad "$name: output lacks /$pattern/"; echo "$out" | head -5; return
  fi
  ok
}

# run ARGS...: runs vouch, leaving stdout, stderr and the exit code in $out, $err, $rc.
run() {
  "$VOUCH" "$@" >"$TMP/out" 2>"$TMP/err"
  rc=$?
  out=$(cat "$TMP/out")
  err=$(cat "$TMP/err")
}

bad_run() {
  echo "FAIL: $1" >&2
  echo "  rc=$rc" >&2
  echo "  stdout: ${out:0:2000}" >&2
  echo "  stderr: ${err:0:2000}" >&2
  fail=$((fail + 1))
}

wait_port() {
  local _
  for _ in $(seq 200); do
    [ -s "$1" ] && break
    if [ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null; then break; fi
    sleep 0.05
  done
  [ -s "$1" ] && cat "$1"
}

wait_exit() {
  local _
  for _ in $(seq $((${2:-10} * 20))); do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$1" 2>/dev/null; then
    kill -9 "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    rc=124
    return
  fi
  wait "$1" 2>/dev/null
  rc=$?
}

h() { sha256sum "$1" | cut -c1-64; }
field() { grep -o "\"$1\":\"[^\"]*\"" | head -1 | cut -d'"' -f4; }
upper() { tr 'a-f' 'A-F'; }

finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
