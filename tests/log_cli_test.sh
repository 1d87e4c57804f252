#!/usr/bin/env bash
# End-to-end test of the transparency log (docs/log.md) with the real binary: `vouch log keygen`,
# `vouch serve log` on 127.0.0.1, `vouch log add|checkpoint|proof|verify-proof|audit`, hostile
# requests (oversized, truncated and empty bodies, garbage tile paths, corrupt receipts), a
# refused rollback and split view, clean shutdown, and the Tessera test log reproduced byte for
# byte through the server. Needs VOUCH=<path to vouch> and curl; runs from the repository root.
set -uo pipefail

# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v curl >/dev/null || { echo "curl is required" >&2; exit 1; }

# expect_rc NAME RC: the last run exited with RC.
expect_rc() {
  [[ "$rc" == "$2" ]] && ok || bad_run "$1 (want rc=$2)"
}
# expect_out NAME PATTERN: stdout matches the extended regex PATTERN.
expect_out() {
  [[ "$out" =~ $2 ]] && ok || bad_run "$1 (stdout should match: $2)"
}
# expect_err NAME PATTERN: stderr matches the extended regex PATTERN.
expect_err() {
  [[ "$err" =~ $2 ]] && ok || bad_run "$1 (stderr should match: $2)"
}
# expect_true NAME CONDITION: the shell command CONDITION (evaluated) succeeds.
expect_true() {
  if eval "$2"; then
    ok
  else
    rc=- out=- err=-
    bad_run "$1"
  fi
}

# start_server NAME DATA KEY [FLAG...]: starts `vouch serve log` on a free loopback port (with
# the extra flags, e.g. --init for a new log); sets URL_<NAME> and PID_<NAME>.
start_server() {
  local name=$1 data=$2 key=$3
  shift 3
  rm -f "$TMP/$name.port"
  "$VOUCH" serve log --data "$data" --key "$key" --listen 127.0.0.1:0 --port-file "$TMP/$name.port" \
    --batch-interval 1 "$@" >"$TMP/$name.stdout" 2>"$TMP/$name.stderr" &
  local pid=$! port
  if ! port=$(wait_port "$TMP/$name.port" "$pid"); then
    echo "FAIL: server $name did not start: $(cat "$TMP/$name.stderr")" >&2
    fail=$((fail + 1))
    return 1
  fi
  printf -v "URL_$name" 'http://127.0.0.1:%s' "$port"
  printf -v "PID_$name" '%s' "$pid"
}

# stop_server PID: SIGTERM, and the exit code in $rc.
stop_server() {
  kill -TERM "$1"
  wait "$1"
  rc=$?
}

# ---- keygen ----

run log keygen --origin log.example/e2e --out "$TMP/key"
expect_rc "keygen" 0
VKEY=$out
expect_out "keygen prints the vkey" '^log\.example/e2e\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$'
expect_true "key file is 0600" '[[ $(stat -c %a "$TMP/key") == 600 ]]'
expect_true "key file is a Go note private key" 'grep -qE "^PRIVATE\+KEY\+log\.example/e2e\+[0-9a-f]{8}\+" "$TMP/key"'
run log keygen --origin log.example/e2e --out "$TMP/key"
expect_rc "keygen refuses to overwrite" 2
expect_err "keygen says why" 'exists'
run log keygen --origin "bad origin" --out "$TMP/key2"
expect_rc "keygen rejects a bad origin" 2
run log keygen --origin "a+b" --out "$TMP/key2"
expect_rc "keygen rejects + in the origin" 2
run log keygen --origin other.example/log --out "$TMP/other.key" --json
expect_rc "keygen --json" 0
expect_out "keygen --json" '^\{"verdict":"ok","origin":"other\.example/log","vkey":"other\.example/log\+[0-9a-f]{8}\+'
OTHER_VKEY=$("$VOUCH" log keygen --origin log.example/e2e --out "$TMP/impostor.key")

# ---- serve ----

