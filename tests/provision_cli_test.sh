#!/usr/bin/env bash
# End-to-end test of `vouch provision custodian-keygen` and `vouch provision inspect` with the real
# binary (docs/cli.md, spec/provisioning.md §2, §5.2): custodian keys checked against openssl,
# refusal to overwrite, the test-vector envelope inspected with and without --json, pinned owner
# keys, tampering, an override envelope and file errors. Run by ctest with VOUCH=<binary>, from
# the repository root. Prints "N passed, N failed".
set -uo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DATA=tests/data/provisioning
ENV=$DATA/envelope-vector.json
OWNER=$DATA/owner-ed25519.pub.pem
VECTORS=$DATA/derived/vouch-provisioning-vectors.json

# ---- custodian-keygen ----------------------------------------------------------------------

run provision custodian-keygen --out "$TMP/c1.pem"
keyid=$(sed -n 's/^keyid: *//p' <<<"$out")
[[ $rc == 0 && $keyid =~ ^[0-9a-f]{64}$ ]] && ok || bad_run "custodian-keygen prints a keyid"
check key_mode 0 '^600$' -- stat -c %a "$TMP/c1.pem"
check default_pub_path 0 '^644$' -- stat -c %a "$TMP/c1.pub.pem"
want=$(openssl pkey -in "$TMP/c1.pem" -pubout -outform DER | sha256sum | cut -c1-64)
[ "$keyid" = "$want" ] && ok || bad "keyid $keyid is not openssl's $want"
want=$(openssl pkey -pubin -in "$TMP/c1.pub.pem" -outform DER | sha256sum | cut -c1-64)
[ "$keyid" = "$want" ] && ok || bad "the public key file's keyid is $want, not $keyid"
check openssl_reads_x25519 0 'X25519 Private-Key' -- openssl pkey -in "$TMP/c1.pem" -noout -text
# The same form openssl writes, byte for byte.
openssl pkey -in "$TMP/c1.pem" -pubout -out "$TMP/c1.openssl.pub.pem"
check pub_file_as_openssl 0 '' -- cmp "$TMP/c1.pub.pem" "$TMP/c1.openssl.pub.pem"

cp "$TMP/c1.pem" "$TMP/c1.before"
check refuses_overwrite 2 '"code":"file_exists"' -- \
  "$VOUCH" provision custodian-keygen --out "$TMP/c1.pem" --json
check refuses_overwrite_text 2 'hint: .*--force' -- "$VOUCH" provision custodian-keygen --out "$TMP/c1.pem"
check refused_key_unchanged 0 '' -- cmp "$TMP/c1.pem" "$TMP/c1.before"
check refuses_overwrite_pub 2 'refusing to overwrite .*c1.pub.pem' -- \
  "$VOUCH" provision custodian-keygen --out "$TMP/other.pem" --pub-out "$TMP/c1.pub.pem"
check refused_writes_nothing 1 '' -- test -e "$TMP/other.pem"
check force_replaces 0 '"verdict":"ok"' -- \
  "$VOUCH" provision custodian-keygen --out "$TMP/c1.pem" --force --json
check force_new_key 1 '' -- cmp -s "$TMP/c1.pem" "$TMP/c1.before"
mkdir -p "$TMP/keys"
run provision custodian-keygen --out "$TMP/keys/c2" --pub-out "$TMP/c2-public.pem" --json
keyid=$(field keyid <<<"$out")
[[ $rc == 0 && "$out" == '{"verdict":"ok","key":"'*'"public_key":"'"$TMP/c2-public.pem"'"'* ]] &&
  ok || bad_run "custodian-keygen --pub-out --json"
want=$(openssl pkey -pubin -in "$TMP/c2-public.pem" -outform DER | sha256sum | cut -c1-64)
[ "$keyid" = "$want" ] && ok || bad "--pub-out keyid $keyid is not $want"
check same_out_and_pub 2 'must be two different files' -- \
  "$VOUCH" provision custodian-keygen --out "$TMP/c3.pem" --pub-out "$TMP/c3.pem"
check keygen_unwritable 3 '"code":"io_error"' -- \
  "$VOUCH" provision custodian-keygen --out "$TMP/no/such/dir/c.pem" --json

# ---- inspect: the vector envelope ----------------------------------------------------------

