#!/usr/bin/env bash
# End-to-end test of the offline governance commands with the real binary (docs/governance.md):
# two builders attest two bundles, roots with simulated-platform quotes form root set 1, an
# admission, a processing record and a revocation are written, signed and countersigned; the
# ledger file is replayed (text and JSON, pin, strict, alarms) and its Art. 30 records exported.
# Keys are made with the real `openssl genpkey`. Run by ctest with VOUCH=<binary>, from the
# repository root. Prints "N passed, N failed".
set -uo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export VOUCH_SIM_DIR="$TMP/sim"
cd "$TMP" || exit 1
DATA="$OLDPWD/tests/data/governance"
ORIGIN=log.example/vouch
C1=1111111111111111111111111111111111111111
C2=2222222222222222222222222222222222222222

"$VOUCH" sim init >/dev/null || exit 1
"$VOUCH" enclave keygen --out signer.pem >/dev/null || exit 1
script_bundle vouch-root || exit 1
script_bundle hello || exit 1
ed25519_keys ba bb ra rb rc || exit 1
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.pem 2>/dev/null || exit 1
openssl pkey -in ec.pem -pubout -out ec.pub || exit 1
toolchain_manifest
echo '{"spdxVersion":"SPDX-2.3","name":"vouch-root"}' >sbom.spdx.json
echo '{"bomFormat":"CycloneDX","specVersion":"1.6"}' >sbom.cdx.json

# ---- build attest: two builders, two bundles ----
attest() {  # BUNDLE COMMIT BUILDER KEY OUT TIME [EXTRA...]
  local b=$1 c=$2 id=$3 key=$4 out=$5 t=$6
  shift 6
  "$VOUCH" build attest "$b" --source "https://git.example/vouch.git@$c" --toolchain tc.json \
    --builder-id "$id" --key "$key" --out "$out" --finished-on "$t" "$@"
}
check attest_root_a 0 'MRENCLAVE' -- attest vouch-root $C1 https://builder-a.example/ci ba.pem p0.entry \
  2026-12-01T08:00:00Z --sbom sbom.spdx.json --sbom runtime=sbom.cdx.json --ref refs/tags/v1
check attest_root_b 0 '' -- attest vouch-root $C1 https://builder-b.example/ci bb.pem p1.entry \
  2026-12-01T08:10:00Z --ref refs/tags/v1
check attest_hello_a 0 '' -- attest hello $C2 https://builder-a.example/ci ba.pem p2.entry 2026-12-01T08:20:00Z
run build attest hello --source https://git.example/vouch.git@$C2 --toolchain tc.json \
  --builder-id https://builder-b.example/ci --key bb.pem --out p3.entry \
  --finished-on 2026-12-01T08:30:00Z --json
[ "$rc" -eq 0 ] && [ "$(field mrenclave <<<"$out")" = "$("$VOUCH" measure hello --json | field mr_enclave)" ] \
  && ok || bad_run attest_hello_b_json
check attest_bad_source 2 'source_malformed' -- attest hello main https://b.example ba.pem x.entry 2026-12-01T08:00:00Z --json
check attest_bad_toolchain 2 'toolchain_malformed' -- "$VOUCH" build attest hello \
  --source https://git.example/vouch.git@$C2 --toolchain sbom.spdx.json --builder-id https://b.example \
  --key ba.pem --out x.entry --json
check attest_bad_key 2 'key_malformed' -- attest hello $C2 https://b.example tc.json x.entry 2026-12-01T08:00:00Z --json
check attest_ec_key 0 '' -- attest hello $C2 https://builder-c.example/ci ec.pem pc.entry 2026-12-01T08:40:00Z
check inspect_provenance 0 'valid provenance statement' -- "$VOUCH" statement inspect p0.entry
check verify_provenance 0 'accepted: 1 of 1' -- "$VOUCH" statement verify p0.entry --key ba.pub --entry
check verify_provenance_wrong_key 1 'threshold_not_met' -- "$VOUCH" statement verify p0.entry --key bb.pub --json
check verify_ec 0 'accepted' -- "$VOUCH" statement verify pc.entry --key ec.pub

for i in 0 1 2 3; do cat p$i.entry; echo; done >ledger.jsonl

