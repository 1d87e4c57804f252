#!/usr/bin/env bash
# End-to-end test of a log that publishes only witness-cosigned checkpoints: three real
# `vouch serve witness` processes and one `vouch serve log --policy … --witness …` on loopback,
# with the `vouch log` clients demanding the same 2-of-3 quorum. Witnesses are killed and
# restarted to show that publication waits for the quorum while sequencing does not. Run by
# ctest with VOUCH=<binary>; stops by itself (every wait is bounded).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
declare -A pids=()

# The size line of the log's current checkpoint (empty when it serves none).
checkpoint_size() { curl -s -f "$LOG/checkpoint" | sed -n 2p; }
# Waits (at most $2 s) until the published checkpoint has size $1.
wait_size() {
  for _ in $(seq $(($2 * 20))); do [ "$(checkpoint_size)" = "$1" ] && return 0; sleep 0.05; done
  return 1
}

"$VOUCH" log keygen --origin example.com/witnessed --out "$TMP/log.key" > "$TMP/log.vkey" 2>/dev/null
LOG_VKEY=$(cat "$TMP/log.vkey")
start_witness() {  # start_witness N
  rm -f "$TMP/w$1.port"
  local init=(); [ -e "$TMP/w$1" ] || init=(--init)  # the first start creates the state
  "$VOUCH" serve witness --data "$TMP/w$1" --key "$TMP/w$1.key" --log "example.com/witnessed=$LOG_VKEY" "${init[@]}" \
    --listen "127.0.0.1:${wport[$1]:-0}" --port-file "$TMP/w$1.port" > /dev/null 2>&1 &
  pids[w$1]=$!
  wport[$1]=$(wait_port "$TMP/w$1.port" "${pids[w$1]}")
}
declare -A wport=() wvkey=()
for n in 1 2 3; do
  wvkey[$n]=$("$VOUCH" witness keygen --name "w$n.example" --out "$TMP/w$n.key")
  start_witness $n
done

# 2 of 3; w3's URL comes from the policy, w1's and w2's from --witness.
cat > "$TMP/policy" <<EOF
log $LOG_VKEY
witness w1 ${wvkey[1]}
witness w2 ${wvkey[2]}
witness w3 ${wvkey[3]} http://127.0.0.1:${wport[3]}
group two-of-three 2 w1 w2 w3
quorum two-of-three
EOF
start_log() {
  rm -f "$TMP/log.port"
  local init=(); [ -e "$TMP/log" ] || init=(--init)  # the first start creates the state
  "$VOUCH" serve log --data "$TMP/log" --key "$TMP/log.key" --listen 127.0.0.1:0 "${init[@]}" \
    --port-file "$TMP/log.port" --policy "$TMP/policy" --witness-timeout 1 \
    --witness "http://127.0.0.1:${wport[1]}=${wvkey[1]}" \
    --witness "http://127.0.0.1:${wport[2]}=${wvkey[2]}" > /dev/null 2>> "$TMP/log.err" &
  pids[log]=$!
  LOG="http://127.0.0.1:$(wait_port "$TMP/log.port" "${pids[log]}")"
}
start_log

# An entry, its receipt and the checkpoint, all under the quorum.
echo "first entry" > "$TMP/e1"
"$VOUCH" log add "$LOG" "$TMP/e1" > /dev/null && ok || bad "log add"
"$VOUCH" log proof "$LOG" 0 > "$TMP/r1" && ok || bad "log proof (waits for the quorum)"
"$VOUCH" log verify-proof "$TMP/r1" --policy "$TMP/policy" --entry "$TMP/e1" > /dev/null \
  && ok || bad "verify-proof under the 2-of-3 policy"
"$VOUCH" log checkpoint "$LOG" --policy "$TMP/policy" > /dev/null && ok || bad "checkpoint under the policy"
n=$(curl -s "$LOG/checkpoint" | grep -c '^— w[123]\.example ')
[ "$n" -ge 2 ] && ok || bad "cosignature lines on the published checkpoint: $n"
[ "$(checkpoint_size)" = 1 ] && ok || bad "published size $(checkpoint_size)"

# One witness down: 2 of 3 still publish.
kill -9 "${pids[w1]}"; wait "${pids[w1]}" 2>/dev/null
echo "second entry" > "$TMP/e2"
"$VOUCH" log add "$LOG" "$TMP/e2" > /dev/null && ok || bad "add with w1 down"
wait_size 2 10 && ok || bad "published size 2 with w1 down: $(checkpoint_size)"

