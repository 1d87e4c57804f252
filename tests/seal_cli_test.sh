#!/usr/bin/env bash
# End-to-end test of `vouch seal` / `vouch unseal` with the real binary: the sealing matrix
# (docs/sealing.md) — MRENCLAVE vs MRSIGNER, SVN upgrade and downgrade, other products, signers
# and platforms — plus tampering, truncation, associated data, exit codes and JSON error codes.
# Run by ctest with VOUCH=<binary>, from the repository root. Prints "N passed, N failed".
set -uo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export VOUCH_SIM_DIR="$TMP/sim"

# bundle DIR PRODUCT SVN KEY [EXTRA]: a signed bundle; EXTRA changes the program (and MRENCLAVE).
bundle() {
  mkdir -p "$1"
  printf '#!/bin/sh\necho app %s\n' "${5:-}" >"$1/app.sh"
  chmod +x "$1/app.sh"
  printf '{"format":"vouch-enclave/1","entry":"app.sh","product_id":%d,"isv_svn":%d,"debug":false,"memory_size":65536}\n' \
    "$2" "$3" >"$1/vouch-enclave.json"
  "$VOUCH" enclave sign "$1" --key "$4" >/dev/null || { echo "cannot sign $1"; exit 1; }
}

"$VOUCH" sim init >/dev/null || exit 1
"$VOUCH" sim init --dir "$TMP/sim2" >/dev/null || exit 1
"$VOUCH" enclave keygen --out "$TMP/k1.pem" >/dev/null || exit 1
"$VOUCH" enclave keygen --out "$TMP/k2.pem" >/dev/null || exit 1
bundle "$TMP/v1" 1 1 "$TMP/k1.pem"
bundle "$TMP/v2" 1 2 "$TMP/k1.pem"
bundle "$TMP/v2b" 1 2 "$TMP/k1.pem" rebuilt   # same signer, product and SVN; other MRENCLAVE
bundle "$TMP/v3" 1 3 "$TMP/k1.pem"
bundle "$TMP/other_product" 2 3 "$TMP/k1.pem"
bundle "$TMP/other_signer" 1 3 "$TMP/k2.pem"
mkdir -p "$TMP/unsigned"; cp "$TMP/v1/app.sh" "$TMP/v1/vouch-enclave.json" "$TMP/unsigned/"
printf 'the database password\n' >"$TMP/secret.txt"

seal() { "$VOUCH" seal --bundle "$TMP/$1" --policy "$2" "$TMP/secret.txt" "$TMP/$3"; }
seal v2 mrenclave e2.blob >/dev/null 2>&1
seal v2 mrsigner s2.blob >/dev/null 2>&1
seal v1 mrsigner s1.blob >/dev/null 2>&1

check sealed_mode 0 '^600$' -- stat -c %a "$TMP/e2.blob"
check sealed_size 0 '^118$' -- stat -c %s "$TMP/e2.blob"   # 96 + 22
check no_plaintext_inside 1 '' -- grep -q password "$TMP/e2.blob"

# MRENCLAVE: only the same measurement.
check mrenclave_same 0 '' -- "$VOUCH" unseal --bundle "$TMP/v2" "$TMP/e2.blob" "$TMP/out"
check mrenclave_roundtrip 0 '' -- cmp "$TMP/out" "$TMP/secret.txt"
check unsealed_mode 0 '^600$' -- stat -c %a "$TMP/out"
check mrenclave_rebuilt 1 '"code":"seal_identity_mismatch"' -- \
  "$VOUCH" unseal --bundle "$TMP/v2b" "$TMP/e2.blob" "$TMP/out" --json
check mrenclave_newer 1 '"code":"seal_identity_mismatch"' -- \
  "$VOUCH" unseal --bundle "$TMP/v3" "$TMP/e2.blob" "$TMP/out" --json

# MRSIGNER: same signer and product, SVN >= the blob's.
check mrsigner_same 0 '"sealed_by_isv_svn":2' -- \
  "$VOUCH" unseal --bundle "$TMP/v2" "$TMP/s2.blob" "$TMP/out" --json
check mrsigner_rebuilt 0 '' -- "$VOUCH" unseal --bundle "$TMP/v2b" "$TMP/s2.blob" "$TMP/out"
check mrsigner_upgrade 0 '' -- "$VOUCH" unseal --bundle "$TMP/v3" "$TMP/s2.blob" "$TMP/out"
check mrsigner_upgrade_content 0 '' -- cmp "$TMP/out" "$TMP/secret.txt"
check mrsigner_upgrade_two 0 '' -- "$VOUCH" unseal --bundle "$TMP/v3" "$TMP/s1.blob" "$TMP/out"
check mrsigner_downgrade 1 '"code":"seal_svn_too_new"' -- \
  "$VOUCH" unseal --bundle "$TMP/v1" "$TMP/s2.blob" "$TMP/out" --json
check mrsigner_downgrade_text 1 'ISV SVN 2' -- \
  "$VOUCH" unseal --bundle "$TMP/v1" "$TMP/s2.blob" "$TMP/out"
check other_product 1 '"code":"seal_product_mismatch"' -- \
  "$VOUCH" unseal --bundle "$TMP/other_product" "$TMP/s2.blob" "$TMP/out" --json
check other_signer 1 '"code":"seal_identity_mismatch"' -- \
  "$VOUCH" unseal --bundle "$TMP/other_signer" "$TMP/s2.blob" "$TMP/out" --json