# ---- root set 1 ----
M=$("$VOUCH" measure vouch-root --json | field mr_enclave | upper)
for r in ra rb; do
  "$VOUCH" enclave quote vouch-root --report-data "$("$VOUCH" govern key-binding $r.pub)" --out $r.quote >/dev/null || exit 1
done
"$VOUCH" sim collateral --out coll >/dev/null || exit 1
REFS="0:$(h p0.entry)+1:$(h p1.entry)"
check root_set 0 'statement_digest' -- "$VOUCH" govern root-set --ledger $ORIGIN \
  --issued-on 2026-12-01T09:00:00Z --version 1 --expires 2027-06-01T00:00:00Z --threshold 2 \
  --root "name=root-a,key=ra.pub,constraint=C:$M SEC:STALE,quote=ra.quote,collateral=coll,reproduced-by=$REFS" \
  --root "name=root-b,key=rb.pub,constraint=C:$M SEC:STALE,quote=rb.quote,collateral=coll,reproduced-by=$REFS" \
  --builder id=https://builder-a.example/ci,key=ba.pub --builder id=https://builder-b.example/ci,key=bb.pub \
  --out set1.json
check root_set_not_canonical 2 'constraint_not_canonical' -- "$VOUCH" govern root-set --ledger $ORIGIN \
  --version 1 --expires 2027-06-01T00:00:00Z --threshold 1 \
  --root "name=root-a,key=ra.pub,constraint=C:${M,,},quote=ra.quote,collateral=coll,reproduced-by=$REFS" \
  --builder id=https://builder-a.example/ci,key=ba.pub --out bad-set.json --json
check sign_set_a 0 '\(added\)' -- "$VOUCH" statement sign set1.json --key ra.pem --out set1.entry
check verify_half_signed 1 'threshold_not_met' -- "$VOUCH" statement verify set1.entry --key ra.pub --key rb.pub
check countersign 0 '' -- "$VOUCH" statement sign set1.entry --key rb.pem --out set1.entry
check countersign_again 2 'duplicate_signer' -- "$VOUCH" statement sign set1.entry --key ra.pem --out x.entry --json
check verify_set 0 'accepted: 2 of 2' -- "$VOUCH" statement verify set1.entry --key ra.pub --key rb.pub --entry
check verify_dup_key 2 'duplicate_key' -- "$VOUCH" statement verify set1.entry --key ra.pub --key ra.pub --json
check verify_threshold_too_big 2 '' -- "$VOUCH" statement verify set1.entry --key ra.pub --threshold 2
PIN=$("$VOUCH" statement inspect set1.entry --json | field statement_digest)
cat set1.entry >>ledger.jsonl; echo >>ledger.jsonl

# ---- admission, record, revocation ----
HM=$("$VOUCH" measure hello --json | field mr_enclave | upper)
"$VOUCH" govern admit --ledger $ORIGIN --issued-on 2026-12-01T10:00:00Z --role workload \
  --constraint "C:$HM SEC:STALE" --expires 2027-06-01T00:00:00Z \
  --reproduced-by "2:$(h p2.entry)" --reproduced-by "3:$(h p3.entry)" --out adm.json >/dev/null || bad admit
check sign_two_keys 0 '' -- "$VOUCH" statement sign adm.json --key ra.pem --key rb.pem --out adm.entry
cat adm.entry >>ledger.jsonl; echo >>ledger.jsonl
cp "$DATA/derived/examples/art30-register.json" register.json
check record_pd 2 'personal_data_suspected' -- "$VOUCH" govern record --ledger $ORIGIN --activity payroll-db \
  --activity-version 1 --register register.json --purpose "ask hr@payroll.example" --data-subjects Employees \
  --personal-data "Salary" --covers "5:$(h adm.entry)" --out bad-record.json --json
"$VOUCH" govern record --ledger $ORIGIN --issued-on 2026-12-01T10:05:00Z --activity payroll-db \
  --activity-version 1 --register register.json --purpose "Monthly payroll calculation" \
  --data-subjects Employees --personal-data "Identification data" --personal-data "Salary and bank details" \
  --recipient "=cmd" --erasure "Salary and bank details=P3650D:statutory retention" \
  --covers "5:$(h adm.entry)" --out rec.json >/dev/null || bad record
