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
#   wait_line FILE PATTERN PID [SECS] waits (at most SECS, default 120; less once process PID has
#                                    exited) for a line matching the basic regex PATTERN in FILE
#   wait_exit PID [SECONDS]          waits (at most SECONDS, default 10) for background process PID
#                                    to exit and sets $rc to its exit code; if it is still running
#                                    then, kills it (-9) and sets rc=124
#   verify_quote DIR ARGS...         `vouch sgx verify` of DIR/quote.bin against the collateral in
#                                    DIR, with ARGS
#   start_witnessed_log ORIGIN N K   starts N `vouch serve witness` and a `vouch serve log` that
#                                    publishes checkpoints cosigned by K of them, in $TMP/wlog;
#                                    sets LOG (its URL), LOG_VKEY and POLICY (the witness policy
#                                    file); returns 1 (saying why) if a server does not start
#   finish                           prints "N passed, M failed"; fails if a check failed
#
# A governed ledger (docs/governance.md), for the scripts that start roots (root_test.sh,
# broker_test.sh). Run from $TMP; they use $ORIGIN (the ledger's origin), $LOG and the witness
# policy file ./policy (start_witnessed_log), $M (the root bundle's MRENCLAVE), $EXPIRES and, once
# root set 1 exists, $PIN:
#   ago DURATION                     the UTC time DURATION ago
#   sim_machines NAME...             a simulated machine per NAME (sim-NAME, its collateral in
#                                    coll-NAME); adds its --sim-root to the array trust and its
#                                    --collateral to the array colls
#   vouch_bundle DIR PRODUCT_ID      a bundle DIR of this vouch binary, signed with signer.pem
#                                    (made once); prints its MRENCLAVE in upper case
#   script_bundle DIR                a bundle DIR of a script that echoes DIR, signed with signer.pem
#                                    (made once)
#   ed25519_keys NAME...             an Ed25519 key NAME.pem and its public key NAME.pub per NAME
#   toolchain_manifest               the toolchain manifest tc.json (gcc 12.2.0-14)
#   builders                         two builders' Ed25519 keys ba.pem, bb.pem (and .pub) and the
#                                    toolchain manifest tc.json
#   attest BUNDLE COMMIT BUILDER KEY OUT   provenance of BUNDLE by BUILDER, in OUT
#   start_root NAME [ARGS...]        starts `serve root` of root-bundle on machine NAME (data in
#                                    root-NAME, output in root-NAME.out); sets rpid[NAME] and
#                                    rport[NAME] (empty if it did not start)
#   identity NAME                    fetches root NAME's /identity: NAME.identity, NAME.pub,
#                                    NAME.quote
#   root_arg NAME [REFS]             a --root argument of `govern root-set` for root NAME
#   root_set VERSION OUT ROOT...     a 2-of-n root set of those roots, in OUT
#   countersign STATEMENT ROOT...    `ledger countersign` by those roots, appended (run: leaves
#                                    $out, $err, $rc)
#   admit OUT [ARGS...]              `govern admit` ARGS, in OUT
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