run provision inspect "$ENV" --at 2027-01-01T00:00:00Z
[ "$rc" = 0 ] && ok || bad_run "inspect the vector"
for want in '^envelope: +8b567681de03d0fac436c249cfc78d65$' \
    '^constraint: +C:088911C10FB9238ABB40A4F28C6267CB06678FDFBBE172BFEE22010DEB87F736 SEC:INSECURE$' \
    '^not after: +2027-12-01T00:00:00Z \(valid at 2027-01-01T00:00:00Z\)$' \
    '^admission: +admitted$' \
    '^admitted by: +entry 7 sha256 e409790c03b1649a0315f990b45bec9e6429fbac90aee5dcd2834c5147ba4d12$' \
    '^checkpoint: +example.com/vouch-log size 40 ' \
    '^activity: +payroll-db$' \
    '^owner key: +4e942802ba9453fec54595dae989e5c09def30ac903d331592194ff36f597705$' \
    '^broker: +keyid 12914cc9c5a8332d8934c00b3b072313daaf22ec1eb0833ee7746893de3da43d$' \
    '^ciphertext: +84 bytes \(secret 28 bytes\)$' \
    '^recovery: +2 of 3 custodians$' \
    '^custodian: +5c0ccb2899b8f4555cccca0b1ff78781747117ed4406298f6dbd494d992c2271 ' \
    '^custodian: +80e603cb74fc6aaa06a32aca6d353de81c8f1fe3eb774d463324a31061b749d9 ' \
    '^custodian: +3bedf2be5d921d34ae47abd6f947e17b35c4b371cfa5ab1d70ecc11a4bd129dd ' \
    '^payload: +sha256 cba1b3aefd3012749183a1810ef5817e4044bd614096e9a7a2d551b7a9344124$' \
    '^trust: +SELF-CERTIFIED'; do
  grep -qE -- "$want" <<<"$out" && ok || bad "inspect output lacks /$want/"
done
grep -q WARNING <<<"$out" && bad "an admitted envelope shows a WARNING" || ok
check inspect_expired 0 'EXPIRED at 2027-12-01T00:00:00Z' -- \
  "$VOUCH" provision inspect "$ENV" --at 2027-12-01T00:00:00Z

run provision inspect "$ENV" --at 2028-01-01T00:00:00Z --json
[[ $rc == 0 && "$out" == '{"verdict":"ok","id":"8b567681de03d0fac436c249cfc78d65",'* ]] && ok ||
  bad_run "inspect --json"
for want in '"expired":true' '"secret_length":28' '"unadmitted_override":false' \
    '"target":{"role":"workload","constraint":"C:088911C10FB9238ABB40A4F28C6267CB06678FDFBBE172BFEE22010DEB87F736 SEC:INSECURE"}' \
    '"recovery":{"threshold":2,"shares":3,"custodians":[{"keyid":"5c0ccb28' \
    '"hpke":{"kem_id":32,"kdf_id":1,"aead_id":2,"ct_size":84}' \
    '"signatures":{"checked_against":"envelope_owner_keys","signers":["4e942802ba9453fec54595dae989e5c09def30ac903d331592194ff36f597705"]}'; do
  [[ "$out" == *"$want"* ]] && ok || bad "inspect --json lacks $want"
