#!/usr/bin/env bash
# End-to-end test of the roots (docs/root.md, docs/countersigning.md, docs/self-check.md): a
# `vouch serve log` publishing at a 2-of-3 witness quorum, and roots that are real `vouch serve
# root` processes started as simulated enclaves with `vouch enclave run`, each on its own
# simulated platform (its own `vouch sim init` directory), on loopback ports chosen by the
# kernel. The story: two builders publish provenance of the root bundle (this vouch binary);
# two roots start with --bootstrap and sign root set 1 (2-of-2) through `vouch ledger
# countersign`; an application measured by both builders is admitted (both roots re-check and
# sign); each root refuses what the rules refuse (an unreproduced measurement, a missing or
# forged reference, a backdated statement, a second set 1); a root that is down stalls nothing
# it is not needed for; a killed root restarts with its sealed key; a third root is admitted and
# the set rotates to 2-of-3 (a root killed mid-collection stalls nothing) and then removes a
# root, which stops signing at once and refuses to start again (exit 3), as a root does before
# any root set unless it bootstraps; its key is then revoked, and no later set may list it.
# Run by ctest with VOUCH=<binary>, from the repository root; every wait is bounded and the EXIT
# trap stops the servers.
set -uo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export VOUCH_LOG_URL='' VOUCH_POLICY='' VOUCH_ROOT_SET_PIN=''
cd "$TMP" || exit 1
ORIGIN=example.com/ledger
C1=1111111111111111111111111111111111111111
C2=2222222222222222222222222222222222222222

# ---- a log that publishes at a 2-of-3 witness quorum ----
start_witnessed_log $ORIGIN 3 2 || exit 1
cp "$POLICY" policy

# ---- three simulated machines, the root bundle (this vouch binary) and an application ----
sim_machines a b c || exit 1
M=$(vouch_bundle root-bundle 1) || exit 1
mkdir -p hello
printf '#!/bin/sh\necho hello\n' >hello/run.sh
printf '{"format":"vouch-enclave/1","entry":"run.sh","product_id":2,"isv_svn":1,"debug":false,"memory_size":65536}\n' \
  >hello/vouch-enclave.json
"$VOUCH" enclave sign hello --key signer.pem >/dev/null || exit 1
HM=$("$VOUCH" measure hello --json | field mr_enclave | upper)

# ---- two builders publish provenance of both (before any root set: anyone may append) ----
builders || exit 1
attest root-bundle $C1 https://builder-a.example/ci ba.pem p0.entry
attest root-bundle $C1 https://builder-b.example/ci bb.pem p1.entry
attest hello $C2 https://builder-a.example/ci ba.pem p2.entry
attest hello $C2 https://builder-b.example/ci bb.pem p3.entry
for e in p0 p1 p2 p3; do
  "$VOUCH" ledger submit "$LOG" $e.entry --policy policy --out $e.proof --timeout 20 >/dev/null 2>&1 ||
    bad "submit $e"
done
REFS="0:$(h p0.entry)+1:$(h p1.entry)"

# ---- roots: `vouch enclave run` of the root bundle, each on its own simulated machine ----

# Not bootstrapping, an empty ledger is a failed self-check: exit 3, one line naming the code.
start_root a
[ -z "${rport[a]}" ] && ok || bad "root a started without a root set"
wait_exit "${rpid[a]}"
[ "$rc" -eq 3 ] && grep -q '^vouch serve root: self-check failed (no_root_set): .*; refusing to serve$' root-a.out &&
  ok || bad "no root set: rc $rc: $(cat root-a.out)"

for r in a b; do
  start_root $r --bootstrap
  [ -n "${rport[$r]}" ] && identity $r && ok || { bad "root $r did not bootstrap"; cat root-$r.out; }
done
# Key binding checked from outside, with the collateral root a serves: the quote verifies under
# root a's machine (its trust root taken from that machine, never from the root) and binds its key.
mkdir -p served-a
for f in $(grep -o '"[a-z_]*\.\(der\|pem\|json\|bin\)":"' a.identity | cut -d'"' -f2); do
  field "$f" <a.identity | base64 -d >"served-a/$f"