start_server A "$TMP/data" "$TMP/key" --init || exit 1
U=$URL_A
expect_true "serve prints the bound address" 'grep -qE "^log log\.example/e2e\+[0-9a-f]{8}\+.* listening on 127\.0\.0\.1:[0-9]+$" "$TMP/A.stdout"'
run serve log --data "$TMP/data" --key "$TMP/key" --listen 127.0.0.1:0
expect_rc "a second server on the same data directory" 3
expect_err "it says the directory is in use" 'in use'
printf 'not a key\n' >"$TMP/bad.key"
run serve log --data "$TMP/data2" --key "$TMP/bad.key" --listen 127.0.0.1:0
expect_rc "serve with a malformed key" 2
# One rule for every private key: a key file others may read is refused, with the fix.
cp "$TMP/key" "$TMP/open.key"; chmod 644 "$TMP/open.key"
run serve log --data "$TMP/data4" --key "$TMP/open.key" --listen 127.0.0.1:0
expect_rc "serve with a key others may read" 2
expect_err "it gives the fix" "chmod 600 $TMP/open.key"
expect_true "it creates no data directory" '[ ! -e "$TMP/data4" ]'
# A --data that cannot be created is an error.
run serve log --data "$TMP/key/sub" --key "$TMP/key" --listen 127.0.0.1:0
expect_rc "serve with a --data that cannot be created" 3
run serve log --data "$TMP/data3" --key "$TMP/key" --listen 999.1.1.1:80
expect_rc "serve with a bad address" 3
expect_true "a bad address creates no data directory" '[ ! -e "$TMP/data3" ]'
run serve log --data "$TMP/data3" --key "$TMP/key" --listen 127.0.0.1:70000
expect_rc "serve with a port out of range" 2
run serve log --data "$TMP/data3" --key "$TMP/key" --listen "${U#http://}"
expect_rc "serve on a port in use" 3
expect_true "a port in use creates no data directory" '[ ! -e "$TMP/data3" ]'
# The port file is written before anything says "listening": one that cannot be written is an
# error, and nothing was announced.
run serve log --data "$TMP/data5" --key "$TMP/key" --listen 127.0.0.1:0 --init --port-file "$TMP/nodir/p"
expect_rc "serve with a port file that cannot be written" 3
expect_true "it never said listening" '[[ "$out" != *listening* ]]'

# ---- add ----

for i in 1 2 3 4 5; do echo "entry number $i" >"$TMP/e$i"; done
run log add "$U" "$TMP/e1"
expect_rc "add" 0
expect_out "add prints the index" '^index 0'
LEAF1=$( (printf '\000'; cat "$TMP/e1") | openssl dgst -sha256 -binary | base64)
expect_out "add prints the RFC 6962 leaf hash" "leaf_hash ${LEAF1//+/\\+}"
expect_out "add: new" 'duplicate no'
run log add "$U" "$TMP/e2" --json
expect_rc "add --json" 0
expect_out "add --json" '^\{"verdict":"ok","index":1,"leaf_hash":"[A-Za-z0-9+/]{43}=","duplicate":false,"tree_size":2\}$'
run log add "$U" "$TMP/e1"
expect_rc "add a duplicate" 0
expect_out "a duplicate gets the existing index" '^index 0'
expect_out "a duplicate is reported" 'duplicate yes'
for i in 3 4 5; do run log add "$U" "$TMP/e$i"; expect_rc "add e$i" 0; done
: >"$TMP/empty"
run log add "$U" "$TMP/empty"
expect_rc "add an empty file" 2
head -c 65536 /dev/zero >"$TMP/big"
run log add "$U" "$TMP/big"
expect_rc "add an oversized file" 2
expect_err "says how big an entry may be" '65,535'
run log add "$U" "$TMP/nonexistent"
expect_rc "add a missing file" 3
run log add "http://127.0.0.1:1" "$TMP/e1"
expect_rc "add to an unreachable log" 3

