#!/usr/bin/env bash
# End-to-end test of `vouch sgx verify` on the real vectors: verdicts, exit codes, JSON fields.
# Run by ctest with VOUCH=<binary>, from the repository root.
set -uo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
D=tests/data/sgx-dcap
PHALA=$D/phala-dcap-qvl/sgx-v3-2025-06
T=1752919277
check accepted 0 'verdict: +accepted' -- verify_quote $PHALA --at $T
check accepted_rfc3339 0 'ConfigurationAndSWHardeningNeeded' -- \
  verify_quote $PHALA --at 2025-07-19T10:01:17Z
check json_fields 0 '"verdict":"accepted","tcb_status":"ConfigurationAndSWHardeningNeeded"' -- \
  verify_quote $PHALA --at $T --json
check json_advisories 0 '"advisory_ids":\["INTEL-SA-00289","INTEL-SA-00615"\]' -- \
  verify_quote $PHALA --at $T --json
check json_eii 0 '"enclave":\{"code_hash":"33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb","code_signer":"815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6","product_id":0,"isv_svn":0,"revocation_level":0,"mode":"RELEASE","security":\{"summary":"STALE"' -- \
  verify_quote $PHALA --at $T --json
check eii_timestamp 0 '"timestamp":"2025-06-19T10:56:11Z"' -- \
  verify_quote $PHALA --at $T --json
check constraint_pass 0 'constraint: +PASS' -- verify_quote $PHALA --at $T \
  --constraint "S:815F42F11CF64430C30BAB7816BA596A1DA0130C3B028B673133A66CF9A3E0E6 PROD:0"
check constraint_fail 1 '"code":"constraint_failed".*lower than the required level of SECURE' -- \
  verify_quote $PHALA --at $T --json --constraint \
  "C:33D8736DB756ED4997E04BA358D27833188F1932FF7B1D156904D3F560452FBB SEC:SECURE"
check constraint_expire 1 'out of date with an age that exceeds P1D' -- \
  verify_quote $PHALA --at $T --constraint \
  "C:33D8736DB756ED4997E04BA358D27833188F1932FF7B1D156904D3F560452FBB EXPIRE:P1D"
check constraint_malformed 2 'malformed constraint' -- \
  verify_quote $PHALA --at $T --constraint "C:zz"
check expired 1 '"code":"collateral_expired"' -- \
  verify_quote $PHALA --at 1752919278 --json
check allow_expired 0 '"collateral_expired":true' -- \
  verify_quote $PHALA --at 1752919278 --json --allow-expired-collateral
check not_yet_valid 1 'collateral_not_yet_valid' -- \
  verify_quote $PHALA --at 1750330570 --allow-expired-collateral
check debug_enclave 0 '"mode":"DEBUG","security":\{"summary":"INSECURE"' -- \
  "$VOUCH" sgx verify $D/automata-dcap-rs/sgx-v3-debug-2024-08/quote.bin \
  --collateral $D/automata-dcap-rs/sgx-v3-debug-2024-08 --at 1724962800 --json
check tcbinfo_v2 0 '"tcb_status":"OutOfDate"' -- \
  "$VOUCH" sgx verify $D/teepot/sgx-v3-outofdate-tcbinfo-v2-2023-05/quote.bin \
  --collateral $D/teepot/sgx-v3-outofdate-tcbinfo-v2-2023-05 --at 1684165303 --json
SYN=$D/intel-qvl-sample/sgx-v3-synthetic-certtype1
check untrusted_root 1 '"code":"untrusted_root"' -- \
  verify_quote $SYN --at 1735689600 --json
check trust_root 0 '"tcb_status":"UpToDate".*"trust_root":"production".*"mode":"RELEASE"' -- \
  verify_quote $SYN --at 1735689600 --json --trust-root $SYN/root_ca.der
check sim_root 0 '"trust_root":"simulation".*"mode":"SIMULATION","security":\{"summary":"INSECURE","reason":"Enclave is running in simulation mode."' -- \
  verify_quote $SYN --at 1735689600 --json --sim-root $SYN/root_ca.der

