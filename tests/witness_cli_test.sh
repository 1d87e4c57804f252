#!/usr/bin/env bash
# End-to-end test of `vouch witness keygen` and `vouch serve witness`, talking HTTP with curl as
# docs/witness.md shows. Run by ctest with VOUCH=<binary>, from the repository root.
set -uo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
D=tests/data/witness

# keygen: 0600 key, type-0x04 verifier key on stdout, refuses to overwrite.
vkey=$("$VOUCH" witness keygen --name witness.example/e2e --out "$TMP/k") && ok || bad keygen
[[ "$vkey" =~ ^witness\.example/e2e\+[0-9a-f]{8}\+B[A-P] ]] && ok || bad "keygen vkey: $vkey"
[ "$(stat -c %a "$TMP/k")" = 600 ] && ok || bad "key mode $(stat -c %a "$TMP/k")"
"$VOUCH" witness keygen --name witness.example/e2e --out "$TMP/k" 2>/dev/null; [ $? -eq 2 ] && ok || bad "overwrite"
"$VOUCH" witness keygen --name "bad+name" --out "$TMP/k2" 2>/dev/null; [ $? -eq 2 ] && ok || bad "bad name"

# serve with the derived test key and the Tessera test log.
cp $D/test-w1.key "$TMP/w.key"; chmod 600 "$TMP/w.key"
"$VOUCH" serve witness --data "$TMP/state" --key "$TMP/w.key" --init \
  --log "example.com/log/testdata=$(cat $D/log.vkey)" --listen 127.0.0.1:0 --port-file "$TMP/port" \
  > "$TMP/out" &
pid=$!
URL="http://127.0.0.1:$(wait_port "$TMP/port" "$pid")"
grep -q "listening on 127.0.0.1:" "$TMP/out" && ok || bad "listening line"

# The request of docs/witness.md.
code=$(curl -s -o "$TMP/b1" -w '%{http_code}' --data-binary @$D/add-checkpoint-step1.txt "$URL/add-checkpoint")
[ "$code" = 200 ] && ok || bad "add-checkpoint status $code"
grep -q "^— witness.example/test-w1 " "$TMP/b1" && ok || bad "cosignature line: $(cat "$TMP/b1")"
# Replaying it with old 0: the witness now holds size 5 and says so.
code=$(curl -s -D "$TMP/h2" -o "$TMP/b2" -w '%{http_code}' --data-binary @$D/add-checkpoint-step1.txt "$URL/add-checkpoint")
[ "$code" = 409 ] && ok || bad "replay status $code"
[ "$(cat "$TMP/b2")" = 5 ] && ok || bad "409 body $(cat "$TMP/b2")"
grep -qi "^content-type: text/x.tlog.size" "$TMP/h2" && ok || bad "409 content type"
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary 'not a request' "$URL/add-checkpoint")
[ "$code" = 400 ] && ok || bad "malformed status $code"
head -c 70000 /dev/zero | tr '\0' 'a' > "$TMP/big"
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$TMP/big" "$URL/add-checkpoint")
[ "$code" = 413 ] && ok || bad "oversized status $code"
hash=$(printf '%s' example.com/log/testdata | sha256sum | cut -d' ' -f1)
code=$(curl -s -o "$TMP/cp" -w '%{http_code}' "$URL/$hash/checkpoint")
[ "$code" = 200 ] && grep -q "^5$" "$TMP/cp" && grep -q "^— witness.example/test-w1 " "$TMP/cp" && ok || bad "monitoring GET $code"

# State survives a restart (SIGTERM, start again: the replay is still a 409).
kill $pid; wait $pid 2>/dev/null
rm -f "$TMP/port"
"$VOUCH" serve witness --data "$TMP/state" --key "$TMP/w.key" \
  --log "example.com/log/testdata=$(cat $D/log.vkey)" --listen 127.0.0.1:0 --port-file "$TMP/port" > /dev/null &
pid=$!
URL="http://127.0.0.1:$(wait_port "$TMP/port" "$pid")"
code=$(curl -s -o "$TMP/b3" -w '%{http_code}' --data-binary @$D/add-checkpoint-step1.txt "$URL/add-checkpoint")
[ "$code" = 409 ] && [ "$(cat "$TMP/b3")" = 5 ] && ok || bad "after restart $code $(cat "$TMP/b3")"

"$VOUCH" serve witness --data "$TMP/s2" --key /nonexistent --log "a=b" 2>/dev/null; [ $? -eq 3 ] && ok || bad "missing key exit"
"$VOUCH" serve witness --data "$TMP/s2" --key "$TMP/w.key" --log "nonsense" 2>/dev/null; [ $? -eq 2 ] && ok || bad "bad --log exit"
LOG_ARG="example.com/log/testdata=$(cat $D/log.vkey)"
# A witness's state is created explicitly and never silently replaced (docs/witness.md).
check witness_state_missing 3 '--init' -- "$VOUCH" serve witness --data "$TMP/s7" \
  --key "$TMP/w.key" --log "$LOG_ARG" --listen 127.0.0.1:0
cp -a "$TMP/state" "$TMP/s8"; : > "$TMP/s8/witness.db"; rm -f "$TMP/s8/witness.db-wal" "$TMP/s8/witness.db-shm"
check witness_state_wiped 3 'missing or empty|Recovery|recover' -- "$VOUCH" serve witness --data "$TMP/s8" \
  --key "$TMP/w.key" --log "$LOG_ARG" --listen 127.0.0.1:0