# The server refuses hostile submissions with a reason and does not change.
code=$(curl -s -o "$TMP/body" -w '%{http_code}' --data-binary @"$TMP/big" -H 'Content-Type: application/octet-stream' "$U/add")
expect_true "an oversized body gets 413" '[[ $code == 413 ]]'
expect_true "413 says why" 'grep -q "65535" "$TMP/body"'
code=$(curl -s -o "$TMP/body" -w '%{http_code}' -X POST --data-binary @"$TMP/empty" "$U/add")
expect_true "an empty body gets 400" '[[ $code == 400 ]]'
expect_true "400 says why" 'grep -q "empty entry" "$TMP/body"'
code=$(curl -s -o /dev/null -w '%{http_code}' "$U/add")
expect_true "GET /add gets 405" '[[ $code == 405 ]]'
# A truncated body (Content-Length larger than what is sent, then the client goes away).
exec 3<>"/dev/tcp/127.0.0.1/${U##*:}"
printf 'POST /add HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\ntruncated' >&3
exec 3>&-
sleep 0.3
run log checkpoint "$U" --vkey "$VKEY" --json
expect_true "hostile submissions changed nothing" '[[ $out =~ \"size\":5, ]]'

# ---- checkpoint ----

run log checkpoint "$U" --vkey "$VKEY"
expect_rc "checkpoint" 0
expect_out "checkpoint is a signed note" $'^log\\.example/e2e\n5\n[A-Za-z0-9+/]{43}=\n\n— log\\.example/e2e '
run log checkpoint "$U" --vkey "$OTHER_VKEY"
expect_rc "checkpoint with another key" 1
run log checkpoint "$U" --vkey "garbage"
expect_rc "checkpoint with a malformed vkey" 2
run log checkpoint "$U"
expect_rc "checkpoint without a key" 0
curl -s -D "$TMP/headers" -o /dev/null "$U/checkpoint"
expect_true "checkpoint is briefly cacheable" 'grep -qi "^cache-control: public, max-age=2" "$TMP/headers"'

# ---- tiles ----

code=$(curl -s -D "$TMP/headers" -o "$TMP/tile" -w '%{http_code}' "$U/tile/0/000.p/5")
expect_true "partial tile" '[[ $code == 200 && $(stat -c %s "$TMP/tile") == 160 ]]'
expect_true "partial tile caching" 'grep -qi "^cache-control: public, max-age=10" "$TMP/headers"'
code=$(curl -s -o "$TMP/bundle" -w '%{http_code}' "$U/tile/entries/000.p/5")
expect_true "partial bundle" '[[ $code == 200 ]]'
expect_true "bundle holds the entries" 'grep -q "entry number 3" "$TMP/bundle"'
for path in "tile/0/abc" "tile/0/000.p/999" "tile/00/000" "tile/0/x000/001" "tile/x/000" "tile/0/000.p/" "tile/entries/1234"; do
  code=$(curl -s -o "$TMP/body" -w '%{http_code}' "$U/$path")
  expect_true "garbage tile path $path gets 400" '[[ $code == 400 ]]'
  expect_true "garbage tile path $path says why" 'grep -q "invalid tile path" "$TMP/body"'
done
for path in "tile/0/000" "tile/0/000.p/6" "tile/1/000.p/1" "tile/entries/000.p/6" "tile/0/001.p/1"; do
  code=$(curl -s -o "$TMP/body" -w '%{http_code}' "$U/$path")
  expect_true "unjustified tile $path gets 404" '[[ $code == 404 ]]'
done

# ---- proof and verify-proof ----

