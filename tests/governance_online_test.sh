#!/usr/bin/env bash
# End-to-end test of the online governance audit (docs/governance.md §6): two real `vouch serve
# witness` processes and a `vouch serve log` that publishes only checkpoints cosigned by both, on
# loopback ports chosen by the kernel. Statements (provenance by two builders, root set 1, an
# admission) go in with `vouch ledger submit`; `vouch audit LOG_URL` fetches the log through its
# public API, verifies the checkpoint against the witness policy, recomputes the tree and replays
# every entry (text and --json, --state). Then an under-signed revocation (invalid: reported,
# fatal only with --strict) and an admission backdated by two hours (alarm statement_backdated
# with the state of the earlier audit; only issue_time_unverified without it) are submitted, and
# the usage and I/O failures are checked for their codes. Run by ctest with VOUCH=<binary>, from
# the repository root; every wait is bounded and the EXIT trap stops the servers.
set -uo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export VOUCH_SIM_DIR="$TMP/sim" VOUCH_LOG_URL='' VOUCH_POLICY='' VOUCH_ROOT_SET_PIN=''
cd "$TMP" || exit 1
ORIGIN=example.com/ledger
C1=1111111111111111111111111111111111111111
C2=2222222222222222222222222222222222222222
ago() { date -u -d "-$1" +%Y-%m-%dT%H:%M:%SZ; }

# ---- a log that publishes at a 2-of-2 witness quorum ----
"$VOUCH" log keygen --origin $ORIGIN --out log.key >log.vkey 2>/dev/null || exit 1
LOG_VKEY=$(cat log.vkey)
declare -A wport=() wvkey=()
for n in 1 2; do
  wvkey[$n]=$("$VOUCH" witness keygen --name "w$n.example" --out "w$n.key") || exit 1
  "$VOUCH" serve witness --data "w$n" --key "w$n.key" --init --log "$ORIGIN=$LOG_VKEY" \
    --listen 127.0.0.1:0 --port-file "w$n.port" >/dev/null 2>&1 &
  wport[$n]=$(wait_port "w$n.port" $!)
  [ -n "${wport[$n]}" ] || { echo "witness $n did not start"; exit 1; }
done
cat >policy <<EOF
log $LOG_VKEY
witness w1 ${wvkey[1]}
witness w2 ${wvkey[2]}
group both 2 w1 w2
quorum both
EOF
"$VOUCH" serve log --data log --key log.key --init --listen 127.0.0.1:0 --port-file log.port \
  --policy policy --witness-timeout 2 \
  --witness "http://127.0.0.1:${wport[1]}=${wvkey[1]}" \
  --witness "http://127.0.0.1:${wport[2]}=${wvkey[2]}" >/dev/null 2>log.err &
LOG_PORT=$(wait_port log.port $!)
[ -n "$LOG_PORT" ] || { echo "the log did not start: $(cat log.err)"; exit 1; }
LOG="http://127.0.0.1:$LOG_PORT"

# ---- statements: as in governance_cli_test.sh, issued now (the root set three hours ago) ----
"$VOUCH" sim init >/dev/null || exit 1
"$VOUCH" enclave keygen --out signer.pem >/dev/null || exit 1
script_bundle vouch-root || exit 1
script_bundle hello || exit 1
ed25519_keys ba bb ra rb || exit 1
toolchain_manifest
attest() {  # BUNDLE COMMIT BUILDER KEY OUT
  "$VOUCH" build attest "$1" --source "https://git.example/vouch.git@$2" --toolchain tc.json \
    --builder-id "$3" --key "$4" --out "$5" --finished-on "$(ago '2 minutes')" >/dev/null || bad "attest $5"
}
attest vouch-root $C1 https://builder-a.example/ci ba.pem p0.entry
attest vouch-root $C1 https://builder-b.example/ci bb.pem p1.entry
attest hello $C2 https://builder-a.example/ci ba.pem p2.entry
attest hello $C2 https://builder-b.example/ci bb.pem p3.entry
M=$("$VOUCH" measure vouch-root --json | field mr_enclave | upper)
HM=$("$VOUCH" measure hello --json | field mr_enclave | upper)
for r in ra rb; do
  "$VOUCH" enclave quote vouch-root --report-data "$("$VOUCH" govern key-binding $r.pub)" --out $r.quote >/dev/null || exit 1
