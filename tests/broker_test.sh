#!/usr/bin/env bash
# End-to-end test of `vouch serve broker` (docs/broker.md, spec/provisioning.md §3): real
# processes on loopback ports the kernel picks, each enclave a `vouch enclave run` of a bundle
# holding this vouch binary on its own simulated machine. A log publishes at a 2-of-3 witness
# quorum; two builders publish provenance of the root bundle and of the broker bundle; two roots
# bootstrap root set 1 and admit the broker bundle's measurement for role broker. The broker then
# starts, serves GET /identity (mode broker, its HPKE key) and POST /challenge, restarts with the
# same keys (unsealed from its data directory), refuses to open its sealed keys on another
# machine, and a broker whose measurement the ledger does not admit refuses to serve (exit 3,
# self_not_admitted): it fails closed. Owners make envelopes (the owner's check, the admission
# rule), the application fetches and seals its secret, and custodians recover an envelope made for
# the wrong measurement and re-wrap it for the application (the re-wrap logged first). At the
# end: a release through a one-shot hand-off, a nonce issued before a restart refused after it
# (nonce_unknown, over raw HTTP), two rounds of kill -9 under staggered concurrent fetches (every
# secret handed out had its record proven in the log first, no release id twice, the audit
# valid), the operator's records in a throwaway PostgreSQL (--store), and a revocation that stops
# the next fetch. Run by ctest with VOUCH=<binary>, from the
# repository root; every wait is bounded and the EXIT trap stops the servers.
set -uo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export VOUCH_LOG_URL='' VOUCH_POLICY='' VOUCH_ROOT_SET_PIN=''
REPO=$PWD
cd "$TMP" || exit 1
ORIGIN=example.com/ledger
C1=1111111111111111111111111111111111111111
C3=3333333333333333333333333333333333333333

# Usage checks need no ledger.
check help_example 0 'vouch enclave run broker-bundle/' -- "$VOUCH" serve broker --help
check outside_enclave 2 '"code":"platform_unavailable"' -- \
  "$VOUCH" serve broker --data "$TMP/never" --json

# ---- the ledger: a 2-of-3 witnessed log, machines a and b for the roots, c for the broker ----
start_witnessed_log $ORIGIN 3 2 || exit 1
cp "$POLICY" policy
sim_machines a b c || exit 1
M=$(vouch_bundle root-bundle 1) || exit 1
BM=$(vouch_bundle broker-bundle 3) || exit 1
XM=$(vouch_bundle other-broker 4) || exit 1  # built, never admitted
[[ "$XM" =~ ^[0-9A-F]{64}$ ]] && [ "$XM" != "$BM" ] && [ "$BM" != "$M" ] && ok || bad "measurements $M $BM $XM"
builders || exit 1
attest root-bundle $C1 https://builder-a.example/ci ba.pem p0.entry
attest root-bundle $C1 https://builder-b.example/ci bb.pem p1.entry
attest broker-bundle $C3 https://builder-a.example/ci ba.pem p2.entry
attest broker-bundle $C3 https://builder-b.example/ci bb.pem p3.entry
for e in p0 p1 p2 p3; do
  "$VOUCH" ledger submit "$LOG" $e.entry --policy policy --out $e.proof --timeout 20 >/dev/null 2>&1 ||
    bad "submit $e"
done
for r in a b; do
  start_root $r --bootstrap
  [ -n "${rport[$r]}" ] && identity $r && ok || { bad "root $r did not bootstrap"; cat root-$r.out; }
done
REFS="0:$(h p0.entry)+1:$(h p1.entry)"
"$VOUCH" govern root-set --ledger $ORIGIN --issued-on "$(ago '1 minute')" --version 1 --expires "$EXPIRES" \
  --threshold 2 --root "$(root_arg a "$REFS")" --root "$(root_arg b "$REFS")" \
  --builder id=https://builder-a.example/ci,key=ba.pub --builder id=https://builder-b.example/ci,key=bb.pub \
  --out set1.json >/dev/null || bad "root set 1"
countersign set1.json a b
[ "$rc" -eq 0 ] && ok || bad_run "countersign root set 1"
PIN=$("$VOUCH" statement inspect set1.json.entry --json | field statement_digest)
admit admb.json --role broker --constraint "C:$BM SEC:INSECURE" \
  --reproduced-by "2:$(h p2.entry)" --reproduced-by "3:$(h p3.entry)"
countersign admb.json a b
[ "$rc" -eq 0 ] && ok || bad_run "admission of the broker"

# ---- the broker ----
bpid='' bport=''
# start_broker BUNDLE DATA [MACHINE [FLAGS...]]: starts `serve broker`; sets bpid and bport
# (empty if it did not start); its output goes to DATA.out.
start_broker() {
  rm -f "$2.port"
  "$VOUCH" enclave run "$1" --sim-dir "sim-${3:-c}" -- serve broker --data "$2" \
    --listen 127.0.0.1:0 --port-file "$2.port" --log "$LOG" --policy policy --root-set-pin "$PIN" \
    "${trust[@]}" --collateral "coll-${3:-c}" --recheck-interval PT5S "${@:4}" >"$2.out" 2>&1 &
  bpid=$!
  bport=$(wait_port "$2.port" "$bpid")
}
start_broker broker-bundle broker
[ -n "$bport" ] && ok || bad "the broker did not start: $(cat broker.out)"
curl -sf "http://127.0.0.1:$bport/identity" >identity.json || bad "GET /identity"
KEYID=$(field keyid <identity.json)
grep -q '"mode":"broker"' identity.json && grep -q '"format":"vouch-broker-identity/v1"' identity.json &&
  [[ "$KEYID" =~ ^[0-9a-f]{64}$ ]] && grep -q "^broker $KEYID listening on 127.0.0.1:$bport" broker.out && ok ||
  bad "identity: $(head -c 600 identity.json) / $(cat broker.out)"
