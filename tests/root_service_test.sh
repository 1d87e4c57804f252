#!/usr/bin/env bash
# End-to-end test of `vouch serve root` as a simulated enclave (docs/root.md): a bundle holding
# the vouch binary itself, started with `vouch enclave run`; GET /identity checked from outside
# (`vouch sgx verify --sim-root` with a constraint on the bundle's MRENCLAVE, `vouch govern
# key-binding` of the served key); the sealed key kept across a restart; refused by another
# measurement and on another platform; `serve root` outside an enclave; a root whose binary has one
# byte flipped refuses to start.
#
# Run by ctest with VOUCH=<binary>, from the repository root. Prints "N passed, N failed".
set -uo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mrenclave_of() { "$VOUCH" measure "$1" --json | field mr_enclave; }
# make_bundle DIR SVN: a root bundle of this vouch binary.
make_bundle() {
  mkdir -p "$1/bin"
  cp "$VOUCH" "$1/bin/vouch"
  printf '{"format":"vouch-enclave/1","entry":"bin/vouch","product_id":1,"isv_svn":%d,"debug":false,"memory_size":1073741824}\n' \
    "$2" >"$1/vouch-enclave.json"
}
# start_root BUNDLE DATA PORTFILE [ARGS...]: starts a root in the background (joining: the
# ledger has no root set), sets $pid.
start_root() {
  local bundle=$1 data=$2 port=$3
  shift 3
  rm -f "$port"
  "$VOUCH" enclave run "$bundle" -- serve root --data "$data" --listen 127.0.0.1:0 \
    --port-file "$port" "${ROOT_FLAGS[@]}" "$@" >"$TMP/root.out" 2>&1 &
  pid=$!
}

# ---- outside an enclave -------------------------------------------------------------------------
check outside_enclave 2 '"code":"platform_unavailable"' -- \
  env -u VOUCH_PLATFORM VOUCH_GRAMINE_ATTESTATION_DIR=/nonexistent \
  "$VOUCH" serve root --data "$TMP/never" --json
[ ! -e "$TMP/never" ] && ok || bad "outside_enclave created --data"
check help_example 0 'vouch enclave run root-bundle/' -- "$VOUCH" serve root --help

# ---- a witnessed log, a simulated platform and two root bundles -----------------------------------
start_witnessed_log example.com/roots 2 2 || exit 1
export VOUCH_SIM_DIR="$TMP/sim"
check sim_init 0 '' -- "$VOUCH" sim init
check sim_collateral 0 '' -- "$VOUCH" sim collateral --out "$TMP/coll"
ROOT_FLAGS=(--log "$LOG" --policy "$POLICY" --sim-root "$VOUCH_SIM_DIR/root_ca.der"
  --collateral "$TMP/coll" --bootstrap)
check builder_key 0 '' -- "$VOUCH" enclave keygen --out "$TMP/builder.pem"
make_bundle "$TMP/r1" 1
make_bundle "$TMP/r2" 2
check sign_r1 0 '' -- "$VOUCH" enclave sign "$TMP/r1" --key "$TMP/builder.pem"
check sign_r2 0 '' -- "$VOUCH" enclave sign "$TMP/r2" --key "$TMP/builder.pem"
M1=$(mrenclave_of "$TMP/r1")
M2=$(mrenclave_of "$TMP/r2")
[[ "$M1" =~ ^[0-9a-f]{64}$ ]] && [ "$M1" != "$M2" ] && ok || bad "measurements '$M1' '$M2'"

# ---- first start: a new key, served with its binding ----------------------------------------------
D="$TMP/root"
start_root "$TMP/r1" "$D" "$TMP/p1"
PORT=$(wait_port "$TMP/p1" "$pid")
[ -n "$PORT" ] && ok || { bad "root did not start"; cat "$TMP/root.out"; }
code=$(curl -s -o "$TMP/id1.json" -w '%{http_code}' "http://127.0.0.1:$PORT/identity")
[ "$code" = 200 ] && ok || bad "GET /identity: $code"
KEYID=$(field keyid <"$TMP/id1.json")
grep -q "root $KEYID listening on 127.0.0.1:$PORT" "$TMP/root.out" && ok ||
  bad "announcement: $(cat "$TMP/root.out")"
grep -q "\"platform\":\"sim\",\"mode\":\"SIMULATION\",\"identity\":{\"mr_enclave\":\"$M1\"" \
  "$TMP/id1.json" && ok || bad "identity: $(cat "$TMP/id1.json")"
expect_mode=$(stat -c %a "$D/root-key.sealed" 2>/dev/null)
[ "$expect_mode" = 600 ] && ok || bad "sealed key mode '$expect_mode'"
[ "$(stat -c %a "$D")" = 700 ] && ok || bad "data dir mode"

