#!/usr/bin/env bash
# End-to-end test of the enclave side with the real binary: `vouch sim`, `vouch measure`,
# `vouch enclave keygen|sign|quote|run` and `vouch sgx verify --sim-root`.
#
# A bundle is made from scratch here, following docs/measurement.md, and its MRENCLAVE is
# computed independently by this script (the ECREATE/EADD/EEXTEND record stream built with
# printf and dd, hashed with sha256sum) and compared with `vouch measure`.
#
# Run by ctest with VOUCH=<binary> (and HELLO_ENCLAVE=<example program> when examples are
# built), from the repository root. Prints "N passed, N failed".
set -uo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export VOUCH_SIM_DIR="$TMP/sim"

# expect_eq NAME A B
expect_eq() {
  if [ -n "$2" ] && [ "$2" == "$3" ]; then ok; else bad "$1: '$2' != '$3'"; fi
}
expect_ne() {
  if [ "$2" != "$3" ]; then ok; else bad "$1: both '$2'"; fi
}
json_field() { sed -n "s/.*\"$1\":\"\\{0,1\\}\\([^\",}]*\\).*/\\1/p" | head -1; }
mrenclave_of() { "$VOUCH" measure "$1" --json | json_field mr_enclave; }

# ---- docs/measurement.md, independently: the SGX record stream of a bundle -----------------

# le VALUE NBYTES: VALUE little-endian.
le() {
  local v=$1 n=$2 i out=""
  for ((i = 0; i < n; i++)); do out+=$(printf '\\x%02x' $(((v >> (8 * i)) & 255))); done
  printf "$out"
}
zeros() { head -c "$1" /dev/zero; }
# region FILE OFFSET FLAGS: EADD + 16 EEXTENDs per 4 KiB page of FILE, zero-padded.
# Prints the next offset on fd 3.
region() {
  local file=$1 off=$2 flags=$3 size pages p c padded="$TMP/page.pad"
  size=$(stat -c %s "$file")
  pages=$(((size + 4095) / 4096))
  cp "$file" "$padded"
  truncate -s $((pages * 4096)) "$padded"
  for ((p = 0; p < pages; p++)); do
    printf 'EADD\0\0\0\0'; le $((off + p * 4096)) 8; le "$flags" 8; zeros 40
    for ((c = 0; c < 16; c++)); do
      printf 'EEXTEND\0'; le $((off + p * 4096 + c * 256)) 8; zeros 48
      dd if="$padded" bs=256 skip=$((p * 16 + c)) count=1 status=none
    done
  done
  echo $((off + pages * 4096)) >&3
}
# script_mrenclave BUNDLE MEMORY_SIZE ENTRY
script_mrenclave() {
  local dir=$1 memsize=$2 entry=$3 index="$TMP/index" off=0 name flags
  local names
  names=$(cd "$dir" && find . -type f ! -path ./vouch-enclave.sig | sed 's|^\./||' | LC_ALL=C sort)
  { printf 'vouch-enclave-bundle/1\n'
    while IFS= read -r name; do printf '%d %s\n' "$(stat -c %s "$dir/$name")" "$name"; done <<<"$names"
  } >"$index"
  {
    printf 'ECREATE\0'; le 1 4; le "$memsize" 8; zeros 44
    region "$index" 0 513 3>"$TMP/off"
    off=$(cat "$TMP/off")
    while IFS= read -r name; do
      flags=513
      [ "$name" == "$entry" ] && flags=517
      region "$dir/$name" "$off" "$flags" 3>"$TMP/off"
      off=$(cat "$TMP/off")
    done <<<"$names"
  } | sha256sum | cut -d' ' -f1
}