# The HPKE keyid is SHA-256 of the key's SPKI (spec §3.1 (a)).
SPKI=$(grep -o '"hpke":{[^}]*"key":{[^}]*}' identity.json | field spki)
[ "$(base64 -d <<<"$SPKI" | sha256sum | cut -c1-64)" = "$KEYID" ] && ok || bad "hpke keyid is not H(spki)"
grep -q '"check":"ok"' identity.json && grep -q '"receipt":"' identity.json && ok ||
  bad "identity status: $(grep -o '"status":{[^}]*}' identity.json)"
# The keys are sealed: their file holds neither key in clear.
[ -s broker/broker-keys.sealed ] && ! grep -qF "$(base64 -d <<<"$SPKI" | tail -c 32 | base64)" broker/broker-keys.sealed &&
  ok || bad "no sealed keys in broker/"
code=$(curl -s -o body -w '%{http_code}' -H 'Content-Type: application/json' \
  --data '{"envelope_id":"00112233445566778899aabbccddeeff"}' "http://127.0.0.1:$bport/challenge")
[ "$code" = 200 ] && grep -q '"nonce":"' body && ok || bad "challenge: $code $(cat body)"
code=$(curl -s -o body -w '%{http_code}' -H 'Content-Type: text/plain' \
  --data '{"envelope_id":"00112233445566778899aabbccddeeff"}' "http://127.0.0.1:$bport/challenge")
[ "$code" = 415 ] && ok || bad "challenge content type: $code"

# ---- an owner makes envelopes (spec §2.4): the owner's check, the admission rule ----
# admit_workload BUNDLE MEASUREMENT NAME: BUNDLE reproduced by both builders (NAME-a.entry and
# NAME-b.entry in the log) and admitted for role workload as C:MEASUREMENT (NAME.json).
admit_workload() {
  local b=$1 m=$2 n=$3 e i refs=()
  for e in a b; do
    attest "$b" $C3 "https://builder-$e.example/ci" "b$e.pem" "$n-$e.entry"
    "$VOUCH" ledger submit "$LOG" "$n-$e.entry" --policy policy --out "$n-$e.proof" --timeout 20 \
      --json >"$n-$e.json" 2>&1 || bad "submit $n-$e: $(cat "$n-$e.json")"
    i=$(grep -o '"index":[0-9]*' "$n-$e.json" | cut -d: -f2)
    refs+=(--reproduced-by "$i:$(h "$n-$e.entry")")
  done
  admit "$n.json" --role workload --constraint "C:$m SEC:INSECURE" "${refs[@]}"
  countersign "$n.json" a b
  [ "$rc" -eq 0 ] && ok || bad_run "admission of $b"
}
# The application: other-broker's bundle, reproduced by both builders, admitted for role workload.
admit_workload other-broker "$XM" adma
openssl genpkey -algorithm ed25519 -out owner.pem 2>/dev/null && openssl pkey -in owner.pem -pubout -out owner.pub
SECRET="db-password-$RANDOM$RANDOM-never-on-the-host"
printf '%s' "$SECRET" >secret.txt
env_args=(--broker "http://127.0.0.1:$bport" --in secret.txt --key owner.pem --log "$LOG" --policy policy
  --root-set-pin "$PIN" "${trust[@]}")
check envelope_admitted 0 '"verdict":"ok".*"admission":"admitted"' -- \
  "$VOUCH" provision envelope "${env_args[@]}" --constraint "C:$XM SEC:INSECURE" --out app.env --json
"$VOUCH" provision inspect app.env --owner-pub owner.pub --json >inspect.json 2>&1 &&
  grep -q "\"constraint\":\"C:$XM SEC:INSECURE\"" inspect.json && grep -q "\"keyid\":\"$KEYID\"" inspect.json &&
  ! grep -qF "$SECRET" app.env && ok || bad "inspect app.env: $(head -c 600 inspect.json)"
# The owner's collateral instead of the broker's, and the right pin: the same.
check envelope_own_collateral 0 '"broker_keyid":"'"$KEYID"'"' -- \
  "$VOUCH" provision envelope "${env_args[@]}" --constraint "C:$XM SEC:INSECURE" --out app2.env \
  --collateral coll-c --broker-pin "$KEYID" --json
check envelope_exists 2 '"code":"file_exists"' -- \
  "$VOUCH" provision envelope "${env_args[@]}" --constraint "C:$XM SEC:INSECURE" --out app.env --json
check envelope_wrong_pin 1 '"code":"broker_untrusted".*not the pinned' -- \
  "$VOUCH" provision envelope "${env_args[@]}" --constraint "C:$XM SEC:INSECURE" --out x.env \
  --broker-pin "$(printf 'ab%.0s' {1..32})" --json
# Without the simulation root the broker's quote does not verify.
check envelope_untrusted_quote 1 '"code":"broker_untrusted".*does not verify' -- \
  "$VOUCH" provision envelope --broker "http://127.0.0.1:$bport" --in secret.txt --key owner.pem \
  --log "$LOG" --policy policy --root-set-pin "$PIN" --constraint "C:$XM SEC:INSECURE" --out x.env --json
NOBODY=$(printf 'AB%.0s' {1..32})
check envelope_not_admitted 1 '"code":"target_not_admitted".*C:'"$NOBODY" -- \
  "$VOUCH" provision envelope "${env_args[@]}" --constraint "C:$NOBODY SEC:INSECURE" --out x.env --json