done
[ -s served-a/tcb_info.json ] && [ -s served-a/qe_identity_signature.bin ] && ok ||
  bad "no collateral at /identity"
check binding_from_outside 0 "\"report_data\":\"$("$VOUCH" govern key-binding a.pub)\"" -- \
  "$VOUCH" sgx verify a.quote --collateral served-a --sim-root sim-a/root_ca.der \
  --constraint "C:$M SEC:INSECURE" --json

# ---- bootstrap: root set 1, 2-of-2, countersigned by both bootstrapping roots ----
"$VOUCH" govern root-set --ledger $ORIGIN --issued-on "$(ago '1 minute')" --version 1 --expires "$EXPIRES" \
  --threshold 2 --root "$(root_arg a "$REFS")" --root "$(root_arg b "$REFS")" \
  --builder id=https://builder-a.example/ci,key=ba.pub --builder id=https://builder-b.example/ci,key=bb.pub \
  --out set1.json >/dev/null || bad "root set 1"
# An admission before any root set: a bootstrapping root signs nothing but its set 1.
"$VOUCH" govern admit --ledger $ORIGIN --role workload --constraint "C:$HM SEC:INSECURE" \
  --expires "$EXPIRES" --reproduced-by "2:$(h p2.entry)" --reproduced-by "3:$(h p3.entry)" \
  --out early.json >/dev/null || bad "admit early"
countersign early.json a b
[ "$rc" -eq 1 ] && grep -q 'no_root_set' <<<"$err$out" && ok || bad_run "bootstrap refuses an admission"
countersign set1.json a b
[ "$rc" -eq 0 ] && [ -s set1.json.proof ] && ok || bad_run "countersign root set 1"
PIN=$("$VOUCH" statement inspect set1.json.entry --json | field statement_digest)
[[ "$PIN" =~ ^[0-9a-f]{64}$ ]] && ok || bad "pin '$PIN'"

# ---- an admission, 2-of-2: both roots re-check it and sign ----
admit adm.json --role workload --constraint "C:$HM SEC:INSECURE" \
  --reproduced-by "2:$(h p2.entry)" --reproduced-by "3:$(h p3.entry)"
countersign adm.json a b
[ "$rc" -eq 0 ] && grep -q 'root http://127.0.0.1:.*: signed' <<<"$err" && ok || bad_run "admission 2-of-2"
run audit "$LOG" --policy policy --root-set-pin "$PIN" --json
[ "$rc" -eq 0 ] && grep -q '"invalid":0' <<<"$out" && grep -q '"in_force":true' <<<"$out" && ok ||
  bad_run "audit after the admission"

# ---- each root refuses what the rules refuse ----
admit unbuilt.json --role workload --constraint "C:$(printf 'AB%.0s' {1..32}) SEC:INSECURE" \
  --reproduced-by "2:$(h p2.entry)" --reproduced-by "3:$(h p3.entry)"
countersign unbuilt.json a b
[ "$rc" -eq 1 ] && [ "$(grep -c 'not_reproduced' <<<"$err")" -ge 2 ] && ok || bad_run "unreproduced measurement"
admit missing.json --role workload --constraint "C:$HM SEC:INSECURE" \
  --reproduced-by "2:$(h p2.entry)" --reproduced-by "99:$(h p3.entry)"
countersign missing.json a b
[ "$rc" -eq 1 ] && grep -q 'reference_not_found' <<<"$err" && ok || bad_run "missing reference"
admit forged.json --role workload --constraint "C:$HM SEC:INSECURE" \
  --reproduced-by "2:$(h p2.entry)" --reproduced-by "3:$(h p0.entry)"
