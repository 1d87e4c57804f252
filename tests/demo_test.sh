#!/usr/bin/env bash
# End-to-end test of `vouch demo` (docs/demo.md): the whole story as one command. Run once in
# --dir with --json and --verbose: the report, every command shown, the ledger it leaves replayed
# offline by `audit replay`, the secret nowhere but in the owner's input and the enclave's
# unsealed copy, and every service it started stopped at the end. Run once more with --keep in a
# temporary directory: the services answer until SIGINT, then stop. Run by ctest with
# VOUCH=<binary>, from the repository root; every wait is bounded and the EXIT trap stops what
# is left.
set -uo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export VOUCH_LOG_URL='' VOUCH_POLICY='' VOUCH_ROOT_SET_PIN='' VOUCH_SIM_DIR=''

check help_example 0 'vouch demo --keep' -- "$VOUCH" demo --help
mkdir -p "$TMP/full" && touch "$TMP/full/x"
check dir_not_empty 2 '"code":"file_exists"' -- "$VOUCH" demo --dir "$TMP/full" --json
check no_tmpdir 3 '"code":"io_error"' -- env TMPDIR="$TMP/none" "$VOUCH" demo --json

# ---- the whole story in --dir, --json on stdout, every command on stderr ----
D=$TMP/d
"$VOUCH" demo --dir "$D" --json --verbose >"$TMP/report.json" 2>"$TMP/verbose.txt"
rc=$?
[ "$rc" -eq 0 ] && grep -q '^{"verdict":"ok"' "$TMP/report.json" && ok ||
  bad "demo: exit $rc: $(head -c 1500 "$TMP/report.json") $(tail -5 "$TMP/verbose.txt")"
grep -q '"ledger":{"entries":15,"valid":15,' "$TMP/report.json" && grep -q '"releases":1,"art30_records":1' "$TMP/report.json" &&
  ok || bad "the report's ledger: $(grep -o '"ledger":{[^}]*}' "$TMP/report.json")"
[ "$(grep -o '"ok":true' "$TMP/report.json" | wc -l)" = 12 ] && ! grep -q '"ok":false' "$TMP/report.json" && ok ||
  bad "not 12 steps ok"
for c in 'serve witness' 'serve log' 'build attest' 'ledger submit' '-- serve root' 'govern root-set' \
  'ledger countersign' '-- serve broker' 'provision envelope' '-- provision fetch' '-- provision unseal' \
  'govern revoke' 'audit export'; do
  grep -qF -- "$ vouch " "$TMP/verbose.txt" && grep -q -- "^  \$ vouch .*$c" "$TMP/verbose.txt" || bad "--verbose does not show '$c'"
done
ok
# The ledger it leaves verifies offline, from root set 1's pin.
PIN=$(grep -o '"root_set_pin":"[0-9a-f]*"' "$TMP/report.json" | cut -d'"' -f4)
check replay 0 'demo.vouch.example/ledger, 15 entries, 15 valid' -- \
  "$VOUCH" audit replay "$D/ledger.jsonl" --root-set-pin "$PIN" --origin demo.vouch.example/ledger
# The application got the owner's secret; the host holds it only in the owner's input and in the
# copy the enclave unsealed on request (the logs, stores, envelope and sealed blob do not).
[ -s "$D/secret.txt" ] && cmp -s "$D/secret.txt" "$D/app.secret" && ok || bad "app.secret is not the owner's secret"
hits=$(grep -rlF "$(cat "$D/secret.txt")" "$D" --exclude=secret.txt --exclude=app.secret)
[ -z "$hits" ] && ok || bad "the secret is on the host in: $hits"
grep -q '"code":"identity_revoked"' "$D"/logs/*-fetch-revoked.out && [ ! -e "$D/app2.sealed" ] && ok ||
  bad "the fetch after the revocation"
# Everything it started is stopped.
for p in "$D"/*.port; do
  curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$(cat "$p")/" && bad "$(basename "$p" .port) still answers"
done
ok

# ---- --keep in a temporary directory: the services answer until SIGINT ----
mkdir -p "$TMP/t"
TMPDIR="$TMP/t" "$VOUCH" demo --keep >"$TMP/keep.txt" 2>&1 &
kpid=$!
wait_line "$TMP/keep.txt" 'Ctrl-C stops them' $kpid
LOG=$(grep -o '^  log  http://127.0.0.1:[0-9]*' "$TMP/keep.txt" | awk '{print $2}')
grep -q '^\[12/12\] the full audit and the Art. 30 export ok' "$TMP/keep.txt" &&
  grep -q 'The whole story ran in .*: 15 ledger entries' "$TMP/keep.txt" && [ -n "$LOG" ] &&
  curl -sf "$LOG/checkpoint" | grep -q '^demo.vouch.example/ledger$' && ok ||
  bad "--keep: $(cat "$TMP/keep.txt")"
kill -INT $kpid
wait_exit $kpid 30
[ "$rc" -eq 0 ] && ! curl -s -o /dev/null --max-time 2 "$LOG/checkpoint" && grep -q '^Files kept in ' "$TMP/keep.txt" && ok ||
  bad "--keep after SIGINT: rc $rc, $(tail -3 "$TMP/keep.txt")"

finish