# ---- a bundle from scratch --------------------------------------------------------------------
B="$TMP/app"
mkdir -p "$B/lib"
printf '#!/bin/sh\necho "app says hello $*"\n' >"$B/app.sh"
chmod +x "$B/app.sh"
head -c 5000 /dev/zero | tr '\0' 'x' >"$B/lib/data.bin"
cat >"$B/vouch-enclave.json" <<'EOF'
{
  "format": "vouch-enclave/1",
  "entry": "app.sh",
  "product_id": 7,
  "isv_svn": 2,
  "debug": false,
  "memory_size": 1048576
}
EOF

check measure_unsigned 0 'MRSIGNER: +\(unsigned' -- "$VOUCH" measure "$B"
M1=$(mrenclave_of "$B")
check measure_is_hex 0 '^[0-9a-f]{64}$' -- echo "$M1"
expect_eq measure_matches_script "$M1" "$(script_mrenclave "$B" 1048576 app.sh)"
expect_eq measure_reproducible "$M1" "$(mrenclave_of "$B")"
# Another directory, files written in another order: the same value.
B2="$TMP/elsewhere/app-copy"
mkdir -p "$B2/lib"
cp "$B/vouch-enclave.json" "$B2/"; cp "$B/lib/data.bin" "$B2/lib/"; cp "$B/app.sh" "$B2/"
expect_eq measure_other_directory "$M1" "$(mrenclave_of "$B2")"
# Any change: a file's content, a new file, a name, the manifest, the layout.
printf 'y' | dd of="$B2/lib/data.bin" bs=1 seek=4999 conv=notrunc status=none
expect_ne changed_file "$M1" "$(mrenclave_of "$B2")"
cp "$B/lib/data.bin" "$B2/lib/"
: >"$B2/empty"
expect_ne added_empty_file "$M1" "$(mrenclave_of "$B2")"
expect_eq added_file_script "$(mrenclave_of "$B2")" "$(script_mrenclave "$B2" 1048576 app.sh)"
rm "$B2/empty"; mv "$B2/lib/data.bin" "$B2/lib/data2.bin"
expect_ne renamed_file "$M1" "$(mrenclave_of "$B2")"
mv "$B2/lib/data2.bin" "$B2/lib/data.bin"
sed -i 's/"isv_svn": 2/"isv_svn": 3/' "$B2/vouch-enclave.json"
expect_ne manifest_svn "$M1" "$(mrenclave_of "$B2")"
cp "$B/vouch-enclave.json" "$B2/"
head -c 4096 "$B/lib/data.bin" >"$B2/lib/a.bin"; tail -c 904 "$B/lib/data.bin" >"$B2/lib/b.bin"
rm "$B2/lib/data.bin"
expect_ne same_bytes_other_layout "$M1" "$(mrenclave_of "$B2")"
expect_eq back_to_script "$(mrenclave_of "$B2")" "$(script_mrenclave "$B2" 1048576 app.sh)"

# Malformed bundles.
mkdir -p "$TMP/bad"
check no_manifest 2 'bundle_malformed|no vouch-enclave.json' -- "$VOUCH" measure "$TMP/bad"
echo '{"format":"vouch-enclave/1"}' >"$TMP/bad/vouch-enclave.json"
check bad_manifest_json 2 '"code":"manifest_malformed"' -- "$VOUCH" measure "$TMP/bad" --json
check missing_bundle 3 '' -- "$VOUCH" measure "$TMP/nonexistent"
check measure_usage 2 '' -- "$VOUCH" measure
check measure_both 2 'either' -- "$VOUCH" measure "$B" --sigstruct "$TMP/x"

# ---- signing ------------------------------------------------------------------------------------
check keygen 0 'MRSIGNER: +[0-9a-f]{64}' -- "$VOUCH" enclave keygen --out "$TMP/key.pem"
expect_eq key_mode 600 "$(stat -c %a "$TMP/key.pem")"
check keygen_no_overwrite 2 'exists' -- "$VOUCH" enclave keygen --out "$TMP/key.pem"
check unsigned_quote 2 'bundle_unsigned' -- \
  "$VOUCH" enclave quote "$B" --report-data 00 --out "$TMP/q" --json