"$VOUCH" statement sign rec.json --key ra.pem --key rb.pem --out rec.entry >/dev/null || bad sign_record
cat rec.entry >>ledger.jsonl; echo >>ledger.jsonl
"$VOUCH" govern revoke --ledger $ORIGIN --issued-on 2027-01-15T08:00:00Z --kind measurement \
  --mrenclave "${HM,,}" --reason vulnerability --note "use hello 1.0.1" --out rev.json >/dev/null || bad revoke
"$VOUCH" statement sign rev.json --key ra.pem --key rb.pem --out rev.entry >/dev/null || bad sign_revoke
cat rev.entry >>ledger.jsonl; echo >>ledger.jsonl
check revoke_bad_kind 2 '' -- "$VOUCH" govern revoke --ledger $ORIGIN --kind everything --reason other

# ---- replay ----
check replay 0 'ledger: +log.example/vouch, 8 entries, 8 valid' -- "$VOUCH" audit replay ledger.jsonl \
  --root-set-pin "$PIN" --origin $ORIGIN --at 2026-12-02T00:00:00Z
run audit replay ledger.jsonl --root-set-pin "$PIN" --at 2026-12-02T00:00:00Z --json
if [ "$rc" -eq 0 ] && grep -q '"verdict":"accepted"}$' <<<"$out" && grep -q '"summary":{"entries":8,"valid":8,"invalid":0' <<<"$out" &&
  grep -q '"in_force":false,"reason":"MRENCLAVE [0-9a-f]* revoked"' <<<"$out" &&
  grep -q '"target":{"kind":"measurement"' <<<"$out" && grep -q '"checkpoint":{"size":8,' <<<"$out"; then
  ok
else
  bad_run replay_json
fi
check replay_wrong_pin 1 'root_set_pin_mismatch' -- "$VOUCH" audit replay ledger.jsonl --root-set-pin "$(h tc.json)"
check replay_wrong_origin 0 'INVALID ledger_mismatch' -- "$VOUCH" audit replay ledger.jsonl --origin other.example/log
check replay_unpinned 0 'root_set_unpinned' -- "$VOUCH" audit replay ledger.jsonl
# A tampered entry is invalid (not an alarm), and --strict makes it fatal.
tamper() {  # LINE: change the first base64 digit of the line's first signature
  sed "$1{s/\"sig\":\"A/\"sig\":\"B/;t;s/\"sig\":\"[A-Za-z0-9+\/]/\"sig\":\"A/}" ledger.jsonl
}
tamper 8 >tampered.jsonl
check replay_tampered 0 '#7 .* INVALID (statement_signature_invalid|base64_invalid)' -- \
  "$VOUCH" audit replay tampered.jsonl --root-set-pin "$PIN"
# A record covering an admission that is not valid, signed by the roots: an alarm.
tamper 6 >tampered-admission.jsonl
check replay_dangling_record 1 '#6 .* INVALID reference_not_found' -- \
  "$VOUCH" audit replay tampered-admission.jsonl --root-set-pin "$PIN"
check replay_strict 1 '' -- "$VOUCH" audit replay tampered.jsonl --root-set-pin "$PIN" --strict
# The roots signing an admission the rules refuse (window beyond maxAdmissionValidity): alarm.
"$VOUCH" govern admit --ledger $ORIGIN --issued-on 2026-12-01T11:00:00Z --role workload \
  --constraint "C:$HM SEC:STALE" --expires 2028-06-01T00:00:00Z \
  --reproduced-by "2:$(h p2.entry)" --reproduced-by "3:$(h p3.entry)" --out wide.json >/dev/null || bad wide
"$VOUCH" statement sign wide.json --key ra.pem --key rb.pem --out wide.entry >/dev/null || bad sign_wide
{ head -n 5 ledger.jsonl; cat wide.entry; echo; } >alarm.jsonl
check replay_alarm 1 'ALARM signed_invalid' -- "$VOUCH" audit replay alarm.jsonl --root-set-pin "$PIN"
check replay_missing 3 '' -- "$VOUCH" audit replay missing.jsonl
check replay_bad_pin 2 '' -- "$VOUCH" audit replay ledger.jsonl --root-set-pin xyz