done
"$VOUCH" sim collateral --out coll >/dev/null || exit 1
REFS="0:$(h p0.entry)+1:$(h p1.entry)"
EXPIRES=$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)
"$VOUCH" govern root-set --ledger $ORIGIN --issued-on "$(ago '3 hours')" --version 1 --expires "$EXPIRES" \
  --threshold 2 \
  --root "name=root-a,key=ra.pub,constraint=C:$M SEC:STALE,quote=ra.quote,collateral=coll,reproduced-by=$REFS" \
  --root "name=root-b,key=rb.pub,constraint=C:$M SEC:STALE,quote=rb.quote,collateral=coll,reproduced-by=$REFS" \
  --builder id=https://builder-a.example/ci,key=ba.pub --builder id=https://builder-b.example/ci,key=bb.pub \
  --out set1.json >/dev/null || bad "root set"
"$VOUCH" statement sign set1.json --key ra.pem --key rb.pem --out set1.entry >/dev/null || bad "sign root set"
PIN=$("$VOUCH" statement inspect set1.entry --json | field statement_digest)
admit() {  # ISSUED OUT
  "$VOUCH" govern admit --ledger $ORIGIN --issued-on "$1" --role workload --constraint "C:$HM SEC:STALE" \
    --expires "$EXPIRES" --reproduced-by "2:$(h p2.entry)" --reproduced-by "3:$(h p3.entry)" \
    --out "$2.json" >/dev/null || bad "admit $2"
  "$VOUCH" statement sign "$2.json" --key ra.pem --key rb.pem --out "$2.entry" >/dev/null || bad "sign $2"
}
admit "$(ago '1 minute')" adm

# ---- ledger submit: each waits for the quorum checkpoint and keeps the receipt ----
i=0
for e in p0 p1 p2 p3 set1 adm; do
  run ledger submit "$LOG" $e.entry --policy policy --out $e.proof --timeout 20 --json
  [ "$rc" -eq 0 ] && grep -q "\"index\":$i," <<<"$out" && [ -s $e.proof ] && ok || bad_run "submit $e"
  i=$((i + 1))
done

# ---- the online audit: accepted, with warnings: the root set was issued 3 h before any witness
# time this first audit can bound it by, and its roots' evidence is not attested (no collateral) ----
audit() { "$VOUCH" audit "$LOG" --policy policy --root-set-pin "$PIN" "$@"; }
check audit_text 0 'ledger: +example.com/ledger, 6 entries, 6 valid, 0 invalid' -- audit
check audit_text_log 0 'checkpoint cosigned by w1, w2 \(quorum at 20' -- audit
check audit_text_entry 0 '#5 [0-9a-f]{16} admission: valid' -- audit
check audit_text_warning 0 'warning issue_time_unverified: issuedOn' -- audit
run audit "$LOG" --policy policy --root-set-pin "$PIN" --state st.json --json
if [ "$rc" -eq 0 ] && [[ "$out" == '{"format":"vouch-audit-replay/1","entries":['*'"verdict":"accepted"}' ]] &&
  [ "$(wc -l <<<"$out")" = 1 ] &&
  grep -q '"summary":{"entries":6,"valid":6,"invalid":0' <<<"$out" &&
  grep -q '"alarms":0,"warnings":3}' <<<"$out" &&
  grep -q '"index":4,"severity":"warning","code":"issue_time_unverified"' <<<"$out" &&
  grep -q '"checkpoint":{"size":6,"rootHash":"[A-Za-z0-9+/=]*","origin":"example.com/ledger","witnesses":\["w1","w2"\],"quorum_time":"20' <<<"$out" &&
  grep -q '"log":{"url":"'"$LOG"'","trusted_size":0,"consistency_proven":false,"tiles":[0-9]*,"bundles":1,"state":"st.json","state_updated":true,"saved_entries":null}' <<<"$out" &&
  grep -q '"admissions":\[{"index":5,.*"in_force":true' <<<"$out"; then
  ok
else
  bad_run audit_json
fi
grep -q '"format": "vouch-audit-state/1"' st.json && grep -q '"size": 6' st.json && ok || bad "state file: $(cat st.json)"
cp st.json st-6.json
# The same log again: consistent with the trusted checkpoint; the state keeps one quorum time per size.
check audit_again 0 'consistent with the trusted checkpoint of size 6' -- audit --state st.json

# ---- an under-signed revocation (invalid: anyone can append) and a backdated admission ----
"$VOUCH" govern revoke --ledger $ORIGIN --issued-on "$(ago '1 minute')" --kind measurement --mrenclave "${HM,,}" \
  --reason vulnerability --out rev.json >/dev/null || bad revoke