countersign forged.json a b
[ "$rc" -eq 1 ] && grep -q 'reference_not_found' <<<"$err" && ok || bad_run "forged reference"
admit late.json --issued-on "$(ago '2 hours')" --role workload --constraint "C:$HM SEC:INSECURE" \
  --reproduced-by "2:$(h p2.entry)" --reproduced-by "3:$(h p3.entry)"
countersign late.json a b
[ "$rc" -eq 1 ] && grep -q 'statement_backdated\|issued_before_root_set' <<<"$err" && ok || bad_run "backdated"
countersign set1.json a b
[ "$rc" -eq 1 ] && grep -q 'root_set_version_replayed' <<<"$err" && ok || bad_run "a second set 1"
# A request that is not a statement, and one too large.
code=$(curl -s -o body -w '%{http_code}' -H 'Content-Type: application/vnd.in-toto+json' \
  --data-binary 'not json' "http://127.0.0.1:${rport[a]}/sign")
[ "$code" = 422 ] || [ "$code" = 400 ] && grep -q '"error":"payload_malformed"' body && ok || bad "garbage: $code $(cat body)"
head -c 70000 /dev/zero | tr '\0' ' ' >big
code=$(curl -s -o body -w '%{http_code}' -H 'Content-Type: application/vnd.in-toto+json' \
  --data-binary @big "http://127.0.0.1:${rport[a]}/sign")
[ "$code" = 413 ] && ok || bad "too large: $code"
code=$(curl -s -o body -w '%{http_code}' -H 'Content-Type: text/plain' --data-binary @adm.json \
  "http://127.0.0.1:${rport[a]}/sign")
[ "$code" = 415 ] && ok || bad "content type: $code"

# ---- kill -9 of a root: a 2-of-2 set cannot proceed without it; it restarts with its key ----
KB=$(field keyid <b.identity)
kill -9 "${rpid[b]}"; wait_exit "${rpid[b]}"
admit adm2.json --role workload --constraint "C:$HM SEC:INSECURE" \
  --reproduced-by "2:$(h p2.entry)" --reproduced-by "3:$(h p3.entry)"
start=$(date +%s)
countersign adm2.json a b
[ "$rc" -eq 1 ] && grep -q 'not countersigned: .*2 required' <<<"$err" && [ $(($(date +%s) - start)) -lt 15 ] && ok ||
  bad_run "a dead root in a 2-of-2 set"
start_root b --root-set-pin "$PIN"
[ -n "${rport[b]}" ] && identity b && [ "$(field keyid <b.identity)" = "$KB" ] && ok ||
  bad "root b did not restart with its sealed key: $(cat root-b.out)"
# Its high-water mark survived too: sealed, so it is neither the checkpoint note in clear nor empty.
[ -s root-b/high-water-mark.sealed ] && ! grep -q "$ORIGIN" root-b/high-water-mark.sealed && ok ||
  bad "root b has no sealed high-water mark"
countersign adm2.json a b
[ "$rc" -eq 0 ] && ok || bad_run "admission after the restart"

# ---- a third root: admitted for role root, then set 2 (2-of-3), then set 3 without root b ----
start_root c --bootstrap
[ -n "${rport[c]}" ] && identity c && ok || bad "root c did not start: $(cat root-c.out)"
admit admc.json --role root --constraint "C:$M SEC:INSECURE" --reproduced-by "0:$(h p0.entry)" \
  --reproduced-by "1:$(h p1.entry)"
countersign admc.json a b
[ "$rc" -eq 0 ] && ok || bad_run "admission of root c"
root_set 2 set2.json a b c
countersign set2.json a b c
[ "$rc" -eq 0 ] && ok || bad_run "rotation to set 2 (2-of-3)"
# Root c is an ordinary root now; with b down, a and c still reach 2-of-3.
kill -9 "${rpid[b]}"; wait_exit "${rpid[b]}"
admit adm3.json --role workload --constraint "C:$HM SEC:INSECURE" \
  --reproduced-by "2:$(h p2.entry)" --reproduced-by "3:$(h p3.entry)"