run log proof "$U" 3 --vkey "$VKEY"
expect_rc "proof" 0
printf '%s\n' "$out" >"$TMP/r3"
expect_true "the receipt is a tlog-proof" 'head -1 "$TMP/r3" | grep -qx "c2sp.org/tlog-proof@v1"'
run log proof "$U" 3 --out "$TMP/r3b"
expect_rc "proof --out" 0
expect_true "--out holds the receipt" 'cmp -s "$TMP/r3" "$TMP/r3b"'
run log verify-proof "$TMP/r3" --vkey "$VKEY" --entry "$TMP/e4"
expect_rc "verify-proof" 0
expect_out "verify-proof says where" '^OK: the entry is at index 3 of log\.example/e2e \(checkpoint size 5'
run log verify-proof "$TMP/r3" --vkey "$VKEY" --entry "$TMP/e4" --json
expect_out "verify-proof --json" '^\{"verdict":"accepted","origin":"log\.example/e2e","index":3,"tree_size":5,'
run log verify-proof "$TMP/r3" --vkey "$VKEY" --entry "$TMP/e3"
expect_rc "verify-proof with the wrong entry" 1
expect_err "says the proof does not verify" 'inclusion proof'
run log verify-proof "$TMP/r3" --vkey "$VKEY" --entry "$TMP/e3" --json
expect_out "rejection --json" '^\{"verdict":"rejected","error":\{"code":"inclusion_proof_invalid"'
run log verify-proof "$TMP/r3" --vkey "$OTHER_VKEY" --entry "$TMP/e4"
expect_rc "verify-proof with another log's key" 1
# Corrupt receipts: a flipped proof hash, a changed root, truncation, garbage.
sed '3s/^./X/' "$TMP/r3" >"$TMP/corrupt1"
run log verify-proof "$TMP/corrupt1" --vkey "$VKEY" --entry "$TMP/e4"
expect_rc "a receipt with a corrupt proof line" 1
expect_err "corrupt proof line: a clear error" 'receipt rejected: '
awk 'NR==1{print; next} /^5$/ && !done {print; getline; print "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="; done=1; next} {print}' "$TMP/r3" >"$TMP/corrupt2"
run log verify-proof "$TMP/corrupt2" --vkey "$VKEY" --entry "$TMP/e4"
expect_rc "a receipt with a changed root" 1
head -c 60 "$TMP/r3" >"$TMP/corrupt3"
run log verify-proof "$TMP/corrupt3" --vkey "$VKEY" --entry "$TMP/e4"
expect_rc "a truncated receipt" 1
expect_err "truncated receipt: a clear error" 'receipt rejected: '
printf 'hello\n' >"$TMP/corrupt4"
run log verify-proof "$TMP/corrupt4" --vkey "$VKEY" --entry "$TMP/e4"
expect_rc "a garbage receipt" 1
run log verify-proof "$TMP/nonexistent" --vkey "$VKEY" --entry "$TMP/e4"
expect_rc "a missing receipt" 3
run log verify-proof "$TMP/r3" --entry "$TMP/e4"
expect_rc "verify-proof without trust" 2
run log proof "$U" 5
expect_rc "proof beyond the log" 1
expect_err "says there is no such entry" 'not in the published tree'
run log proof "$U" 01
expect_rc "proof with a malformed index" 2
code=$(curl -s -o "$TMP/body" -w '%{http_code}' "$U/proof/abc")
expect_true "GET /proof/abc gets 400" '[[ $code == 400 ]]'

# ---- audit, rollback and split view ----

run log audit "$U" --vkey "$VKEY" --state "$TMP/state"
expect_rc "first audit" 0
expect_out "first audit trusts on first use" 'trusting this checkpoint from now on'
cp "$TMP/state" "$TMP/state.at5"
for i in 6 7 8; do echo "entry number $i" >"$TMP/e$i"; "$VOUCH" log add "$U" "$TMP/e$i" >/dev/null; done
run log audit "$U" --vkey "$VKEY" --state "$TMP/state" --json
expect_rc "second audit" 0
expect_out "second audit proves consistency" '"trusted_size":5,"consistency_proven":true'
run log audit "$U" --vkey "$VKEY" --state "$TMP/state"
expect_rc "audit at the same size" 0
printf 'garbage\n' >"$TMP/state.garbage"
run log audit "$U" --vkey "$VKEY" --state "$TMP/state.garbage"
expect_rc "audit with a garbage state file" 2
expect_err "says the state is unusable" 'does not hold a checkpoint'
run log audit "$U" --vkey "$VKEY"
expect_rc "audit without state" 0
run log audit "$U" --vkey "$OTHER_VKEY"
expect_rc "audit with another log's key" 1
run log audit "$U"
expect_rc "audit without trust" 2