check envelope_override 0 '"unadmitted_override":true' -- \
  "$VOUCH" provision envelope "${env_args[@]}" --constraint "C:$NOBODY SEC:INSECURE" --out over.env \
  --allow-unadmitted --json
"$VOUCH" provision inspect over.env 2>&1 | grep -q WARNING && ok || bad "the override is not shown"
check envelope_no_record 1 '"code":"processing_record_missing"' -- \
  "$VOUCH" provision envelope "${env_args[@]}" --constraint "C:$XM SEC:INSECURE" --out x.env \
  --activity payroll-db --json
: >empty.txt
check envelope_empty_secret 2 '"code":"input_too_large"' -- \
  "$VOUCH" provision envelope "${env_args[@]/secret.txt/empty.txt}" --constraint "C:$XM SEC:INSECURE" \
  --out x.env --json
check envelope_bad_constraint 2 '"code":"constraint_malformed"' -- \
  "$VOUCH" provision envelope "${env_args[@]}" --constraint "C:XYZ" --out x.env --json
[ ! -e x.env ] && ok || bad "a refused envelope was written"

# ---- the enclave fetches its secret (spec §3.6): E1-E7 inside the admitted application ----
anchors() {  # anchors PUBKEY_PEM [POLICY_FILE]: a provision-anchors.json of that owner key
  local der policy=null
  der=$(openssl pkey -pubin -in "$1" -outform DER | base64 -w0)
  [ -n "${2:-}" ] && policy="\"$(awk '{printf "%s\\n", $0}' "$2")\""
  printf '{"format":"vouch-provision-anchors/v1","ownerKeys":[{"keyid":"%s","spki":"%s"}],"policy":%s}' \
    "$(base64 -d <<<"$der" | sha256sum | cut -c1-64)" "$der" "$policy"
}
anchors owner.pub >anchors.json
anchors owner.pub policy >anchors-policy.json
openssl genpkey -algorithm ed25519 2>/dev/null | openssl pkey -pubout -out stranger.pub
anchors stranger.pub >stranger-anchors.json
APP_ID=$(field id <inspect.json)
fetch() {  # fetch BUNDLE ARGS...: `provision fetch` of app.env inside BUNDLE on machine c
  local b=$1
  shift
  "$VOUCH" enclave run "$b" --sim-dir sim-c -- provision fetch "$PWD/app.env" \
    --broker "http://127.0.0.1:$bport" "$@"
}
check fetch_anchored 0 '"verdict":"ok".*"owner_verified":true' -- \
  fetch other-broker --seal-out "$PWD/app.sealed" --anchors "$PWD/anchors.json" --json
[ -s app.sealed ] && ! grep -qF "$SECRET" app.sealed && [ "$(stat -c %a app.sealed)" = 600 ] && ok ||
  bad "the sealed secret: $(ls -l app.sealed 2>&1)"
# The host never sees the secret: after the release, no file outside the owner's input holds it
# (the log's and witnesses' stores, the broker's data, every process output, the sealed blob).
hits=$(grep -rlF "$SECRET" . --exclude=secret.txt 2>/dev/null)
[ -z "$hits" ] && ok || bad "the secret is on the host in: $hits"
check unseal_fetched 0 '"verdict":"ok"' -- "$VOUCH" enclave run other-broker --sim-dir sim-c -- \
  provision unseal --in "$PWD/app.sealed" --envelope-id "$APP_ID" --out "$PWD/app.secret" --json
[ "$(cat app.secret 2>/dev/null)" = "$SECRET" ] && ok || bad "the unsealed secret is not the owner's"
# Another enclave cannot open the blob, nor can the same one under another id.
check unseal_other_enclave 1 '' -- "$VOUCH" enclave run broker-bundle --sim-dir sim-c -- \
  provision unseal --in "$PWD/app.sealed" --envelope-id "$APP_ID" --out "$PWD/x.secret" --json
check unseal_other_id 1 '' -- "$VOUCH" enclave run other-broker --sim-dir sim-c -- \
  provision unseal --in "$PWD/app.sealed" --envelope-id 00112233445566778899aabbccddeeff \
  --out "$PWD/x.secret" --json
# Without anchors: the secret, its owner not verified (and a warning on stderr).
check fetch_unanchored 0 '"owner_verified":false' -- \
  fetch other-broker --seal-out "$PWD/app2.sealed" --json
# Anchors of another owner: refused before the broker is asked.
check fetch_stranger 1 '"code":"envelope_signature_invalid"' -- \
  fetch other-broker --seal-out "$PWD/x.sealed" --anchors "$PWD/stranger-anchors.json" --json
# An enclave the constraint does not name: the broker refuses, and says why.
check fetch_wrong_enclave 1 '"code":"constraint_failed"' -- \
  fetch broker-bundle --seal-out "$PWD/x.sealed" --json
[ ! -e x.sealed ] && [ ! -e x.secret ] && ok || bad "a refused fetch or unseal wrote a file"
check fetch_exists 2 '"code":"file_exists"' -- fetch other-broker --seal-out "$PWD/app.sealed" --json
# Anchors with the ledger's witness policy: the record must be proven in the log first.
check fetch_policy_no_log 2 '"code":"anchors_log_missing"' -- \
  fetch other-broker --seal-out "$PWD/x.sealed" --anchors "$PWD/anchors-policy.json" --json
check fetch_policy 0 '"owner_verified":true,"record_proven":true' -- \
  fetch other-broker --seal-out "$PWD/app3.sealed" --anchors "$PWD/anchors-policy.json" \
  --log "$LOG" --json