"$VOUCH" statement sign rev.json --key ra.pem --out rev.entry >/dev/null || bad "sign revoke"
admit "$(ago '2 hours')" late
for e in rev late; do
  "$VOUCH" ledger submit "$LOG" $e.entry --policy policy --out $e.proof --timeout 20 >/dev/null 2>&1 && ok || bad "submit $e"
done
# With the state of the audit at size 6: entry 7 was not yet logged when size 6 was cosigned, so
# an issuedOn two hours before that is backdated (maxIssueLag PT1H + skew PT5M) — an alarm.
run audit "$LOG" --policy policy --root-set-pin "$PIN" --state st.json
if [ "$rc" -eq 1 ] && grep -q '#6 [0-9a-f]* revocation: INVALID threshold_not_met' <<<"$out" &&
  grep -q '#7 [0-9a-f]* admission: valid' <<<"$out" &&
  grep -q 'ALARM statement_backdated: issuedOn .* backdated' <<<"$out" &&
  grep -q 'consistency proof verified' <<<"$out" &&
  grep -q 'state: *not updated' <<<"$out"; then
  ok
else
  bad_run audit_backdated
fi
cmp -s st.json st-6.json && ok || bad "the state moved on a rejected audit"
run audit "$LOG" --policy policy --root-set-pin "$PIN" --state st.json --json
if [ "$rc" -eq 1 ] && [[ "$out" == *'"verdict":"rejected"}' ]] &&
  grep -q '"index":6,"entry_hash":"[0-9a-f]*","class":"revocation","valid":false,"code":"threshold_not_met"' <<<"$out" &&
  grep -q '"index":7,"severity":"alarm","code":"statement_backdated"' <<<"$out" &&
  grep -q '"trusted_size":6,"consistency_proven":true' <<<"$out" &&
  grep -q '"state_updated":false' <<<"$out"; then
  ok
else
  bad_run audit_backdated_json
fi
# Without a state, nothing bounds entry 7 from below: only a warning; the invalid entry is fatal
# with --strict.
check audit_no_state 0 'warning issue_time_unverified' -- audit
check audit_strict 1 'INVALID threshold_not_met' -- audit --strict
# A wider --max-issue-lag admits the late admission.
check audit_lag 0 'alarms: +0' -- audit --state st.json --max-issue-lag PT3H
check audit_lag_state 0 '"size": 8' -- cat st.json

# ---- failures and their codes ----
check bad_pin 1 'ALARM root_set_pin_mismatch' -- "$VOUCH" audit "$LOG" --policy policy --root-set-pin "$(h tc.json)"
run audit "$LOG" --json
[ "$rc" -eq 2 ] && [[ "$out" == '{"verdict":"error","error":{"code":"trust_missing",'* ]] && ok || bad_run no_policy
sed 's/^quorum both$/quorum none/' policy >policy-none
run audit "$LOG" --policy policy-none --json
[ "$rc" -eq 2 ] && [[ "$out" == '{"verdict":"error","error":{"code":"policy_quorum_none",'* ]] && ok || bad_run quorum_none
echo '{"format":"vouch-audit-state/1"}' >bad.state
run audit "$LOG" --policy policy --state bad.state --json
[ "$rc" -eq 2 ] && [[ "$out" == *'"code":"state_invalid"'* ]] && ok || bad_run bad_state
check bad_lag 2 'max-issue-lag' -- audit --max-issue-lag soon
# A checkpoint signed by the log alone does not meet the policy: served by a second log
# without witnesses, same key and origin.
"$VOUCH" serve log --data solo --key log.key --init --listen 127.0.0.1:0 --port-file solo.port >/dev/null 2>&1 &
SOLO_PID=$!
SOLO="http://127.0.0.1:$(wait_port solo.port $SOLO_PID)"
"$VOUCH" log add "$SOLO" p0.entry >/dev/null 2>&1 || bad "add to the solo log"
run audit "$SOLO" --policy policy --root-set-pin "$PIN" --json
[ "$rc" -eq 1 ] && [[ "$out" == *'"verdict":"rejected"'* ]] && [[ "$out" == *'"code":"policy_'* ]] && ok || bad_run no_quorum
kill "$SOLO_PID"; wait "$SOLO_PID" 2>/dev/null
run audit "$SOLO" --policy policy --timeout 2 --json
[ "$rc" -eq 3 ] && [[ "$out" == *'"code":"log_unreachable"'* ]] && ok || bad_run unreachable
check help 0 'statement_backdated' -- "$VOUCH" audit --help

finish