# One rule for every private key: a signing key others may read is refused, with the fix.
chmod 644 "$TMP/key.pem"
check sign_key_0644 2 "chmod 600 $TMP/key.pem" -- "$VOUCH" enclave sign "$B" --key "$TMP/key.pem"
chmod 600 "$TMP/key.pem"
check sign 0 'signed:' -- "$VOUCH" enclave sign "$B" --key "$TMP/key.pem" --date 2025-07-01
SIGNER=$("$VOUCH" measure "$B" --json | json_field mr_signer)
check signer_is_hex 0 '^[0-9a-f]{64}$' -- echo "$SIGNER"
check signed_measure 0 "\"mr_enclave\":\"$M1\",\"mr_signer\":\"$SIGNER\",\"signature\":\"valid\"" -- \
  "$VOUCH" measure "$B" --json
# MRSIGNER = SHA-256 of the modulus as stored (little-endian) in the SIGSTRUCT.
expect_eq mrsigner_is_modulus_hash "$SIGNER" \
  "$(dd if="$B/vouch-enclave.sig" bs=1 skip=128 count=384 status=none | sha256sum | cut -d' ' -f1)"
expect_eq sigstruct_size 1808 "$(stat -c %s "$B/vouch-enclave.sig")"
check sigstruct 0 "\"mr_enclave\":\"$M1\",\"mr_signer\":\"$SIGNER\",\"product_id\":7,\"isv_svn\":2" -- \
  "$VOUCH" measure --sigstruct "$B/vouch-enclave.sig" --json
check sigstruct_date 0 '"date":"20250701"' -- "$VOUCH" measure --sigstruct "$B/vouch-enclave.sig" --json
cp "$B/vouch-enclave.sig" "$TMP/sig"
printf '\x01' | dd of="$TMP/sig" bs=1 seek=1026 conv=notrunc status=none
check sigstruct_tampered 1 '"code":"sigstruct_signature_invalid"' -- \
  "$VOUCH" measure --sigstruct "$TMP/sig" --json
head -c 1000 "$B/vouch-enclave.sig" >"$TMP/sig"
check sigstruct_truncated 1 'sigstruct_malformed' -- "$VOUCH" measure --sigstruct "$TMP/sig" --json
check sigstruct_missing 3 '' -- "$VOUCH" measure --sigstruct "$TMP/nonexistent"
cp "$B/vouch-enclave.json" "$TMP/not-a-key"; chmod 600 "$TMP/not-a-key"
check sign_bad_key 2 'key_malformed' -- \
  "$VOUCH" enclave sign "$B" --key "$TMP/not-a-key" --json
check sign_key_insecure 2 'key_file_insecure' -- \
  "$VOUCH" enclave sign "$B" --key "$B/vouch-enclave.json" --json

# ---- the simulated platform ---------------------------------------------------------------------
check quote_without_platform 2 'sim_not_initialized' -- \
  "$VOUCH" enclave quote "$B" --report-data 00 --out "$TMP/q" --json
check sim_init 0 'root CA: ' -- "$VOUCH" sim init
check sim_init_again 2 'sim_exists' -- "$VOUCH" sim init --json
expect_eq sim_dir_mode 700 "$(stat -c %a "$VOUCH_SIM_DIR")"
expect_eq sim_secret_mode 600 "$(stat -c %a "$VOUCH_SIM_DIR/platform_secret")"
expect_eq sim_key_mode 600 "$(stat -c %a "$VOUCH_SIM_DIR/root_ca.key")"
check sim_info 0 '"root_ca_sha256":"[0-9a-f]{64}"' -- "$VOUCH" sim info --json
check sim_info_missing 2 'sim_not_initialized' -- "$VOUCH" sim info --dir "$TMP/none" --json
check sim_collateral 0 'valid' -- "$VOUCH" sim collateral --out "$TMP/coll"