# ---- recovery (spec §5.3): custodians re-open an envelope for a target that never came ----
for c in c1 c2 c3 c4; do
  "$VOUCH" provision custodian-keygen --out $c.pem >/dev/null 2>&1 || bad "custodian-keygen $c"
done
# The owner sealed to the wrong measurement (NOBODY), 2 of 3 custodians to recover.
check envelope_recoverable 0 '"recovery":{"threshold":2,"custodians":3}' -- \
  "$VOUCH" provision envelope "${env_args[@]}" --constraint "C:$NOBODY SEC:INSECURE" --out wrong.env \
  --allow-unadmitted --recovery c1.pub.pem --recovery c2.pub.pem --recovery c3.pub.pem --threshold 2 --json
rec_args=(--owner-pub owner.pub --to-constraint "C:$XM SEC:INSECURE" --reason wrong_measurement
  --broker "http://127.0.0.1:$bport" --key owner.pem --log "$LOG" --policy policy --root-set-pin "$PIN"
  "${trust[@]}")
# One custodian is below the threshold: nothing is opened, nothing logged, nothing written.
check recover_one_share 1 '"code":"recovery_insufficient_shares"' -- \
  "$VOUCH" provision recover wrong.env "${rec_args[@]}" --custodian-key c1.pem --out fixed.env --json
check recover_not_custodian 2 '"code":"recovery_custodian_unknown"' -- \
  "$VOUCH" provision recover wrong.env "${rec_args[@]}" --custodian-key c1.pem --custodian-key c4.pem \
  --out fixed.env --json
# Only the original owner's keys count, not the keys the envelope names itself.
openssl genpkey -algorithm ed25519 2>/dev/null | openssl pkey -pubout -out stranger-r.pub
check recover_other_owner 1 '"code":"envelope_signature_invalid"' -- \
  "$VOUCH" provision recover wrong.env "${rec_args[@]/owner.pub/stranger-r.pub}" \
  --custodian-key c1.pem --custodian-key c2.pem --out fixed.env --json
[ ! -e fixed.env ] && ok || bad "a refused recovery wrote --out"
# Two of three: the secret re-wrapped for the admitted application, the re-wrap logged first.
run provision recover wrong.env "${rec_args[@]}" --custodian-key c3.pem --custodian-key c1.pem \
  --out fixed.env --json
RI=$(grep -o '"rewrap":{"index":[0-9]*' <<<"$out" | grep -o '[0-9]*$')
[ "$rc" -eq 0 ] && grep -q '"verdict":"ok"' <<<"$out" && grep -q '"admission":"admitted"' <<<"$out" &&
  grep -q "\"constraint\":\"C:$XM SEC:INSECURE\"" <<<"$out" && grep -q '"reason":"wrong_measurement"' <<<"$out" &&
  [ -n "$RI" ] && [ -s fixed.env ] && ! grep -qF "$SECRET" fixed.env && ok || bad_run "recover with two shares"
"$VOUCH" audit "$LOG" --policy policy --root-set-pin "$PIN" "${trust[@]}" --json >audit.json 2>&1
grep -q "\"index\":$RI,\"entry_hash\":\"[0-9a-f]*\",\"class\":\"rewrap\",\"valid\":true" audit.json && ok ||
  bad "the re-wrap is not a valid ledger entry: $(grep -o "\"index\":$RI,[^}]*" audit.json)"
# The application fetches the recovered secret through the broker: the owner's secret.
check fetch_recovered 0 '"verdict":"ok"' -- "$VOUCH" enclave run other-broker --sim-dir sim-c -- \
  provision fetch "$PWD/fixed.env" --broker "http://127.0.0.1:$bport" --seal-out "$PWD/fixed.sealed" \
  --anchors "$PWD/anchors.json" --json
FIXED_ID=$("$VOUCH" provision inspect fixed.env --json | field id)
"$VOUCH" enclave run other-broker --sim-dir sim-c -- provision unseal --in "$PWD/fixed.sealed" \
  --envelope-id "$FIXED_ID" --out "$PWD/fixed.secret" >/dev/null 2>&1
[ "$(cat fixed.secret 2>/dev/null)" = "$SECRET" ] && ok || bad "the recovered secret is not the owner's"
# The operator's records (spec §3.7) are beside the sealed keys, and hold no secret.
[ -s broker/broker.db ] && ! grep -qF "$SECRET" broker/broker.db* && ok || bad "no broker/broker.db"