# Graceful stop.
stop_server "$PID_A"
expect_true "SIGTERM stops the server cleanly" '[[ $rc == 0 ]]'
expect_true "it says so" 'grep -q "stopped at 8 entries" "$TMP/A.stderr"'
run log checkpoint "$U"
expect_rc "a stopped log is unreachable" 3

# A restored old backup: the same key, only 3 entries. The auditor refuses the rollback.
start_server B "$TMP/dataB" "$TMP/key" --init || exit 1
for i in 1 2 3; do "$VOUCH" log add "$URL_B" "$TMP/e$i" >/dev/null; done
cp "$TMP/state" "$TMP/state.before"
run log audit "$URL_B" --vkey "$VKEY" --state "$TMP/state"
expect_rc "rollback refused" 1
expect_err "rollback named" 'rollback'
expect_true "a refused audit keeps the state file" 'cmp -s "$TMP/state" "$TMP/state.before"'
# A crafted state file claiming a larger log (a checkpoint from the real log at size 8).
run log audit "$URL_B" --vkey "$VKEY" --state "$TMP/state" --json
expect_out "rollback --json" '^\{"verdict":"rejected","error":\{"code":"checkpoint_rollback"'
# The same size with other entries: a split view.
for i in 1 2; do echo "forked $i" >"$TMP/f$i"; "$VOUCH" log add "$URL_B" "$TMP/f$i" >/dev/null; done
run log audit "$URL_B" --vkey "$VKEY" --state "$TMP/state.at5"
expect_rc "split view refused" 1
expect_err "split view named" 'split view'
# Larger and forked: the consistency proof fails.
echo "forked 3" >"$TMP/f3"
"$VOUCH" log add "$URL_B" "$TMP/f3" >/dev/null
run log audit "$URL_B" --vkey "$VKEY" --state "$TMP/state.at5"
expect_rc "inconsistent log refused" 1
expect_err "inconsistency named" 'not consistent'
kill -INT "$PID_B"
wait "$PID_B"
rc=$?
expect_true "SIGINT stops the server cleanly" '[[ $rc == 0 ]]'

# A data directory holds one log: another key is refused.
run serve log --data "$TMP/data" --key "$TMP/impostor.key" --listen 127.0.0.1:0
expect_rc "serve with another key on a used data directory" 2

# Restart: the log continues with its entries.
start_server C "$TMP/data" "$TMP/key" || exit 1
run log add "$URL_C" "$TMP/e8"
expect_out "after a restart a duplicate keeps its index" '^index 7'
run log audit "$URL_C" --vkey "$VKEY" --state "$TMP/state"
expect_rc "audit after restart" 0
stop_server "$PID_C"

# ---- a log's state: created explicitly, never silently replaced (docs/log.md, "Recovery") ----