done
[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && ok || bad "inspect --json is not one line"

# ---- inspect: pinned owner keys ------------------------------------------------------------

check owner_pub_right 0 '"checked_against":"owner_pub","signers":\["4e942802' -- \
  "$VOUCH" provision inspect "$ENV" --owner-pub "$OWNER" --json
check owner_pub_right_text 0 '^trust: +signed by a pinned --owner-pub key$' -- \
  "$VOUCH" provision inspect "$ENV" --owner-pub "$OWNER"
openssl genpkey -algorithm ed25519 -out "$TMP/other.key" 2>/dev/null
openssl pkey -in "$TMP/other.key" -pubout -out "$TMP/other.pub"
check owner_pub_other 1 '"verdict":"rejected".*"error":\{"code":"envelope_signature_invalid"' -- \
  "$VOUCH" provision inspect "$ENV" --owner-pub "$TMP/other.pub" --json
check owner_pub_other_text 1 'hint: only the --owner-pub keys count' -- \
  "$VOUCH" provision inspect "$ENV" --owner-pub "$TMP/other.pub"
check owner_pub_one_of_two 0 '"verdict":"ok"' -- \
  "$VOUCH" provision inspect "$ENV" --owner-pub "$TMP/other.pub" --owner-pub "$OWNER" --json
check owner_pub_not_a_key 2 '"code":"key_malformed"' -- \
  "$VOUCH" provision inspect "$ENV" --owner-pub "$ENV" --json
check owner_pub_missing 3 '"code":"io_error"' -- \
  "$VOUCH" provision inspect "$ENV" --owner-pub "$TMP/none.pub" --json

# ---- inspect: tampering and file errors ----------------------------------------------------

# One character of the payload's base64 changed: the payload no longer decodes to JSON.
sed 's/^{"payload":"e/{"payload":"f/' "$ENV" >"$TMP/bad-b64.json"
check tampered_base64 1 '"code":"envelope_malformed"' -- \
  "$VOUCH" provision inspect "$TMP/bad-b64.json" --json
# One byte of the payload changed (the broker URL hint's port), re-encoded: still a valid
# envelope, but the owner signature no longer verifies.
payload=$(sed 's/^{"payload":"\([^"]*\)".*/\1/' "$ENV" | base64 -d | sed 's/127.0.0.1:7390/127.0.0.1:7391/')
grep -q ':7391' <<<"$payload" && ok || bad "the tampered payload lacks the changed port"
printf '{"payload":"%s"%s' "$(printf '%s' "$payload" | base64 -w0)" \
  "$(sed 's/^{"payload":"[^"]*"//' "$ENV")" >"$TMP/bad-sig.json"
check tampered_payload 1 '"code":"envelope_signature_invalid"' -- \
  "$VOUCH" provision inspect "$TMP/bad-sig.json" --json
check tampered_payload_pinned 1 '"code":"envelope_signature_invalid"' -- \
  "$VOUCH" provision inspect "$TMP/bad-sig.json" --owner-pub "$OWNER" --json
run provision inspect "$TMP/bad-sig.json"
[[ $rc == 1 && "$out" == *"broker url:   http://127.0.0.1:7391"* && "$err" == *"does not verify"* ]] &&
  ok || bad_run "tampered payload, text"
sed 's/application\/vnd.vouch.envelope.v1+json/application\/vnd.vouch.envelope.v2+json/' "$ENV" >"$TMP/v2.json"
check unsupported 1 '"code":"envelope_unsupported"' -- "$VOUCH" provision inspect "$TMP/v2.json" --json
{ cat "$ENV"; echo; } >"$TMP/newline.json"
check trailing_newline 1 '"code":"envelope_malformed"' -- \
  "$VOUCH" provision inspect "$TMP/newline.json" --json
check not_json 1 'rejected envelope: not a canonical envelope file' -- "$VOUCH" provision inspect examples/eii.json
check missing_file 3 '"verdict":"error","error":\{"code":"io_error"' -- \
  "$VOUCH" provision inspect "$TMP/none.json" --json
check missing_file_text 3 'vouch: cannot read .*none.json' -- "$VOUCH" provision inspect "$TMP/none.json"
check bad_at 2 '"code":"invalid_time"' -- "$VOUCH" provision inspect "$ENV" --at yesterday --json

# ---- inspect: an override envelope (re-signed by the vector's owner) -----------------------

# The vector owner's private key from its published test seed (PKCS#8 of RFC 8410).
seed=$(grep -A3 '"owner_signing_ed25519"' "$VECTORS" | sed -n 's/.*"seed": "\([0-9a-f]*\)".*/\1/p')
{ echo '-----BEGIN PRIVATE KEY-----'
  echo "302e020100300506032b657004220420$seed" | xxd -r -p | base64
  echo '-----END PRIVATE KEY-----'; } >"$TMP/owner.pem"
payload=$(sed 's/^{"payload":"\([^"]*\)".*/\1/' "$ENV" | base64 -d |
  sed 's/"admission":{"by":\[[^]]*\],"checkpoint":{[^}]*},"status":"admitted"}/"admission":{"status":"override"}/')
grep -q '"admission":{"status":"override"}' <<<"$payload" && ok || bad "cannot make the override payload"
type=application/vnd.vouch.envelope.v1+json
printf 'DSSEv1 %d %s %d %s' ${#type} "$type" "${#payload}" "$payload" >"$TMP/pae"
sig=$(openssl pkeyutl -sign -rawin -inkey "$TMP/owner.pem" -in "$TMP/pae" | base64 -w0)
printf '{"payload":"%s","payloadType":"%s","signatures":[{"keyid":"%s","sig":"%s"}]}' \
  "$(printf '%s' "$payload" | base64 -w0)" "$type" \
  4e942802ba9453fec54595dae989e5c09def30ac903d331592194ff36f597705 "$sig" >"$TMP/override.json"
run provision inspect "$TMP/override.json" --owner-pub "$OWNER"
[[ $rc == 0 && "$out" == *$'\nadmission:    override\nWARNING: admission override'* ]] && ok ||
  bad_run "override envelope shows a WARNING"
[[ "$out" != *"admitted by:"* && "$out" != *"checkpoint:"* ]] && ok || bad_run "override lists admissions"
check override_json 0 '"admission":\{"status":"override","by":\[\],"checkpoint":null\},"unadmitted_override":true' -- \
  "$VOUCH" provision inspect "$TMP/override.json" --json

# ---- help ----------------------------------------------------------------------------------

check help_family 0 'custodian-keygen' -- "$VOUCH" help provision
check help_keygen 0 'Examples:' -- "$VOUCH" provision custodian-keygen --help
check help_inspect 0 'self-certified' -- "$VOUCH" provision inspect --help

finish