# The key: its keyid is the SHA-256 of its SPKI; `vouch govern key-binding` of it gives the
# report data the served quote carries.
field spki <"$TMP/id1.json" | base64 -d >"$TMP/spki.der"
[ "$(h "$TMP/spki.der")" = "$KEYID" ] && ok || bad "keyid is not H(spki)"
{
  echo "-----BEGIN PUBLIC KEY-----"
  base64 -w 64 <"$TMP/spki.der"
  echo "-----END PUBLIC KEY-----"
} >"$TMP/root.pub"
RD=$("$VOUCH" govern key-binding "$TMP/root.pub")
[[ "$RD" =~ ^[0-9a-f]{64}0{64}$ ]] && ok || bad "key-binding '$RD'"
[ "$(field report_data <"$TMP/id1.json")" = "$RD" ] && ok || bad "served report_data != key-binding"
field quote <"$TMP/id1.json" | base64 -d >"$TMP/q1.bin"
check binding_verifies 0 "\"code_hash\":\"$M1\".*\"report_data\":\"$RD\"" -- \
  "$VOUCH" sgx verify "$TMP/q1.bin" --collateral "$TMP/coll" --sim-root "$VOUCH_SIM_DIR/root_ca.der" \
  --constraint "C:$M1 SEC:INSECURE" --json
check binding_other_measurement 1 'constraint_failed' -- \
  "$VOUCH" sgx verify "$TMP/q1.bin" --collateral "$TMP/coll" --sim-root "$VOUCH_SIM_DIR/root_ca.der" \
  --constraint "C:$M2 SEC:INSECURE" --json
check binding_other_root 1 'untrusted_root' -- \
  "$VOUCH" sgx verify "$TMP/q1.bin" --collateral "$TMP/coll" --json

# One data directory, one root.
check data_dir_in_use 3 'data_dir_in_use' -- \
  "$VOUCH" enclave run "$TMP/r1" -- serve root --data "$D" --listen 127.0.0.1:0 "${ROOT_FLAGS[@]}" --json

# ---- SIGTERM, restart: the same key ----------------------------------------------------------------
SEALED=$(h "$D/root-key.sealed")
kill -TERM "$pid"
wait "$pid"
rc=$?
[ $rc -eq 0 ] && ok || bad "SIGTERM: exit $rc"
start_root "$TMP/r1" "$D" "$TMP/p2"
PORT=$(wait_port "$TMP/p2" "$pid")
curl -s -o "$TMP/id2.json" "http://127.0.0.1:$PORT/identity"
[ "$(field keyid <"$TMP/id2.json")" = "$KEYID" ] && ok || bad "restart changed the key"
[ "$(h "$D/root-key.sealed")" = "$SEALED" ] && ok || bad "restart rewrote the sealed key"
kill -TERM "$pid"
wait "$pid"

# ---- another measurement, another platform: refused, the key kept --------------------------------
check other_measurement 1 'seal_identity_mismatch' -- \
  "$VOUCH" enclave run "$TMP/r2" -- serve root --data "$D" --listen 127.0.0.1:0 "${ROOT_FLAGS[@]}" --json
check other_measurement_text 1 "root-key.sealed does not unseal in this enclave" -- \
  "$VOUCH" enclave run "$TMP/r2" -- serve root --data "$D" --listen 127.0.0.1:0 "${ROOT_FLAGS[@]}"
check other_sim 0 '' -- "$VOUCH" sim init --dir "$TMP/sim2"
check other_platform 1 'seal_open_failed' -- \
  "$VOUCH" enclave run "$TMP/r1" --sim-dir "$TMP/sim2" -- serve root --data "$D" "${ROOT_FLAGS[@]}" --json
[ "$(h "$D/root-key.sealed")" = "$SEALED" ] && ok || bad "a refused start replaced the key"
# A damaged sealed key is refused too, never replaced.
cp "$D/root-key.sealed" "$TMP/sealed.bak"
byte=$(od -An -tu1 -j100 -N1 "$D/root-key.sealed" | tr -d ' ')
# shellcheck disable=SC2059
printf "\\$(printf %o $((byte ^ 1)))" | dd of="$D/root-key.sealed" bs=1 seek=100 conv=notrunc status=none
cmp -s "$D/root-key.sealed" "$TMP/sealed.bak" && bad "the byte was not flipped" || ok
check damaged 1 'seal_open_failed' -- \
  "$VOUCH" enclave run "$TMP/r1" -- serve root --data "$D" "${ROOT_FLAGS[@]}" --json
cp "$TMP/sealed.bak" "$D/root-key.sealed"

# ---- a root bundle whose vouch has one byte flipped (in .comment, which nothing loads), signed
# anew so that the bundle itself is in order: the image integrity check refuses to serve ----------
cp -r "$TMP/r1" "$TMP/r3"
comment=$(readelf -SW "$TMP/r3/bin/vouch" | sed 's/^ *\[ *[0-9]*\] *//' | awk '$1 == ".comment" { print $4 }')
byte=$(od -An -tu1 -j $((16#$comment)) -N1 "$TMP/r3/bin/vouch" | tr -d ' ')
# shellcheck disable=SC2059
printf "\\$(printf %o $(((byte + 1) % 256)))" |
  dd of="$TMP/r3/bin/vouch" bs=1 seek=$((16#$comment)) conv=notrunc status=none
check sign_r3 0 '' -- "$VOUCH" enclave sign "$TMP/r3" --key "$TMP/builder.pem"
check flipped_binary 3 '^vouch serve root: self-check failed \(integrity_digest_mismatch\): .*; refusing to serve$' -- \
  "$VOUCH" enclave run "$TMP/r3" -- serve root --data "$TMP/r3-data" "${ROOT_FLAGS[@]}"
[ ! -e "$TMP/r3-data" ] && ok || bad "a flipped root created --data"

finish