# Two down: entries are still sequenced, but no checkpoint is published beyond size 2.
kill -9 "${pids[w2]}"; wait "${pids[w2]}" 2>/dev/null
echo "third entry" > "$TMP/e3"
out=$("$VOUCH" log add "$LOG" "$TMP/e3" --json) && ok || bad "add with two witnesses down"
grep -q '"index":2' <<<"$out" && ok || bad "third entry index: $out"
sleep 2.5
[ "$(checkpoint_size)" = 2 ] && ok || bad "nothing published without quorum: $(checkpoint_size)"
"$VOUCH" log proof "$LOG" 2 --timeout 1 > /dev/null 2>&1; [ $? -ne 0 ] && ok || bad "no receipt without quorum"
# Not a silent wait and "log_unreachable": the checkpoint lacks its quorum, and the missing
# witnesses are named (w3 has a URL in the policy and has cosigned; w1 and w2 have none).
"$VOUCH" log proof "$LOG" 2 --timeout 3 --policy "$TMP/policy" --json > "$TMP/q.out" 2> "$TMP/q.err"
rc=$?
[ $rc -eq 3 ] && ok || bad "quorum missing: exit $rc"
grep -q '"code":"witness_quorum_missing"' "$TMP/q.out" && ok || bad "quorum missing code: $(cat "$TMP/q.out")"
grep -q 'missing cosignatures from: w1, w2' "$TMP/q.out" && ok || bad "missing witnesses named: $(cat "$TMP/q.out")"
grep -q 'w1: no URL in the policy' "$TMP/q.out" && ok || bad "witnesses without URL: $(cat "$TMP/q.out")"
grep -q 'waiting up to' "$TMP/q.err" && ok || bad "the wait is shown: $(cat "$TMP/q.err")"
grep -q "not published" "$TMP/log.err" && ok || bad "the log says why: $(tail -3 "$TMP/log.err")"

# w1 back (same state, same port): the quorum returns and size 3 is published.
start_witness 1
wait_size 3 15 && ok || bad "published size 3 once w1 is back: $(checkpoint_size)"
"$VOUCH" log proof "$LOG" 2 > "$TMP/r3" && "$VOUCH" log verify-proof "$TMP/r3" --policy "$TMP/policy" \
  --entry "$TMP/e3" > /dev/null && ok || bad "receipt for the third entry"

# A restart serves the kept cosigned checkpoint at once, even with every witness down.
before=$(curl -s "$LOG/checkpoint")
kill "${pids[log]}"; wait "${pids[log]}" 2>/dev/null
for n in 1 3; do kill -9 "${pids[w$n]}"; wait "${pids[w$n]}" 2>/dev/null; done
start_log
[ "$(curl -s "$LOG/checkpoint")" = "$before" ] && ok || bad "kept checkpoint after restart"
kill "${pids[log]}"; wait "${pids[log]}" 2>/dev/null; unset 'pids[log]'

# Bad configurations are refused before anything starts (exit 2).
nserve=0  # each attempt gets a new --data, so that no attempt sees another's state
serve() {
  nserve=$((nserve + 1))
  "$VOUCH" serve log --data "$TMP/other$nserve" --key "$TMP/log.key" --init --listen 127.0.0.1:0 "$@" > /dev/null 2>&1
}
serve --witness "http://127.0.0.1:1=${wvkey[1]}"; [ $? -eq 2 ] && ok || bad "--witness without --policy"
stranger=$("$VOUCH" witness keygen --name stranger.example --out "$TMP/s.key")
serve --policy "$TMP/policy" --witness "http://127.0.0.1:1=$stranger"; [ $? -eq 2 ] && ok || bad "unknown witness key"
grep -v '^witness w3' "$TMP/policy" | sed 's/ w3$//' > "$TMP/p2"
serve --policy "$TMP/p2" --witness "http://127.0.0.1:1=${wvkey[1]}"; [ $? -eq 2 ] && ok || bad "quorum out of reach"
"$VOUCH" log keygen --origin example.com/other --out "$TMP/o.key" > "$TMP/o.vkey" 2>/dev/null
sed "s|^log .*|log $(cat "$TMP/o.vkey")|" "$TMP/policy" > "$TMP/p3"
serve --policy "$TMP/p3" --witness "http://127.0.0.1:1=${wvkey[1]}"; [ $? -eq 2 ] && ok || bad "policy without this log"
serve --policy /nonexistent; [ $? -eq 3 ] && ok || bad "missing policy file"
echo "garbage" > "$TMP/p4"
serve --policy "$TMP/p4"; [ $? -eq 2 ] && ok || bad "malformed policy"

finish
