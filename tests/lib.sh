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
#   start_witnessed_log ORIGIN N K   starts N `vouch serve witness` and a `vouch serve log` that
#                                    publishes checkpoints cosigned by K of them, in $TMP/wlog;
#                                    sets LOG (its URL), LOG_VKEY and POLICY (the witness policy
#                                    file); returns 1 (saying why) if a server does not start
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

start_witnessed_log() {
  local origin=$1 n=$2 k=$3 dir="$TMP/wlog" i port vkey flags=() names=()
  mkdir -p "$dir"
  "$VOUCH" log keygen --origin "$origin" --out "$dir/log.key" >"$dir/log.vkey" 2>/dev/null || return 1
  LOG_VKEY=$(cat "$dir/log.vkey")
  POLICY="$dir/policy"
  echo "log $LOG_VKEY" >"$POLICY"
  for i in $(seq "$n"); do
    vkey=$("$VOUCH" witness keygen --name "w$i.example" --out "$dir/w$i.key") || return 1
    "$VOUCH" serve witness --data "$dir/w$i" --key "$dir/w$i.key" --init --log "$origin=$LOG_VKEY" \
      --listen 127.0.0.1:0 --port-file "$dir/w$i.port" >/dev/null 2>&1 &
    port=$(wait_port "$dir/w$i.port" $!)
    [ -n "$port" ] || { echo "witness $i did not start"; return 1; }
    flags+=(--witness "http://127.0.0.1:$port=$vkey")
    echo "witness w$i $vkey" >>"$POLICY"
    names+=("w$i")
  done
  printf 'group cosigners %s %s\nquorum cosigners\n' "$k" "${names[*]}" >>"$POLICY"
  "$VOUCH" serve log --data "$dir/log" --key "$dir/log.key" --init --listen 127.0.0.1:0 \
    --port-file "$dir/log.port" --policy "$POLICY" --witness-timeout 2 "${flags[@]}" \
    >/dev/null 2>"$dir/log.err" &
  port=$(wait_port "$dir/log.port" $!)
  [ -n "$port" ] || { echo "the log did not start: $(cat "$dir/log.err")"; return 1; }
  LOG="http://127.0.0.1:$port"
}

h() { sha256sum "$1" | cut -c1-64; }
field() { grep -o "\"$1\":\"[^\"]*\"" | head -1 | cut -d'"' -f4; }
upper() { tr 'a-f' 'A-F'; }

finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