RD=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
check quote 0 '"size":' -- "$VOUCH" enclave quote "$B" --report-data $RD --out "$TMP/q.bin" --json
check verify_sim_root 0 "\"trust_root\":\"simulation\".*\"code_hash\":\"$M1\",\"code_signer\":\"$SIGNER\",\"product_id\":7,\"isv_svn\":2,\"revocation_level\":1,\"mode\":\"SIMULATION\",\"security\":\\{\"summary\":\"INSECURE\"" -- \
  "$VOUCH" sgx verify "$TMP/q.bin" --collateral "$TMP/coll" --sim-root "$TMP/coll/root_ca.der" --json
check verify_report_data 0 "\"report_data\":\"$RD\"" -- \
  "$VOUCH" sgx verify "$TMP/q.bin" --collateral "$TMP/coll" --sim-root "$TMP/coll/root_ca.der" --json
check verify_constraint 0 'constraint: +PASS' -- \
  "$VOUCH" sgx verify "$TMP/q.bin" --collateral "$TMP/coll" --sim-root "$VOUCH_SIM_DIR/root_ca.der" \
  --constraint "S:$SIGNER PROD:7 SEC:INSECURE"
check verify_production_constraint 1 'constraint_failed' -- \
  "$VOUCH" sgx verify "$TMP/q.bin" --collateral "$TMP/coll" --sim-root "$VOUCH_SIM_DIR/root_ca.der" \
  --constraint "C:$M1" --json
check verify_intel_root_only 1 '"code":"untrusted_root"' -- \
  "$VOUCH" sgx verify "$TMP/q.bin" --collateral "$TMP/coll" --json
# Collateral issued for a later time verifies at that time (re-signed on demand).
LATER=$(($(date +%s) + 200 * 86400))
check collateral_later 0 '' -- "$VOUCH" sim collateral --out "$TMP/coll-later" --at $LATER
check verify_later 0 'accepted' -- "$VOUCH" sgx verify "$TMP/q.bin" --collateral "$TMP/coll-later" \
  --sim-root "$TMP/coll-later/root_ca.der" --at $LATER
check verify_expired 1 'collateral_expired' -- "$VOUCH" sgx verify "$TMP/q.bin" \
  --collateral "$TMP/coll" --sim-root "$TMP/coll/root_ca.der" --at $LATER --json
# Another installation's root does not verify this platform's quotes.
check other_sim 0 '' -- "$VOUCH" sim init --dir "$TMP/sim2"
check verify_other_root 1 'untrusted_root' -- "$VOUCH" sgx verify "$TMP/q.bin" \
  --collateral "$TMP/coll" --sim-root "$TMP/sim2/root_ca.der" --json

# Tampering anywhere: header, identity, report data, signatures, attestation key, QE report,
# QE auth data, certification data. Each must be rejected.
for off in 9 60 112 176 304 306 400 440 520 600 960 1020 1100 2000 3000; do
  cp "$TMP/q.bin" "$TMP/t.bin"
  b=$(od -An -tu1 -j$off -N1 "$TMP/t.bin" | tr -d ' ')
  printf "\\x$(printf %02x $(((b ^ 0x20) & 255)))" | dd of="$TMP/t.bin" bs=1 seek=$off conv=notrunc status=none
  check "tampered_quote_at_$off" 1 'rejected' -- \
    "$VOUCH" sgx verify "$TMP/t.bin" --collateral "$TMP/coll" --sim-root "$TMP/coll/root_ca.der"
done
head -c 1000 "$TMP/q.bin" >"$TMP/t.bin"
check truncated_quote 1 'quote_malformed' -- \
  "$VOUCH" sgx verify "$TMP/t.bin" --collateral "$TMP/coll" --sim-root "$TMP/coll/root_ca.der"

# A bundle changed after signing is refused (exit 1), never quoted with the old identity.
cp -r "$B" "$TMP/stale"
echo '# changed' >>"$TMP/stale/app.sh"
check stale_signature 1 '"code":"bundle_signature_mismatch"' -- \
  "$VOUCH" enclave quote "$TMP/stale" --report-data 00 --out "$TMP/q2" --json
