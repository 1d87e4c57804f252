#!/usr/bin/env bash
# Measures `vouch audit LOG_URL` (docs/governance.md §7): loads the history of
# audit_replay_bench (N entries, 2.5 signatures each) into a real `vouch serve log` with two
# `vouch serve witness` on loopback, then times the online audit (checkpoint, witness quorum,
# every tile and entry bundle over HTTP, replay, issue-time bound) next to `vouch audit replay`
# of the same entries from a file.
#
#   bench/online_audit_bench.sh BUILD_DIR [N]      (default N = 2000; loading takes ~40 ms/entry)
set -uo pipefail
BUILD=${1:?usage: online_audit_bench.sh BUILD_DIR [N]}
N=${2:-2000}
VOUCH=$BUILD/src/cli/vouch
TMP=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1
"$BUILD/bench/audit_replay_bench" --entries "$N" --write-history history.jsonl || exit 1
ORIGIN=log.example/vouch   # the history's ledger
"$VOUCH" log keygen --origin $ORIGIN --out log.key >log.vkey 2>/dev/null || exit 1
for n in 1 2; do
  "$VOUCH" witness keygen --name "w$n.example" --out "w$n.key" >"w$n.vkey" || exit 1
  "$VOUCH" serve witness --data "w$n" --key "w$n.key" --init --log "$ORIGIN=$(cat log.vkey)" \
    --listen 127.0.0.1:0 --port-file "w$n.port" >/dev/null 2>&1 &
done
for _ in $(seq 100); do [ -s w1.port ] && [ -s w2.port ] && break; sleep 0.1; done
printf 'log %s\nwitness w1 %s\nwitness w2 %s\ngroup both 2 w1 w2\nquorum both\n' \
  "$(cat log.vkey)" "$(cat w1.vkey)" "$(cat w2.vkey)" >policy
"$VOUCH" serve log --data log --key log.key --init --listen 127.0.0.1:0 --port-file log.port \
  --policy policy --witness "http://127.0.0.1:$(cat w1.port)=$(cat w1.vkey)" \
  --witness "http://127.0.0.1:$(cat w2.port)=$(cat w2.vkey)" >/dev/null 2>&1 &
for _ in $(seq 100); do [ -s log.port ] && break; sleep 0.1; done
LOG=http://127.0.0.1:$(cat log.port)
mkdir entries && split -l 1 -a 6 -d history.jsonl entries/e || exit 1
start=$(date +%s.%N)
# In log order: one client at a time (parallel adds could be sequenced in another order); each
# entry without the line's newline (the entry is the canonical envelope, nothing more).
for f in entries/e*; do
  head -c -1 "$f" | "$VOUCH" log add "$LOG" - >/dev/null || { echo "add $f failed"; exit 1; }
done
echo "loaded $N entries in $(echo "$(date +%s.%N) - $start" | bc) s"
"$VOUCH" log proof "$LOG" $((N - 1)) --timeout 60 >/dev/null || exit 1   # the quorum covers all
t() {  # LABEL CMD...: prints the wall time and the peak RSS
  /usr/bin/time -f "%e s, %M KB max RSS" -o time.txt "${@:2}" >out.txt 2>err.txt
  echo "$1: exit $?, $(cat time.txt), $(grep -o '"summary":{[^}]*}' out.txt | head -1)"
}
t "online  vouch audit LOG_URL" "$VOUCH" audit "$LOG" --policy policy --max-issue-lag P3650D --json
t "offline vouch audit replay " "$VOUCH" audit replay history.jsonl --json