check other_platform 1 '"code":"seal_open_failed"' -- \
  "$VOUCH" unseal --bundle "$TMP/v2" --sim-dir "$TMP/sim2" "$TMP/s2.blob" "$TMP/out" --json
check other_platform_mrenclave 1 '"code":"seal_open_failed"' -- \
  "$VOUCH" unseal --bundle "$TMP/v2" --sim-dir "$TMP/sim2" "$TMP/e2.blob" "$TMP/out" --json
rm -f "$TMP/out"
check refused_writes_nothing 1 '' -- test -e "$TMP/out"

# Associated data.
check aad_seal 0 '' -- "$VOUCH" seal --bundle "$TMP/v2" --policy mrenclave --aad "row 7" \
  "$TMP/secret.txt" "$TMP/aad.blob"
check aad_match 0 '' -- "$VOUCH" unseal --bundle "$TMP/v2" --aad "row 7" "$TMP/aad.blob" "$TMP/out"
check aad_mismatch 1 'seal_open_failed' -- \
  "$VOUCH" unseal --bundle "$TMP/v2" --aad "row 8" "$TMP/aad.blob" "$TMP/out" --json
check aad_missing 1 'seal_open_failed' -- \
  "$VOUCH" unseal --bundle "$TMP/v2" "$TMP/aad.blob" "$TMP/out" --json

# Tampering with every field, and truncation.
tamper() {  # tamper OFFSET → $TMP/t.blob
  cp "$TMP/s2.blob" "$TMP/t.blob"
  local b
  b=$(od -An -tu1 -j"$1" -N1 "$TMP/t.blob" | tr -d ' ')
  printf "\\x$(printf %02x $(((b ^ ${2:-1}) & 255)))" | dd of="$TMP/t.blob" bs=1 seek="$1" conv=notrunc status=none
}
expect_tamper() {  # NAME OFFSET CODE [XOR]
  tamper "$2" "${4:-1}"
  check "$1" 1 "\"code\":\"$3\"" -- "$VOUCH" unseal --bundle "$TMP/v2" "$TMP/t.blob" "$TMP/out" --json
}
expect_tamper magic 0 sealed_blob_malformed
expect_tamper version 4 sealed_blob_malformed
expect_tamper policy 6 sealed_blob_malformed
expect_tamper flags 7 sealed_blob_malformed
expect_tamper svn_lower 8 seal_open_failed 3     # SVN 2 -> 1: a derivable but other key
expect_tamper svn_higher 9 seal_svn_too_new      # SVN 2 -> 258
expect_tamper product 10 seal_product_mismatch
expect_tamper identity 20 seal_identity_mismatch
expect_tamper key_id 50 seal_open_failed
expect_tamper nonce 65 seal_open_failed
expect_tamper size 72 sealed_blob_malformed
expect_tamper ciphertext 85 seal_open_failed
expect_tamper tag 110 seal_open_failed
for n in 0 3 50 79 80 95 100; do
  head -c "$n" "$TMP/s2.blob" >"$TMP/t.blob"
  check "truncated_$n" 1 '"code":"sealed_blob_malformed"' -- \
    "$VOUCH" unseal --bundle "$TMP/v2" "$TMP/t.blob" "$TMP/out" --json
done
cp "$TMP/s2.blob" "$TMP/t.blob"; printf 'x' >>"$TMP/t.blob"
check extended 1 'truncated or extended' -- "$VOUCH" unseal --bundle "$TMP/v2" "$TMP/t.blob" "$TMP/out"
check not_a_blob 1 'sealed_blob_malformed' -- \
  "$VOUCH" unseal --bundle "$TMP/v2" "$TMP/secret.txt" "$TMP/out" --json

# Pipes, usage and I/O.
check stdin_stdout 0 'the database password' -- sh -c \
  "\"$VOUCH\" seal --bundle \"$TMP/v2\" --policy mrsigner - - < \"$TMP/secret.txt\" | \"$VOUCH\" unseal --bundle \"$TMP/v3\" - -"
check bad_policy 2 'mrenclave or mrsigner' -- \
  "$VOUCH" seal --bundle "$TMP/v2" --policy both "$TMP/secret.txt" "$TMP/x"
check no_policy 2 '' -- "$VOUCH" seal --bundle "$TMP/v2" "$TMP/secret.txt" "$TMP/x"
check unsigned_bundle 2 '"code":"bundle_unsigned"' -- \
  "$VOUCH" seal --bundle "$TMP/unsigned" --policy mrenclave "$TMP/secret.txt" "$TMP/x" --json
check missing_input 3 '"code":"io_error"' -- \
  "$VOUCH" seal --bundle "$TMP/v2" --policy mrenclave "$TMP/nonexistent" "$TMP/x" --json
check no_platform 2 'sim_not_initialized' -- \
  "$VOUCH" unseal --bundle "$TMP/v2" --sim-dir "$TMP/none" "$TMP/s2.blob" "$TMP/x" --json
chmod 644 "$TMP/sim/platform_secret"
check insecure_state 2 'sim_state_insecure' -- \
  "$VOUCH" unseal --bundle "$TMP/v2" "$TMP/s2.blob" "$TMP/x" --json
check insecure_state_fix 2 'chmod 600 .*platform_secret' -- \
  "$VOUCH" unseal --bundle "$TMP/v2" "$TMP/s2.blob" "$TMP/x"
chmod 600 "$TMP/sim/platform_secret"
check help_seal 0 'mrsigner' -- "$VOUCH" seal --help

finish