check stale_measure 1 '"signature":"invalid"' -- "$VOUCH" measure "$TMP/stale" --json
check bad_report_data 2 'report-data' -- \
  "$VOUCH" enclave quote "$B" --report-data "$RD"00 --out "$TMP/q2"

# ---- running a bundle -----------------------------------------------------------------------------
check run_script_bundle 0 'app says hello a b' -- "$VOUCH" enclave run "$B" -- a b
check run_stale 1 'is for another measurement' -- "$VOUCH" enclave run "$TMP/stale"
check run_no_platform 2 'no simulated platform' -- "$VOUCH" enclave run "$B" --sim-dir "$TMP/none"

if [ -n "${HELLO_ENCLAVE:-}" ] && [ -x "$HELLO_ENCLAVE" ]; then
  H="$TMP/hello"
  mkdir -p "$H/bin"
  cp "$HELLO_ENCLAVE" "$H/bin/hello_enclave"
  # The manifest shipped in examples/ fits the program (issue 11: 16 MiB did not).
  cp examples/hello_enclave/vouch-enclave.json "$H/"
  check hello_shipped_manifest 0 'MRENCLAVE:' -- "$VOUCH" measure "$H"
  make_manifest() {
    printf '{"format":"vouch-enclave/1","entry":"bin/hello_enclave","product_id":1,"isv_svn":%d,"debug":false,"memory_size":1073741824}\n' "$2" >"$1/vouch-enclave.json"
  }
  make_manifest "$H" 1
  check hello_sign 0 '' -- "$VOUCH" enclave sign "$H" --key "$TMP/key.pem"
  HM=$(mrenclave_of "$H")
  check hello_run 0 "mr_enclave: +$HM" -- \
    "$VOUCH" enclave run "$H" -- --report-data "$RD" --quote-out "$TMP/hq.bin" --seal-out "$TMP/h1.blob"
  check hello_identity 0 "mr_signer: +$SIGNER" -- "$VOUCH" enclave run "$H"
  check hello_sealed 0 'seal: +[0-9]+-byte blob, unsealed ok' -- "$VOUCH" enclave run "$H"
  check hello_quote_verifies 0 "\"code_hash\":\"$HM\".*\"report_data\":\"$RD\"" -- \
    "$VOUCH" sgx verify "$TMP/hq.bin" --collateral "$TMP/coll" --sim-root "$TMP/coll/root_ca.der" --json
  # Version 2 of the same program (another MRENCLAVE, same signer) unseals version 1's data;
  # version 1 cannot unseal version 2's.
  H2="$TMP/hello2"
  cp -r "$H" "$H2"
  make_manifest "$H2" 2
  check hello2_sign 0 '' -- "$VOUCH" enclave sign "$H2" --key "$TMP/key.pem"
  check hello2_unseals_v1 0 'unsealed: +hello, sealed world' -- \
    "$VOUCH" enclave run "$H2" -- --seal-out "$TMP/h2.blob" --unseal "$TMP/h1.blob"
  check hello1_cannot_unseal_v2 1 'seal_svn_too_new' -- \
    "$VOUCH" enclave run "$H" -- --unseal "$TMP/h2.blob"
  check hello_mock 0 'platform: +mock \(mode MOCK\)' -- "$VOUCH" enclave run "$H" --platform mock
  check hello_without_runner 3 'platform_unavailable|not running as an enclave' -- \
    env -u VOUCH_PLATFORM VOUCH_GRAMINE_ATTESTATION_DIR=/nonexistent "$H/bin/hello_enclave"
else
  echo "note: HELLO_ENCLAVE not set; skipping the example enclave"
fi

check help_measure 0 'SIGSTRUCT' -- "$VOUCH" measure --help
check help_run 0 'VOUCH_ENCLAVE_IDENTITY' -- "$VOUCH" enclave run --help
check help_sim 0 'sim-root' -- "$VOUCH" sim --help

finish