# Tampering and bad input.
cp $PHALA/quote.bin "$TMP/q.bin"
printf '\x01' | dd of="$TMP/q.bin" bs=1 seek=200 conv=notrunc status=none
check tampered_quote 1 'quote_signature_invalid' -- "$VOUCH" sgx verify "$TMP/q.bin" --collateral $PHALA --at $T
head -c 600 $PHALA/quote.bin > "$TMP/short.bin"
check truncated_quote 1 'quote_malformed' -- "$VOUCH" sgx verify "$TMP/short.bin" --collateral $PHALA --at $T
cp -r $PHALA "$TMP/coll"
sed -i 's/"isvprodid":1/"isvprodid":2/' "$TMP/coll/qe_identity.json"
check tampered_qe_identity 1 'qe_identity_signature_invalid' -- "$VOUCH" sgx verify $PHALA/quote.bin --collateral "$TMP/coll" --at $T
rm "$TMP/coll/qe_identity.json" "$TMP/coll/qe_identity_signature.bin"
cp $PHALA/qe_identity.json $PHALA/qe_identity_signature.bin "$TMP/coll/"
rm "$TMP/coll/qe_identity.json" "$TMP/coll/qe_identity_signature.bin"
check response_json_alternative 0 'verdict: +accepted' -- "$VOUCH" sgx verify $PHALA/quote.bin --collateral "$TMP/coll" --at $T
rm "$TMP/coll/qe_identity_response.json"
check missing_collateral_file 3 'qe_identity' -- "$VOUCH" sgx verify $PHALA/quote.bin --collateral "$TMP/coll" --at $T
check missing_quote 3 'cannot read quote' -- "$VOUCH" sgx verify /nonexistent --collateral $PHALA --at $T
check bad_time 2 'bad --at' -- verify_quote $PHALA --at yesterday
check bad_root 2 'root' -- verify_quote $PHALA --at $T --trust-root $PHALA/tcb_info.json
check no_args 2 '' -- "$VOUCH" sgx verify
check stdin_quote 0 'accepted' -- sh -c "\"$VOUCH\" sgx verify - --collateral $PHALA --at $T < $PHALA/quote.bin"
check help 0 'Exit codes' -- "$VOUCH" sgx verify --help
check version 0 'vouch [0-9]' -- "$VOUCH" --version

# `vouch sgx collateral fetch` against a PCCS stand-in on loopback, then verify what it fetched.
if [ -n "${PCCS_STAND_IN:-}" ]; then
  "$PCCS_STAND_IN" --collateral $PHALA --fmspc 00a067110000 --ca processor --port-file "$TMP/port" &
  stand_in=$!
  URL="http://127.0.0.1:$(wait_port "$TMP/port" "$stand_in")"
  check fetch 0 'fetched collateral for FMSPC 00a067110000 \(processor CA\)' -- \
    "$VOUCH" sgx collateral fetch $PHALA/quote.bin --pccs "$URL" --out "$TMP/fetched"
  check verify_fetched 0 '"verdict":"accepted"' -- \
    "$VOUCH" sgx verify $PHALA/quote.bin --collateral "$TMP/fetched" --at $T --json
  check fetch_json 0 '"fmspc":"00a067110000","ca":"processor"' -- \
    "$VOUCH" sgx collateral fetch $PHALA/quote.bin --pccs "$URL/sgx/certification/v4" --out "$TMP/f2" --json
  check fetch_unknown_platform 3 'pccs_unavailable|404' -- \
    "$VOUCH" sgx collateral fetch $D/teepot/sgx-v3-outofdate-tcbinfo-v2-2023-05/quote.bin --pccs "$URL" --out "$TMP/f3" --json
  check fetch_type1_needs_cert 2 'pck-cert' -- \
    "$VOUCH" sgx collateral fetch $SYN/quote.bin --pccs "$URL" --out "$TMP/f4"
  kill $stand_in; wait $stand_in 2>/dev/null
  check fetch_unreachable 3 'cannot fetch collateral' -- \
    "$VOUCH" sgx collateral fetch $PHALA/quote.bin --pccs "$URL" --out "$TMP/f5" --timeout 2
else
  echo "FAIL: PCCS_STAND_IN is not set; the fetch tests did not run"; fail=$((fail + 1))
fi

finish