# ---- examples/provisioned_enclave: fetch at first start, unseal later with no broker ----
if [ -x "${PROVISIONED_ENCLAVE:-}" ]; then
  mkdir -p pe-bundle/bin pe-state
  cp "$PROVISIONED_ENCLAVE" pe-bundle/bin/provisioned_enclave
  cp "$REPO/examples/provisioned_enclave/vouch-enclave.json" pe-bundle/
  "$VOUCH" enclave sign pe-bundle --key signer.pem >/dev/null || bad "sign pe-bundle"
  PM=$("$VOUCH" measure pe-bundle --json | field mr_enclave | upper)
  admit_workload pe-bundle "$PM" admpe
  # The owner makes the envelope before the enclave ever ran.
  check pe_envelope 0 '"verdict":"ok"' -- "$VOUCH" provision envelope "${env_args[@]}" \
    --constraint "C:$PM SEC:INSECURE" --out pe.env --json
  pe() {  # pe MACHINE ARGS...: the example in pe-bundle on machine MACHINE
    local m=$1
    shift
    "$VOUCH" enclave run pe-bundle --sim-dir "sim-$m" -- "$@"
  }
  DEAD=http://127.0.0.1:1  # nothing listens there
  # Refused before anything is written: bad usage (2), no envelope, no broker to reach (3), and a
  # first start with no --broker (2).
  check pe_usage 2 'are required' -- pe c --state "$PWD/pe-state"
  check pe_no_envelope 3 'cannot read .*none.env' -- \
    pe c --envelope "$PWD/none.env" --state "$PWD/pe-state" --broker "http://127.0.0.1:$bport"
  check pe_broker_unreachable 3 'the broker did not release the password' -- \
    pe c --envelope "$PWD/pe.env" --state "$PWD/pe-state" --broker $DEAD
  check pe_no_broker 2 'the first start needs --broker' -- \
    pe c --envelope "$PWD/pe.env" --state "$PWD/pe-state"
  [ -z "$(ls -A pe-state)" ] && ok || bad "a refused first start wrote: $(ls -A pe-state)"
  DIGEST=$(printf '%s' "$SECRET" | sha256sum | cut -c1-16)
  check pe_first_start 0 "first start: database password ready \\(${#SECRET} bytes, sha256 $DIGEST" -- \
    pe c --envelope "$PWD/pe.env" --state "$PWD/pe-state" --broker "http://127.0.0.1:$bport" \
    --anchors "$PWD/anchors.json"
  # Its only file, 0600, sealed: the secret is on no host file (but the owner's own).
  [ "$(ls -A pe-state)" = db-password.sealed ] && [ "$(stat -c %a pe-state/db-password.sealed)" = 600 ] &&
    ok || bad "the example's state: $(ls -la pe-state)"
  hits=$(grep -rlF "$SECRET" . --exclude=secret.txt --exclude='*.secret' 2>/dev/null)
  [ -z "$hits" ] && ok || bad "the secret is on the host in: $hits"
  cp pe-state/db-password.sealed first.sealed
  # Later starts need no broker: none given, or a dead one (never asked).
  check pe_later_start 0 "later start: database password ready \\(${#SECRET} bytes, sha256 $DIGEST" -- \
    pe c --envelope "$PWD/pe.env" --state "$PWD/pe-state"
  check pe_later_dead_broker 0 "later start: database password ready" -- \
    pe c --envelope "$PWD/pe.env" --state "$PWD/pe-state" --broker $DEAD
  # Another machine, or another enclave (another measurement), cannot open the sealed password,
  # and changes nothing.
  check pe_other_machine 1 'cannot unseal' -- pe a --envelope "$PWD/pe.env" --state "$PWD/pe-state"
  printf '\0' >>pe-bundle/bin/provisioned_enclave
  "$VOUCH" enclave sign pe-bundle --key signer.pem >/dev/null || bad "re-sign pe-bundle"
  check pe_other_enclave 1 'cannot unseal' -- pe c --envelope "$PWD/pe.env" --state "$PWD/pe-state"
  cmp -s first.sealed pe-state/db-password.sealed && ok || bad "a refused start changed the blob"
else
  bad "PROVISIONED_ENCLAVE is not set to the example's binary"
fi

# ---- stopped and restarted: the same keys, unsealed ----
kill "$bpid"; wait_exit "$bpid"
[ "$rc" -eq 0 ] && ok || bad "the broker did not stop cleanly: rc $rc"
start_broker broker-bundle broker
[ -n "$bport" ] && curl -sf "http://127.0.0.1:$bport/identity" >identity2.json &&
  [ "$(field keyid <identity2.json)" = "$KEYID" ] && ok ||
  bad "the broker did not restart with its sealed keys: $(cat broker.out)"
kill -9 "$bpid"; wait_exit "$bpid"
# Its keys do not open on another machine, and are not replaced there.
cp broker/broker-keys.sealed keys.before
start_broker broker-bundle broker a
[ -z "$bport" ] && ok || bad "the broker's keys opened on another machine"
wait_exit "$bpid"
[ "$rc" -eq 1 ] && cmp -s keys.before broker/broker-keys.sealed && ok ||
  bad "sealed keys on another machine: rc $rc $(cat broker.out)"

# ---- a direct hand-off (spec §6): fresh keys never written, one release, a lifetime ----
rm -f handoff.port
"$VOUCH" enclave run broker-bundle --sim-dir sim-c -- provision handoff --port-file handoff.port \
  --log "$LOG" --policy policy --root-set-pin "$PIN" "${trust[@]}" --collateral coll-c \
  --lifetime PT10S --json >handoff.json 2>handoff.out &
hpid=$!
hport=$(wait_port handoff.port "$hpid")
[ -n "$hport" ] && curl -sf "http://127.0.0.1:$hport/identity" >handoff.identity &&
  grep -q '"mode":"handoff","max_releases":1,"expires":"' handoff.identity &&
  [ "$(field keyid <handoff.identity)" != "$KEYID" ] && grep -q '"check":"ok"' handoff.identity &&
  ok || bad "handoff identity: $(head -c 400 handoff.identity 2>/dev/null) $(cat handoff.out)"
# Nothing is released within its lifetime: it ends by itself, exit 1, handoff_expired.
wait_exit "$hpid" 30
[ "$rc" -eq 1 ] && grep -q '"code":"handoff_expired"' handoff.json && ok ||
  bad "handoff expiry: rc $rc $(cat handoff.json handoff.out)"
! ls | grep -q 'broker-keys' && ok || bad "the hand-off wrote keys: $(ls)"