# ---- full attestation of root evidence with collateral (findings, not state) ----
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
LATER=$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)
"$VOUCH" sim collateral --out coll-now >/dev/null || exit 1
attest_set() {  # SECURITY_LEVEL OUT: root set 1 issued now, its evidence checked by --collateral
  "$VOUCH" govern root-set --ledger $ORIGIN --issued-on "$NOW" --version 1 --expires "$LATER" \
    --root "name=root-a,key=ra.pub,constraint=C:$M SEC:$1,quote=ra.quote,collateral=coll-now,reproduced-by=$REFS" \
    --root "name=root-b,key=rb.pub,constraint=C:$M SEC:$1,quote=rb.quote,collateral=coll-now,reproduced-by=$REFS" \
    --builder id=https://builder-a.example/ci,key=ba.pub --builder id=https://builder-b.example/ci,key=bb.pub \
    --out "$2.json" >/dev/null || bad "root set $1"
  "$VOUCH" statement sign "$2.json" --key ra.pem --key rb.pem --out "$2.entry" >/dev/null || bad "sign $1"
  { head -n 2 ledger.jsonl; cat "$2.entry"; echo; } >"$2.jsonl"
}
attest_set INSECURE sim-set   # simulated evidence is always INSECURE (docs/platform.md)
attest_set STALE stale-set
check attested 0 'alarms: +0, warnings: +1' -- "$VOUCH" audit replay sim-set.jsonl --collateral coll-now \
  --sim-root "$VOUCH_SIM_DIR/root_ca.der"
check attested_constraint 1 'ALARM root_evidence_invalid: root root-a: constraint not met' -- \
  "$VOUCH" audit replay stale-set.jsonl --collateral coll-now --sim-root "$VOUCH_SIM_DIR/root_ca.der"
check attested_untrusted 1 'ALARM root_evidence_invalid: .*untrusted_root' -- \
  "$VOUCH" audit replay sim-set.jsonl --collateral coll-now
check attested_unverified 0 'warning root_evidence_unverified: root root-a: no --collateral' -- \
  "$VOUCH" audit replay sim-set.jsonl --collateral coll --sim-root "$VOUCH_SIM_DIR/root_ca.der"

# ---- export ----
check export_csv 0 '^payroll-db,1,6,' -- "$VOUCH" audit export --art30 --register register.json \
  --format csv ledger.jsonl --at 2026-12-02T00:00:00Z
check export_injection 0 "\"'=cmd\"|,'=cmd," -- "$VOUCH" audit export --art30 --register register.json ledger.jsonl
check export_json 0 '' -- "$VOUCH" audit export --art30 \
  --register register.json --format json ledger.jsonl --out art30.json
check export_json_file 0 '"format": "vouch-art30-export/1"' -- cat art30.json
check export_json_join 0 'Data Protection Officer' -- cat art30.json
check export_mode 0 '^600$' -- stat -c %a art30.json
printf '{"format":"vouch-art30-register/1","entries":[]}\n' >empty-register.json
check export_missing 1 'register_entry_missing' -- "$VOUCH" audit export --art30 --register empty-register.json ledger.jsonl

# ---- foreign envelopes: DSSE as other tools write it ----
check sigstore_publish 0 'accepted: 1 of 1' -- "$VOUCH" statement verify "$DATA/sigstore-go/bundle-publish.json" \
  --key "$DATA/sigstore-go/publish_key.pub"
check sigstore_not_entry 1 'envelope_malformed|payload_not_canonical|signature_keyid_invalid' -- \
  "$VOUCH" statement verify "$DATA/sigstore-go/bundle-publish.json" --key "$DATA/sigstore-go/publish_key.pub" --entry
check sigstore_inspect 0 'https://slsa.dev/provenance/v1' -- "$VOUCH" statement inspect \
  "$DATA/sigstore-go/sigstore.js@2.0.0-provenance.sigstore.json"
check example_entry 0 'valid admission' -- "$VOUCH" statement inspect "$DATA/derived/examples/admission.entry"
check help_example 0 'Example' -- "$VOUCH" audit replay --help

finish