run serve log --data "$TMP/fresh" --key "$TMP/key" --listen 127.0.0.1:0
expect_rc "a new --data without --init" 3
expect_err "it asks for --init" 'state_missing|--init'
expect_true "it creates no database" '[ ! -e "$TMP/fresh/log.db" ]'
run serve log --data "$TMP/data" --key "$TMP/key" --listen 127.0.0.1:0 --init
expect_rc "--init on an existing state" 2
expect_err "it says to start without --init" 'without --init'
cp -a "$TMP/data" "$TMP/wiped"
: >"$TMP/wiped/log.db"
rm -f "$TMP/wiped/log.db-wal" "$TMP/wiped/log.db-shm"
run serve log --data "$TMP/wiped" --key "$TMP/key" --listen 127.0.0.1:0
expect_rc "a wiped log.db is refused" 3
expect_err "it says what is wrong and how to recover" 'missing or empty.*Recovery'
run serve log --data "$TMP/wiped" --key "$TMP/key" --listen 127.0.0.1:0 --init
expect_rc "--init does not replace a lost state" 2
cp -a "$TMP/data" "$TMP/deleted"
rm -f "$TMP/deleted/log.db" "$TMP/deleted/log.db-wal" "$TMP/deleted/log.db-shm"
run serve log --data "$TMP/deleted" --key "$TMP/key" --listen 127.0.0.1:0
expect_rc "a deleted log.db is refused" 3
expect_err "it says what is wrong" 'missing or empty'
cp -a "$TMP/data" "$TMP/swapped"
cp "$TMP/dataB/log.db" "$TMP/swapped/log.db"
rm -f "$TMP/swapped/log.db-wal" "$TMP/swapped/log.db-shm"
cp "$TMP/dataB/log.db-wal" "$TMP/swapped/log.db-wal" 2>/dev/null || true
run serve log --data "$TMP/swapped" --key "$TMP/key" --listen 127.0.0.1:0
expect_rc "another log's database is refused" 3
expect_err "it says the database is another one" 'another|belongs'
cp -a "$TMP/data" "$TMP/noanchor"
rm -f "$TMP/noanchor/log.anchor"
run serve log --data "$TMP/noanchor" --key "$TMP/key" --listen 127.0.0.1:0
expect_rc "a database without its anchor is refused" 3
expect_err "it says the anchor is missing" 'anchor'
# A database restored from before the newest signed checkpoint: refused, naming both sizes.
cp -a "$TMP/data" "$TMP/rollback"
start_server R "$TMP/rollback" "$TMP/key" || exit 1
printf 'an entry after the backup' >"$TMP/late"
run log add "$URL_R" "$TMP/late"
expect_rc "add to the copy" 0
stop_server "$PID_R"
rm -f "$TMP/rollback/log.db-wal" "$TMP/rollback/log.db-shm"
cp "$TMP/data/log.db" "$TMP/rollback/log.db"
run serve log --data "$TMP/rollback" --key "$TMP/key" --listen 127.0.0.1:0
expect_rc "a rolled-back database is refused" 3
expect_err "it names both sizes" 'behind'

# ---- the Tessera test log, byte for byte, through the server ----

T=tests/data/tlog/tessera-testdata-log
printf '%s\n' 'PRIVATE+KEY+example.com/log/testdata+33d7b496+AeymY/SZAX0jZcJ8enZ5FY1Dz+wTML2yWSkK+9DSF3eg' >"$TMP/tessera.key"
chmod 600 "$TMP/tessera.key"
start_server T "$TMP/dataT" "$TMP/tessera.key" --init || exit 1
curl -s "$URL_T/checkpoint" >"$TMP/cp0"
expect_true "empty Tessera checkpoint is byte-identical" 'cmp -s "$TMP/cp0" "$T/log/checkpoint.0"'
n=0
for e in one two three four five six seven eit nain ten ileven twelf threeten fourten fivten; do
  printf '%s' "$e" >"$TMP/tessera.entry"
  "$VOUCH" log add "$URL_T" "$TMP/tessera.entry" >/dev/null
  n=$((n + 1))
  curl -s "$URL_T/checkpoint" >"$TMP/cp"
  expect_true "Tessera checkpoint $n is byte-identical" 'cmp -s "$TMP/cp" "$T/log/checkpoint.$n"'
  curl -s "$URL_T/tile/0/000.p/$n" >"$TMP/tile"
  expect_true "Tessera tile 0/000.p/$n is byte-identical" 'cmp -s "$TMP/tile" "$T/log/tile/0/000.p/$n"'
  curl -s "$URL_T/tile/entries/000.p/$n" >"$TMP/bundle"
  expect_true "Tessera bundle 000.p/$n is byte-identical" 'cmp -s "$TMP/bundle" "$T/log/tile/entries/000.p/$n"'
done
run log audit "$URL_T" --vkey 'example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx'
expect_rc "audit of the Tessera log with its published vkey" 0
stop_server "$PID_T"

echo "$((pass + fail)) checks, $fail failures"
[[ $fail == 0 ]]