# ---- a broker the ledger does not admit refuses to serve (fail closed) ----
start_broker other-broker other
[ -z "$bport" ] && ok || bad "an unadmitted broker started"
wait_exit "$bpid"
[ "$rc" -eq 3 ] &&
  grep -q '^vouch serve broker: self-check failed (self_not_admitted): .*; refusing to serve$' other.out &&
  ok || bad "unadmitted broker: rc $rc $(cat other.out)"

# ---- a release through a hand-off (spec §6): one release, then it exits 0 ----
rm -f handoff2.port
"$VOUCH" enclave run broker-bundle --sim-dir sim-c -- provision handoff --port-file handoff2.port \
  --log "$LOG" --policy policy --root-set-pin "$PIN" "${trust[@]}" --collateral coll-c \
  --lifetime PT60S --json >handoff2.json 2>handoff2.out &
hpid=$!
hport=$(wait_port handoff2.port "$hpid")
[ -n "$hport" ] && ok || bad "the hand-off did not start: $(cat handoff2.out)"
check handoff_envelope 0 '"verdict":"ok"' -- "$VOUCH" provision envelope \
  --broker "http://127.0.0.1:$hport" --in secret.txt --key owner.pem --log "$LOG" --policy policy \
  --root-set-pin "$PIN" "${trust[@]}" --constraint "C:$XM SEC:INSECURE" --out handoff.env --json
check handoff_fetch 0 '"verdict":"ok".*"record_proven":true' -- "$VOUCH" enclave run other-broker \
  --sim-dir sim-c -- provision fetch "$PWD/handoff.env" --broker "http://127.0.0.1:$hport" \
  --seal-out "$PWD/handoff.sealed" --anchors "$PWD/anchors-policy.json" --log "$LOG" --json
wait_exit "$hpid" 20
[ "$rc" -eq 0 ] && ok || bad "the hand-off did not end after its release: rc $rc $(cat handoff2.out)"
check handoff_gone 3 '' -- "$VOUCH" enclave run other-broker --sim-dir sim-c -- provision fetch \
  "$PWD/handoff.env" --broker "http://127.0.0.1:$hport" --seal-out "$PWD/x.sealed" --json

# ---- nonces live in memory (spec §3.5): one issued before a restart is unknown after it ----
start_broker broker-bundle broker
[ -n "$bport" ] && ok || bad "the broker did not start again: $(cat broker.out)"
# challenge PORT: a nonce for app.env's envelope from the broker at PORT.
challenge() {
  curl -sf -H 'Content-Type: application/json' --data "{\"envelope_id\":\"$APP_ID\"}" \
    "http://127.0.0.1:$1/challenge" | field nonce
}
# release PORT NONCE: POST /release of app.env with NONCE and no real quote; sets code and body
# (the nonce is judged at step 6, the evidence only after it).
release() {
  printf '{"envelope":"%s","nonce":"%s","enclave_key":"%s","evidence":{"type":"sgx-dcap-quote","quote":"%s"}}' \
    "$(sed 's/"/\\"/g' app.env)" "$2" "$(head -c 32 /dev/zero | base64)" "$(printf 'no quote' | base64)" \
    >release.json
  code=$(curl -s -o body -w '%{http_code}' -H 'Content-Type: application/json' --data @release.json \
    "http://127.0.0.1:$1/release")
}
nonce=$(challenge "$bport")
kill "$bpid"; wait_exit "$bpid"
start_broker broker-bundle broker
release "$bport" "$nonce"
[ -n "$nonce" ] && [ "$code" = 409 ] && grep -q '"code":"nonce_unknown"' body && ok ||
  bad "a nonce from before the restart: $code $(head -c 300 body)"

# ---- kill -9 under concurrent releases: every secret handed out has its record in the log ----
for round in 1 2; do
  # Fetches start 0.15 s apart; the broker is killed as soon as the first secret is out, with the
  # next ones in flight and the rest not yet started.
  fpids=()
  for i in 1 2 3 4 5 6 7 8; do
    "$VOUCH" enclave run other-broker --sim-dir sim-c -- provision fetch "$PWD/app.env" \
      --broker "http://127.0.0.1:$bport" --seal-out "$PWD/k$round-$i.sealed" \
      --anchors "$PWD/anchors-policy.json" --log "$LOG" --timeout 20 --json >k$round-$i.json 2>&1 &
    fpids+=($!)
    for _ in 1 2 3; do
      grep -qs '"verdict":"ok"' k$round-?.json && break 2
      sleep 0.05
    done
  done
  for _ in $(seq 300); do
    grep -qs '"verdict":"ok"' k$round-?.json && break
    sleep 0.05
  done
  kill -9 "$bpid"; wait_exit "$bpid"
  for p in "${fpids[@]}"; do wait_exit "$p" 40; done
  start_broker broker-bundle broker
  [ -n "$bport" ] && ok || bad "round $round: the broker did not restart after kill -9: $(cat broker.out)"
done
# A fetch that got its secret proved its record under the witness quorum (record_proven) before
# using it; those that did not got no secret (no sealed blob). No release id twice.
got=0
for f in k?-?.json; do
  if grep -q '"verdict":"ok"' "$f"; then
    got=$((got + 1))
    grep -q '"record_proven":true' "$f" && [ -s "${f%.json}.sealed" ] || bad "$f: ok without a proven record"
  else
    [ ! -e "${f%.json}.sealed" ] || bad "$f: failed but wrote a sealed blob: $(head -c 300 "$f")"
  fi
done
dups=$(cat k?-?.json | grep -o '"release_id":"[0-9a-f]*"' | sort | uniq -d)
[ -z "$dups" ] && ok || bad "a release id twice: $dups"
started=$(ls k?-?.json | wc -l)
echo "kill -9 rounds: $got of $started fetches got their secret"
# And the broker serves after the kills.
check fetch_after_kill 0 '"verdict":"ok"' -- "$VOUCH" enclave run other-broker --sim-dir sim-c -- \
  provision fetch "$PWD/app.env" --broker "http://127.0.0.1:$bport" --seal-out "$PWD/after.sealed" --json