check witness_init_over_state 2 'without --init' -- "$VOUCH" serve witness --data "$TMP/s8" \
  --key "$TMP/w.key" --log "$LOG_ARG" --listen 127.0.0.1:0 --init
# The running witness holds $TMP/state: a second one is refused before it listens.
check data_dir_in_use 3 'data_dir_in_use|in use' -- "$VOUCH" serve witness --data "$TMP/state" \
  --key "$TMP/w.key" --log "$LOG_ARG" --listen 127.0.0.1:0
# The listen address is checked before any state exists: out of range is a usage error (2), a port
# in use an I/O error (3); neither creates --data.
check listen_out_of_range 2 'cannot listen' -- "$VOUCH" serve witness --data "$TMP/s5" \
  --key "$TMP/w.key" --log "$LOG_ARG" --listen 127.0.0.1:70000
check listen_in_use 3 'cannot listen' -- "$VOUCH" serve witness --data "$TMP/s5" \
  --key "$TMP/w.key" --log "$LOG_ARG" --listen "${URL#http://}"
[ ! -e "$TMP/s5" ] && ok || bad "a refused --listen created --data"
# The port file is written before "listening": one that cannot be written says nothing of it.
"$VOUCH" serve witness --data "$TMP/s6" --key "$TMP/w.key" --log "$LOG_ARG" --listen 127.0.0.1:0 \
  --init --port-file "$TMP/nodir/p" > "$TMP/out6" 2>/dev/null
[ $? -eq 3 ] && ! grep -q listening "$TMP/out6" && ok || bad "unwritable --port-file"
# A --data that cannot be created is an error.
check data_dir_mkdir 3 'cannot create' -- "$VOUCH" serve witness --data "$TMP/w.key/sub" \
  --key "$TMP/w.key" --log "$LOG_ARG" --listen 127.0.0.1:0
# --log takes the log's note key named by the origin: not a witness key, not another name.
check log_is_witness_key 2 'cosignature key' -- "$VOUCH" serve witness --data "$TMP/s4" \
  --key "$TMP/w.key" --log "witness.example/e2e=$vkey" --listen 127.0.0.1:0
check log_origin_mismatch 2 'the key is named example.com/log/testdata' -- \
  "$VOUCH" serve witness --data "$TMP/s4" --key "$TMP/w.key" \
  --log "other.example/log=$(cat $D/log.vkey)" --listen 127.0.0.1:0
[ ! -e "$TMP/s4" ] && ok || bad "a refused configuration created --data"
# One rule for every private key: a key file others may read is refused, with the fix.
chmod 644 "$TMP/w.key"
check witness_key_0644 2 "chmod 600 $TMP/w.key" -- "$VOUCH" serve witness --data "$TMP/s4" \
  --key "$TMP/w.key" --log "$LOG_ARG" --listen 127.0.0.1:0
chmod 600 "$TMP/w.key"

# Idle connections cannot lock clients out (issue 12): with 4 slots, 12 sockets that send
# nothing make way, oldest first, and a client is still answered; the per-address limit holds the
# same way. Flag values out of range are refused.
kill $pid; wait $pid 2>/dev/null
"$VOUCH" serve witness --data "$TMP/state" --key "$TMP/w.key" --log "$LOG_ARG" \
  --listen 127.0.0.1:0 --port-file "$TMP/port9" --max-connections 4 \
  --max-connections-per-address 2 > /dev/null &
pid=$!
port=$(wait_port "$TMP/port9" "$pid")
fds=()
for _ in $(seq 12); do exec {fd}<>"/dev/tcp/127.0.0.1/$port" && fds+=("$fd"); done
[ ${#fds[@]} -eq 12 ] && ok || bad "idle sockets: ${#fds[@]} of 12 connected"
for _ in 1 2 3; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/$hash/checkpoint")
  [ "$code" = 200 ] && ok || bad "a client behind 12 idle sockets got $code"
done
for fd in "${fds[@]}"; do exec {fd}<&-; done
check max_connections_range 2 'max-connections' -- "$VOUCH" serve witness --data "$TMP/s4" \
  --key "$TMP/w.key" --log "$LOG_ARG" --listen 127.0.0.1:0 --max-connections 0

# Clients demand the policy's quorum: a log checkpoint without the witness's cosignature is
# refused, naming who is missing; with "quorum none" the same checkpoint is accepted.
kill $pid; wait $pid 2>/dev/null
"$VOUCH" log keygen --origin example.com/e2e-policy --out "$TMP/log.key" > "$TMP/log.vkey" 2>/dev/null
"$VOUCH" serve log --data "$TMP/log" --key "$TMP/log.key" --init --listen 127.0.0.1:0 --port-file "$TMP/lport" > /dev/null 2>&1 &
pid=$!
LOG="http://127.0.0.1:$(wait_port "$TMP/lport" "$pid")"
echo entry > "$TMP/entry"
"$VOUCH" log add "$LOG" "$TMP/entry" > /dev/null && ok || bad "log add"
printf 'log %s\nwitness w %s\nquorum w\n' "$(cat "$TMP/log.vkey")" "$vkey" > "$TMP/policy"
out=$("$VOUCH" log checkpoint "$LOG" --policy "$TMP/policy" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q 'missing cosignatures from: w' <<<"$out" && ok || bad "quorum not met: $rc $out"
printf 'log %s\nquorum none\n' "$(cat "$TMP/log.vkey")" > "$TMP/p0"
"$VOUCH" log checkpoint "$LOG" --policy "$TMP/p0" > /dev/null 2>&1 && ok || bad "quorum none"

finish