verify_quote() {
  local dir=$1
  shift
  "$VOUCH" sgx verify "$dir/quote.bin" --collateral "$dir" "$@"
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

wait_line() {
  local _
  for _ in $(seq $((${4:-120} * 10))); do
    grep -q -- "$2" "$1" 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || break
    sleep 0.1
  done
  grep -q -- "$2" "$1" 2>/dev/null
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

# ---- a governed ledger ----

EXPIRES=$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)
trust=() colls=()
declare -A rport=() rpid=()

ago() { date -u -d "-$1" +%Y-%m-%dT%H:%M:%SZ; }

sim_machines() {
  local r
  for r in "$@"; do
    "$VOUCH" sim init --dir "sim-$r" >/dev/null || return 1
    "$VOUCH" sim collateral --dir "sim-$r" --out "coll-$r" >/dev/null || return 1
    trust+=(--sim-root "sim-$r/root_ca.der")
    colls+=(--collateral "coll-$r")
  done
}

vouch_bundle() {
  [ -s signer.pem ] || "$VOUCH" enclave keygen --out signer.pem >/dev/null || return 1
  mkdir -p "$1/bin"
  cp "$VOUCH" "$1/bin/vouch"
  printf '{"format":"vouch-enclave/1","entry":"bin/vouch","product_id":%s,"isv_svn":1,"debug":false,"memory_size":1073741824}\n' \
    "$2" >"$1/vouch-enclave.json"
  "$VOUCH" enclave sign "$1" --key signer.pem >/dev/null || return 1
  "$VOUCH" measure "$1" --json | field mr_enclave | upper
}

script_bundle() {
  [ -s signer.pem ] || "$VOUCH" enclave keygen --out signer.pem >/dev/null || return 1
  mkdir -p "$1"
  printf '#!/bin/sh\necho %s\n' "$1" >"$1/run.sh"
  printf '{"format":"vouch-enclave/1","entry":"run.sh","product_id":1,"isv_svn":1,"debug":false,"memory_size":65536}\n' \
    >"$1/vouch-enclave.json"
  "$VOUCH" enclave sign "$1" --key signer.pem >/dev/null || { echo "cannot sign $1"; return 1; }
}

ed25519_keys() {
  local k
  for k in "$@"; do
    openssl genpkey -algorithm ed25519 -out "$k.pem" 2>/dev/null || return 1
    openssl pkey -in "$k.pem" -pubout -out "$k.pub" || return 1
  done
}

toolchain_manifest() {
  cat >tc.json <<'EOF'
{"format":"vouch-toolchain/1","components":[{"name":"gcc","version":"12.2.0-14","uri":"pkg:deb/debian/gcc-12@12.2.0-14?arch=amd64","digest":{"sha256":"b782f07cf5bdca47deea5b7f8d5b5f863bafc35910adafda4f52f6537d9ed3dd"}}]}
EOF
}

builders() { ed25519_keys ba bb && toolchain_manifest; }

attest() {
  "$VOUCH" build attest "$1" --source "https://git.example/vouch.git@$2" --toolchain tc.json \
    --builder-id "$3" --key "$4" --out "$5" --finished-on "$(ago '5 minutes')" >/dev/null || bad "attest $5"
}

start_root() {
  local n=$1
  shift
  rm -f "root-$n.port"
  "$VOUCH" enclave run root-bundle --sim-dir "sim-$n" -- serve root --data "root-$n" \
    --listen 127.0.0.1:0 --port-file "root-$n.port" --log "$LOG" --policy policy \
    "${trust[@]}" --collateral "coll-$n" "${colls[@]}" --recheck-interval 5 "$@" >"root-$n.out" 2>&1 &
  rpid[$n]=$!
  rport[$n]=$(wait_port "root-$n.port" "${rpid[$n]}")
}

identity() {
  curl -sf "http://127.0.0.1:${rport[$1]}/identity" >"$1.identity" || return 1
  {
    echo "-----BEGIN PUBLIC KEY-----"
    field spki <"$1.identity" | base64 -d | base64 -w 64
    echo "-----END PUBLIC KEY-----"
  } >"$1.pub"
  field quote <"$1.identity" | base64 -d >"$1.quote"
}

root_arg() {
  local refs=${2:-}
  echo "name=root-$1,key=$1.pub,constraint=C:$M SEC:INSECURE,quote=$1.quote,collateral=coll-$1${refs:+,reproduced-by=$refs}"
}

root_set() {
  local version=$1 out=$2 r
  shift 2
  local roots=()
  for r in "$@"; do roots+=(--root "$(root_arg "$r")"); done
  "$VOUCH" govern root-set --ledger "$ORIGIN" --version "$version" --expires "$EXPIRES" --threshold 2 \
    "${roots[@]}" --builder id=https://builder-a.example/ci,key=ba.pub \
    --builder id=https://builder-b.example/ci,key=bb.pub --out "$out" >/dev/null || bad "root set $version"
}

countersign() {
  local st=$1 r
  shift
  local roots=()
  for r in "$@"; do roots+=(--root "http://127.0.0.1:${rport[$r]:-1}"); done
  run ledger countersign "$LOG" "$st" "${roots[@]}" --policy policy --timeout 20 --out "$st.proof" \
    --envelope "$st.entry" ${PIN:+--root-set-pin "$PIN"}
}

admit() {
  local out=$1
  shift
  "$VOUCH" govern admit --ledger "$ORIGIN" --expires "$EXPIRES" --out "$out" "$@" >/dev/null || bad "admit $out"
}

h() { sha256sum "$1" | cut -c1-64; }
field() { grep -o "\"$1\":\"[^\"]*\"" | head -1 | cut -d'"' -f4; }
upper() { tr 'a-f' 'A-F'; }

finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