# The audit agrees: every entry valid, at least one release per secret handed out.
"$VOUCH" audit "$LOG" --policy policy --root-set-pin "$PIN" "${trust[@]}" --save-entries ledger.jsonl \
  --json >audit2.json 2>&1
releases=$(grep -o '"class":"release","valid":true' audit2.json | wc -l)
! grep -q '"valid":false' audit2.json && [ "$releases" -ge $((got + 1)) ] && ok ||
  bad "audit after the kills: $releases valid releases for $got secrets; $(grep -o '"valid":false[^}]*' audit2.json | head -3)"
# The entries the audit verified, saved, list every release (spec §4.1): each secret handed out is
# there under its release id, no release id or quote twice, and one release by the hand-off.
check save_entries_unwritable 3 '"code":"io_error"' -- "$VOUCH" audit "$LOG" --policy policy \
  --root-set-pin "$PIN" "${trust[@]}" --save-entries "$PWD/missing/ledger.jsonl" --json
# Replayed offline, the saved file gives the root hash of the checkpoint the audit verified.
"$VOUCH" audit replay ledger.jsonl --root-set-pin "$PIN" --origin $ORIGIN --json >replay.json 2>&1
root=$(grep -o '"rootHash":"[^"]*"' audit2.json)
[ -n "$root" ] && [ "$(grep -o '"rootHash":"[^"]*"' replay.json)" = "$root" ] && ok ||
  bad "--save-entries: $(wc -l <ledger.jsonl) lines, $(grep -o '"rootHash":"[^"]*"' replay.json) vs $root"
"$VOUCH" audit releases ledger.jsonl --root-set-pin "$PIN" --origin $ORIGIN --json >releases.json 2>&1 &&
  ok || bad "audit releases: $(head -c 400 releases.json)"
for f in k?-?.json; do
  id=$(grep -o '"release_id":"[0-9a-f]*"' "$f")
  [ -z "$id" ] || grep -qF "$id" releases.json || bad "$f: release $id is not in the log"
done
[ -z "$(grep -o '"release_id":"[0-9a-f]*"' releases.json | sort | uniq -d)" ] &&
  [ -z "$(grep -o '"quote_sha256":"[0-9a-f]*"' releases.json | sort | uniq -d)" ] && ok ||
  bad "a release id or quote twice in the log"
[ "$(grep -o '"broker":{"mode":"handoff"' releases.json | wc -l)" = 1 ] && ok ||
  bad "the hand-off's release: $(grep -o '"broker":{[^}]*}' releases.json | sort | uniq -c)"

# ---- the broker's collateral from a PCCS (spec §3.3): --pccs, per platform, fetched and kept ----
"$VOUCH" sim info --dir sim-c --json >sim-c.json 2>&1
"$PCCS_STAND_IN" --collateral coll-c --fmspc "$(field fmspc <sim-c.json)" \
  --ca "$(field pck_ca <sim-c.json | tr 'A-Z' 'a-z')" --port-file pccs.port &
pccs_pid=$!
pport=$(wait_port pccs.port "$pccs_pid")
[ -n "$pport" ] && ok || bad "the PCCS stand-in did not start: $(cat sim-c.json)"
kill "$bpid"; wait_exit "$bpid"
start_broker broker-bundle broker c --pccs 'not a url'
wait_exit "$bpid" 60
[ -z "$bport" ] && [ "$rc" -eq 2 ] && grep -q 'bad --pccs' broker.out && ok || bad "--pccs 'not a url': rc $rc $(cat broker.out)"
# With --pccs the broker's own quote is verified with what the PCCS serves, not --collateral: an
# unreachable PCCS fails the self-check closed.
start_broker broker-bundle broker c --pccs "http://127.0.0.1:1"
wait_exit "$bpid" 60
[ -z "$bport" ] && [ "$rc" -eq 3 ] && grep -q 'self-check failed (self_identity_unavailable): .*127.0.0.1:1' broker.out &&
  ok || bad "an unreachable --pccs: rc $rc $(cat broker.out)"
start_broker broker-bundle broker c --pccs "http://127.0.0.1:$pport"
[ -n "$bport" ] && ok || bad "the broker did not start with --pccs: $(cat broker.out)"
check fetch_pccs 0 '"verdict":"ok"' -- "$VOUCH" enclave run other-broker --sim-dir sim-c -- \
  provision fetch "$PWD/app.env" --broker "http://127.0.0.1:$bport" --seal-out "$PWD/pccs.sealed" --json
# The PCCS gone, the collateral kept for the platform still verifies the next release.
kill "$pccs_pid"; wait_exit "$pccs_pid"
check fetch_pccs_kept 0 '"verdict":"ok"' -- "$VOUCH" enclave run other-broker --sim-dir sim-c -- \
  provision fetch "$PWD/app.env" --broker "http://127.0.0.1:$bport" --seal-out "$PWD/pccs2.sealed" --json

# ---- the operator's records on PostgreSQL: serve broker --store postgres://… ----
# shellcheck source=tests/pg_lib.sh
source "$REPO/tests/pg_lib.sh"
pg_start
PGDB=$(pg_createdb broker)
kill "$bpid"; wait_exit "$bpid"
start_broker broker-bundle broker c --store "$PGDB"
[ -n "$bport" ] && ok || bad "the broker did not start with --store: $(cat broker.out)"
check fetch_pg_records 0 '"verdict":"ok"' -- "$VOUCH" enclave run other-broker --sim-dir sim-c -- \
  provision fetch "$PWD/app.env" --broker "http://127.0.0.1:$bport" --seal-out "$PWD/pg.sealed" --json
curl -s -o /dev/null -H 'Content-Type: application/json' --data '{"envelope_id":"zz"}' \
  "http://127.0.0.1:$bport/challenge"
[ "$(psql -tA "$PGDB" -c 'SELECT count(*) FROM vouch_broker.releases WHERE quote IS NOT NULL')" = 1 ] &&
  [ "$(psql -tA "$PGDB" -c "SELECT code FROM vouch_broker.refusals")" = request_malformed ] && ok ||
  bad "the records in PostgreSQL: $(psql -tA "$PGDB" -c 'SELECT count(*) FROM vouch_broker.releases' 2>&1)"
! grep -qF "$PG_PW" broker.out && ok || bad "the database password is in the broker's output"

# ---- two front-ends of one broker share their nonces (spec §8.4): --shared-nonces ----
kill "$bpid"; wait_exit "$bpid"
start_broker broker-bundle broker c --shared-nonces
wait_exit "$bpid"
[ -z "$bport" ] && [ "$rc" -eq 2 ] && grep -q 'shared-nonces needs --store postgres' broker.out && ok ||
  bad "--shared-nonces without a PostgreSQL store: rc $rc $(cat broker.out)"
# Front-end B: a copy of the sealed keys on the same platform, the same database.
mkdir -m 700 broker-b && cp -p broker/broker-keys.sealed broker-b/
start_broker broker-bundle broker-b c --store "$PGDB" --shared-nonces
bpid_b=$bpid bport_b=$bport
start_broker broker-bundle broker c --store "$PGDB" --shared-nonces
[ -n "$bport" ] && [ -n "$bport_b" ] &&
  [ "$(curl -sf "http://127.0.0.1:$bport_b/identity" | field keyid)" = "$KEYID" ] && ok ||
  bad "two front-ends: $(cat broker.out broker-b.out)"
# A nonce from A is burnt by B (the evidence is judged after it), then used at A and B.
nonce=$(challenge "$bport")
release "$bport_b" "$nonce"
[ -n "$nonce" ] && [ "$code" = 403 ] && grep -q '"code":"evidence_rejected"' body && ok ||
  bad "A's nonce at B: $code $(head -c 300 body)"
for p in "$bport" "$bport_b"; do
  release "$p" "$nonce"
  [ "$code" = 409 ] && grep -q '"code":"nonce_used"' body && ok || bad "replayed at $p: $code $(head -c 300 body)"
done
release "$bport_b" "$(head -c 32 /dev/urandom | base64)"
[ "$code" = 409 ] && grep -q '"code":"nonce_unknown"' body && ok || bad "a nonce never issued: $code $(head -c 300 body)"
# Shared nonces are rows: one from B outlives a restart of A and is released there.
nonce=$(challenge "$bport_b")
kill "$bpid"; wait_exit "$bpid"
start_broker broker-bundle broker c --store "$PGDB" --shared-nonces
release "$bport" "$nonce"
[ "$code" = 403 ] && grep -q '"code":"evidence_rejected"' body && ok ||
  bad "B's nonce at A after A's restart: $code $(head -c 300 body)"
# A real release through B; every nonce it burnt is in the shared table.
check fetch_front_end_b 0 '"verdict":"ok"' -- "$VOUCH" enclave run other-broker --sim-dir sim-c -- \
  provision fetch "$PWD/app.env" --broker "http://127.0.0.1:$bport_b" --seal-out "$PWD/b.sealed" --json
[ "$(psql -tA "$PGDB" -c 'SELECT count(*) FROM vouch_nonces.nonces WHERE consumed IS NOT NULL')" = 3 ] && ok ||
  bad "consumed shared nonces: $(psql -tA "$PGDB" -c 'SELECT count(*) FROM vouch_nonces.nonces' 2>&1)"
kill "$bpid_b"; wait_exit "$bpid_b"
[ "$rc" -eq 0 ] && ok || bad "front-end B did not stop cleanly: rc $rc"

# ---- revocation stops the next fetch (spec §7) ----
"$VOUCH" govern revoke --ledger $ORIGIN --issued-on "$(ago '1 minute')" --kind measurement --mrenclave "$XM" \
  --reason vulnerability --out rev.json >/dev/null 2>&1 || bad "govern revoke"
countersign rev.json a b
[ "$rc" -eq 0 ] && ok || bad_run "countersign the revocation"
# The very next fetch is refused: the countersigned revocation is in the witnessed checkpoint the
# broker reads after it burns the nonce (step 12).
check fetch_revoked 1 '"code":"identity_revoked"' -- "$VOUCH" enclave run other-broker --sim-dir sim-c -- \
  provision fetch "$PWD/app.env" --broker "http://127.0.0.1:$bport" --seal-out "$PWD/rev.sealed" --json
[ ! -e rev.sealed ] && ok || bad "a refused fetch wrote its output"
# And no owner makes a new envelope for it (no option overrides a revocation).
check envelope_revoked 1 '"code":"target_revoked"' -- "$VOUCH" provision envelope \
  --broker "http://127.0.0.1:$bport" --in secret.txt --key owner.pem --log "$LOG" --policy policy \
  --root-set-pin "$PIN" "${trust[@]}" --constraint "C:$XM SEC:INSECURE" --out rev.env --json
[ ! -e rev.env ] && ok || bad "a refused envelope was written"

finish