countersign adm3.json a b c
[ "$rc" -eq 0 ] && grep -q "root http://127.0.0.1:${rport[b]}: " <<<"$err" && ok || bad_run "2-of-3 with a root down"
start_root b --root-set-pin "$PIN"
[ -n "${rport[b]}" ] && ok || bad "root b did not restart: $(cat root-b.out)"
# kill -9 of a root during a collection: root c is stopped (SIGSTOP), so the kernel accepts the
# connection of `ledger countersign` but c never answers; it is killed once that connection is
# in, mid-request. 2-of-3 still completes with a and b, and c restarts with its sealed key.
KC=$(field keyid <c.identity)
admit adm5.json --role workload --constraint "C:$HM SEC:INSECURE" \
  --reproduced-by "2:$(h p2.entry)" --reproduced-by "3:$(h p3.entry)"
kill -STOP "${rpid[c]}"
(countersign adm5.json a b c; exit "$rc") &
cs=$!
in_flight=0
for _ in $(seq 200); do
  if [ -n "$(ss -Htn state established "( sport = :${rport[c]} )" 2>/dev/null)" ]; then
    in_flight=1
    break
  fi
  sleep 0.1
done
kill -9 "${rpid[c]}"; wait_exit "${rpid[c]}"
wait "$cs"
cs_rc=$?
[ "$in_flight" = 1 ] && [ "$cs_rc" -eq 0 ] && [ -s adm5.json.proof ] &&
  grep -q "root http://127.0.0.1:${rport[c]}: " "$TMP/err" && ok ||
  bad "kill -9 of root c during a collection: in flight $in_flight, rc $cs_rc: $(cat "$TMP/err")"
start_root c --root-set-pin "$PIN"
[ -n "${rport[c]}" ] && identity c && [ "$(field keyid <c.identity)" = "$KC" ] && ok ||
  bad "root c did not restart with its sealed key: $(cat root-c.out)"
root_set 3 set3.json a c
countersign set3.json a c
[ "$rc" -eq 0 ] && ok || bad_run "rotation to set 3 (root b removed)"
# Root b stops signing at once, without a restart, and refuses to start again.
admit adm4.json --role workload --constraint "C:$HM SEC:INSECURE" \
  --reproduced-by "2:$(h p2.entry)" --reproduced-by "3:$(h p3.entry)"
code=$(curl -s -o body -w '%{http_code}' -H 'Content-Type: application/vnd.in-toto+json' \
  --data-binary @adm4.json "http://127.0.0.1:${rport[b]}/sign")
[ "$code" = 503 ] && grep -q 'self_check_failed' body && grep -q 'self_not_admitted' body && ok ||
  bad "removed root still answers $code: $(cat body)"
kill "${rpid[b]}"; wait_exit "${rpid[b]}"
start_root b --root-set-pin "$PIN"
[ -z "${rport[b]}" ] && ok || bad "removed root b started"
wait_exit "${rpid[b]}"
[ "$rc" -eq 3 ] && grep -q 'self-check failed (self_not_admitted)' root-b.out && ok || bad "removed root: rc $rc $(cat root-b.out)"
countersign adm4.json a c
[ "$rc" -eq 0 ] && ok || bad_run "set 3 admits"
# Removed, then revoked (spec §3.5 rootKey): no later set may list root b's key.
"$VOUCH" govern revoke --ledger $ORIGIN --kind rootKey --keyid "$KB" --reason key_compromise \
  --out revb.json >/dev/null || bad "revocation of root b's key"
countersign revb.json a c
[ "$rc" -eq 0 ] && ok || bad_run "revocation of root b's key"
root_set 4 set4.json a b c
countersign set4.json a c
[ "$rc" -eq 1 ] && [ "$(grep -c 'key_revoked' <<<"$err")" -ge 2 ] && ok || bad_run "a set that lists a revoked key"

# ---- the whole ledger audits clean ----
run audit "$LOG" --policy policy --root-set-pin "$PIN" --json
[ "$rc" -eq 0 ] && ok || bad_run "final audit"

finish
