#!/usr/bin/env bash
# End-to-end test of `vouch sgx verify` and `vouch sgx collateral fetch` on Intel TDX quotes:
# the real TDX vectors, the TD identity in human and JSON output, TDX constraints, and that a
# Conclave constraint never accepts a TD (nor a TDX constraint an SGX enclave).
# Run by ctest with VOUCH=<binary> and PCCS_STAND_IN=<binary>, from the repository root.
set -uo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
D=tests/data/sgx-dcap
TD=$D/phala-dcap-qvl/tdx-v4-2025-06
T=1752919234
MRTD=91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7
RTMR0=44c0197b39157fdd7a4dcc44767f9d6b0bb3977c7a8e347b8492f827fe9d9e5c48aca29b220b80b6a540cf994b9bc9c0
SGX=$D/phala-dcap-qvl/sgx-v3-2025-06

check accepted 0 'verdict: +accepted' -- verify_quote $TD --at $T
check human_td 0 "MRTD +$MRTD" -- verify_quote $TD --at $T
check human_tee 0 'tee: +Intel TDX, quote v4, TD report 1.0' -- \
  verify_quote $TD --at $T
check json_fields 0 '"verdict":"accepted","tee":"TDX","tcb_status":"UpToDate".*"intel_qv_result":"SGX_QL_QV_RESULT_OK"' -- \
  verify_quote $TD --at $T --json
check json_td 0 "\"td\":\\{\"tee\":\"TDX\",\"mr_td\":\"$MRTD\",\"rtmr0\":\"$RTMR0\"" -- \
  verify_quote $TD --at $T --json
check json_mode 0 '"debug":false,"mode":"RELEASE","security":\{"summary":"SECURE"' -- \
  verify_quote $TD --at $T --json
check teepot_trailing_bytes 0 '"tcb_status":"UpToDate"' -- \
  verify_quote $D/teepot/tdx-v4-2024-12 \
  --at 1733406935 --json
V5=$D/phala-dcap-qvl/tdx-v5-no-matching-tcb-level-2026-02
check v5_no_level 1 '"tee":"TDX","error":\{"code":"tcb_level_not_found"' -- \
  verify_quote $V5 --at 1774003274 --json

# Constraints: TDX terms for a TD; a Conclave string never accepts a TD, nor the reverse.
check tdx_constraint_pass 0 'constraint: +PASS \(TEE:TDX MRTD:91EB' -- \
  verify_quote $TD --at $T \
  --constraint "TEE:TDX MRTD:$MRTD RTMR0:$RTMR0 SEC:SECURE"
check tdx_constraint_fail 1 '"code":"constraint_failed".*TD RTMR0 44C0' -- \
  verify_quote $TD --at $T --json \
  --constraint "TEE:TDX MRTD:$MRTD RTMR0:$MRTD"
check conclave_on_td 1 'names an SGX enclave \(a Conclave constraint\) but the evidence is an Intel TDX' -- \
  verify_quote $TD --at $T \
  --constraint "C:${MRTD:0:64} SEC:INSECURE"
check tdx_on_sgx 1 'names an Intel TDX trust domain \(TEE:TDX\) but the evidence is an SGX enclave' -- \
  verify_quote $SGX --at 1752919277 \
  --constraint "TEE:TDX MRTD:$MRTD SEC:INSECURE"
check tdx_constraint_malformed 2 'malformed constraint' -- \
  verify_quote $TD --at $T --constraint "TEE:TDX MRTD:abc"
check tdx_constraint_invalid 2 'invalid constraint' -- \
  verify_quote $TD --at $T --constraint "TEE:TDX RTMR0:$RTMR0"

# Collateral for the wrong TEE, time, tampering, truncation.
check sgx_collateral_for_td 1 '"code":"tcb_info_wrong_tee"' -- \
  "$VOUCH" sgx verify $TD/quote.bin --collateral $SGX --at $T --json
check tdx_collateral_for_sgx 1 '"code":"tcb_info_wrong_tee"' -- \
  "$VOUCH" sgx verify $SGX/quote.bin --collateral $TD --at 1752919277 --json
check expired 1 '"code":"collateral_expired"' -- \
  verify_quote $TD --at 1752919235 --json
cp $TD/quote.bin "$TMP/q.bin"
printf '\x01' | dd of="$TMP/q.bin" bs=1 seek=300 conv=notrunc status=none
check tampered_td 1 'quote_signature_invalid' -- "$VOUCH" sgx verify "$TMP/q.bin" --collateral $TD --at $T
head -c 700 $TD/quote.bin > "$TMP/short.bin"
check truncated_td 1 'quote_malformed' -- "$VOUCH" sgx verify "$TMP/short.bin" --collateral $TD --at $T

# `vouch sgx collateral fetch` for a TD quote: TCB Info and TD_QE from /tdx, CRLs from /sgx.
if [ -n "${PCCS_STAND_IN:-}" ]; then
  # The PCCS's CRLs are the TD platform's; under /sgx it serves SGX TCB Info and QE Identity.
  cp -r $TD "$TMP/pccs" && rm "$TMP/pccs"/tcb_info* "$TMP/pccs"/qe_identity*
  cp $SGX/tcb_info* $SGX/qe_identity* "$TMP/pccs/"
  "$PCCS_STAND_IN" --collateral "$TMP/pccs" --tdx-collateral $TD --fmspc b0c06f000000 \
    --ca platform --port-file "$TMP/port" &
  stand_in=$!
  URL="http://127.0.0.1:$(wait_port "$TMP/port" "$stand_in")"
  check fetch_td 0 'fetched collateral for FMSPC b0c06f000000 \(platform CA\)' -- \
    "$VOUCH" sgx collateral fetch $TD/quote.bin --pccs "$URL" --out "$TMP/fetched"
  check verify_fetched_td 0 '"verdict":"accepted","tee":"TDX"' -- \
    "$VOUCH" sgx verify $TD/quote.bin --collateral "$TMP/fetched" --at $T --json
  cmp -s "$TMP/fetched/tcb_info.json" $TD/tcb_info.json && cmp -s "$TMP/fetched/qe_identity.json" \
    $TD/qe_identity.json && ok || bad "fetched TDX TCB Info and TD_QE identity differ"
  kill $stand_in; wait $stand_in 2>/dev/null
else
  echo "FAIL: PCCS_STAND_IN is not set; the fetch tests did not run"; fail=$((fail + 1))
fi

finish
