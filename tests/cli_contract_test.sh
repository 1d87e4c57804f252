#!/usr/bin/env bash
# The command-line contract of docs/cli.md, for every command, and what two newcomers found
# (issue 11): the --json contract (one object, "verdict" first, error.code and error.message on
# failure, parser errors as {"code":"usage"}, no data beside the object), mistyped commands and
# options, `vouch help`, `-V`, environment defaults, --verbose, progress, simulation roots and
# the smaller findings. Run by ctest with VOUCH=<binary>, from the repository root.
set -uo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export VOUCH_SIM_DIR="$TMP/sim" VOUCH_LOG_URL='' VOUCH_POLICY=''

PHALA=tests/data/sgx-dcap/phala-dcap-qvl/sgx-v3-2025-06
SYN=tests/data/sgx-dcap/intel-qvl-sample/sgx-v3-synthetic-certtype1
T=2025-07-19T10:01:17Z
H=33D8736DB756ED4997E04BA358D27833188F1932FF7B1D156904D3F560452FBB
LEDGER=examples/ledger

# ---- The --json contract --------------------------------------------------------------------

declare -A covered=()
# json_case NAME COMMAND_PATH WANT_RC VERDICT [CODE] -- ARGS...: runs vouch ARGS (which include
# --json) and checks the contract: exit WANT_RC; stdout exactly one line, a JSON object whose
# first member is "verdict" with VERDICT; on failure "error":{"code":CODE,"message":...}.
json_case() {
  local name=$1 path=$2 want=$3 verdict=$4 code=""
  shift 4
  [ "$1" != "--" ] && { code=$1; shift; }
  shift
  run "$@"
  covered[$path]=1
  local problems=""
  [ "$rc" = "$want" ] || problems+=" exit $rc, want $want;"
  [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || problems+=" not one line;"
  [[ "$out" == "{\"verdict\":\"$verdict\""* && "$out" == *"}" ]] || problems+=" verdict not first or not $verdict;"
  if [ -n "$code" ]; then
    [[ "$out" == *"\"error\":{\"code\":\"$code\",\"message\":\""* ]] || problems+=" no error.code $code with a message;"
  elif [ "$want" != 0 ]; then
    [[ "$out" =~ \"error\":\{\"code\":\"[a-z0-9_]+\",\"message\":\" ]] || problems+=" no error.code with a message;"
  else
    [[ "$out" != *'"error":{'* ]] || problems+=" an error on success;"
  fi
  [ -z "$problems" ] && ok || bad_run "$name:$problems"
}

# Setup: a simulated platform, a signed bundle, a sealed blob, a log.
"$VOUCH" sim init >/dev/null
"$VOUCH" sim collateral --out "$TMP/coll" >/dev/null
"$VOUCH" enclave keygen --out "$TMP/enclave.pem" >/dev/null
cp -r examples/script_enclave "$TMP/app"
"$VOUCH" enclave sign "$TMP/app" --key "$TMP/enclave.pem" >/dev/null
echo secret >"$TMP/secret.txt"
"$VOUCH" seal --bundle "$TMP/app" --policy mrenclave "$TMP/secret.txt" "$TMP/secret.sealed" 2>/dev/null
"$VOUCH" log keygen --origin log.example/contract --out "$TMP/log.key" >"$TMP/log.vkey"
"$VOUCH" serve log --data "$TMP/log" --key "$TMP/log.key" --init --listen 127.0.0.1:0 \
  --port-file "$TMP/log.port" >/dev/null 2>&1 &
LOG="http://127.0.0.1:$(wait_port "$TMP/log.port" $!)"
VKEY=$(cat "$TMP/log.vkey")
"$VOUCH" log add "$LOG" examples/ledger/entry.json >/dev/null

json_case parse_ok "vouch constraint parse" 0 ok -- constraint parse "C:$H" --json
json_case parse_bad "vouch constraint parse" 2 error constraint_malformed -- constraint parse "C:zz" --json
json_case check_ok "vouch constraint check" 0 accepted -- constraint check "C:$H" --eii examples/eii.json --json
json_case check_fail "vouch constraint check" 1 rejected security_level_too_low -- \
  constraint check "C:$H SEC:SECURE" --eii examples/eii.json --json
json_case verify_ok "vouch sgx verify" 0 accepted -- sgx verify $PHALA/quote.bin --collateral $PHALA --at $T --json
json_case verify_expired "vouch sgx verify" 1 rejected collateral_expired -- \
  sgx verify $PHALA/quote.bin --collateral $PHALA --at 2026-01-01T00:00:00Z --json
json_case fetch_bad_url "vouch sgx collateral fetch" 2 error url_malformed -- \
  sgx collateral fetch $PHALA/quote.bin --pccs ftp://x --out "$TMP/f" --json
json_case witness_keygen_ok "vouch witness keygen" 0 ok -- witness keygen --name w.example/a --out "$TMP/w.key" --json
json_case witness_keygen_exists "vouch witness keygen" 2 error file_exists -- \
  witness keygen --name w.example/a --out "$TMP/w.key" --json
json_case log_keygen_ok "vouch log keygen" 0 ok -- log keygen --origin o.example/x --out "$TMP/o.key" --json
json_case log_keygen_exists "vouch log keygen" 2 error file_exists -- log keygen --origin o.example/x --out "$TMP/o.key" --json
json_case add_ok "vouch log add" 0 ok -- log add "$LOG" examples/eii.json --json
json_case add_empty "vouch log add" 2 error entry_empty -- log add "$LOG" /dev/null --json
json_case checkpoint_ok "vouch log checkpoint" 0 ok -- log checkpoint "$LOG" --vkey "$VKEY" --json
json_case checkpoint_unreachable "vouch log checkpoint" 3 error log_unreachable -- \
  log checkpoint http://127.0.0.1:1 --json
json_case proof_ok "vouch log proof" 0 ok -- log proof "$LOG" 0 --vkey "$VKEY" --json
json_case proof_missing "vouch log proof" 1 rejected entry_not_found -- log proof "$LOG" 99 --json
json_case verify_proof_ok "vouch log verify-proof" 0 accepted -- \
  log verify-proof $LEDGER/entry.tlog-proof --entry $LEDGER/entry.json --policy $LEDGER/witness.policy --json
json_case verify_proof_wrong "vouch log verify-proof" 1 rejected inclusion_proof_invalid -- \
  log verify-proof $LEDGER/entry.tlog-proof --entry examples/eii.json --policy $LEDGER/witness.policy --json
json_case audit_ok "vouch log audit" 0 accepted -- log audit "$LOG" --vkey "$VKEY" --json
json_case audit_no_trust "vouch log audit" 2 error trust_missing -- log audit "$LOG" --json
json_case sim_init_exists "vouch sim init" 2 error sim_exists -- sim init --json
json_case sim_init_ok "vouch sim init" 0 ok -- sim init --dir "$TMP/sim2" --json
json_case sim_info_ok "vouch sim info" 0 ok -- sim info --json
json_case sim_info_none "vouch sim info" 2 error sim_not_initialized -- sim info --dir "$TMP/none" --json
json_case serve_root_outside "vouch serve root" 2 error platform_unavailable -- \
  serve root --data "$TMP/root" --json
json_case serve_broker_outside "vouch serve broker" 2 error platform_unavailable -- \
  serve broker --data "$TMP/broker" --json
json_case handoff_outside "vouch provision handoff" 2 error platform_unavailable -- \
  provision handoff --json
json_case handoff_lifetime "vouch provision handoff" 2 error usage -- \
  provision handoff --lifetime PT1S --json
json_case sim_collateral_ok "vouch sim collateral" 0 ok -- sim collateral --out "$TMP/c2" --json
json_case sim_collateral_bad_at "vouch sim collateral" 2 error invalid_time -- sim collateral --out "$TMP/c3" --at x --json
json_case measure_ok "vouch measure" 0 ok -- measure "$TMP/app" --json
head -c 100 /dev/urandom >"$TMP/garbage.sig"
json_case measure_sigstruct_garbage "vouch measure" 1 rejected sigstruct_malformed -- measure --sigstruct "$TMP/garbage.sig" --json
json_case enclave_keygen_ok "vouch enclave keygen" 0 ok -- enclave keygen --out "$TMP/k2.pem" --json
json_case enclave_keygen_exists "vouch enclave keygen" 2 error file_exists -- enclave keygen --out "$TMP/k2.pem" --json
json_case enclave_sign_ok "vouch enclave sign" 0 ok -- enclave sign "$TMP/app" --key "$TMP/enclave.pem" --json
json_case enclave_sign_log_key "vouch enclave sign" 2 error key_malformed -- enclave sign "$TMP/app" --key "$TMP/log.key" --json
json_case enclave_quote_ok "vouch enclave quote" 0 ok -- enclave quote "$TMP/app" --report-data 00ff --out "$TMP/q.bin" --json
json_case enclave_quote_bad_rd "vouch enclave quote" 2 error usage -- enclave quote "$TMP/app" --report-data zz --out "$TMP/q2.bin" --json
json_case seal_ok "vouch seal" 0 ok -- seal --bundle "$TMP/app" --policy mrsigner "$TMP/secret.txt" "$TMP/s2" --json
json_case seal_stdout "vouch seal" 2 error usage -- seal --bundle "$TMP/app" --policy mrsigner "$TMP/secret.txt" - --json
json_case unseal_ok "vouch unseal" 0 ok -- unseal --bundle "$TMP/app" "$TMP/secret.sealed" "$TMP/out.txt" --json
json_case unseal_stdout "vouch unseal" 2 error usage -- unseal --bundle "$TMP/app" "$TMP/secret.sealed" - --json
echo tampered >>"$TMP/s2"
json_case unseal_tampered "vouch unseal" 1 rejected sealed_blob_malformed -- unseal --bundle "$TMP/app" "$TMP/s2" "$TMP/o2" --json
json_case envelope_bad_constraint "vouch provision envelope" 2 error constraint_malformed -- \
  provision envelope --broker http://127.0.0.1:1 --constraint "C:XYZ" --in /dev/null \
  --out "$TMP/x.env" --key "$TMP/none.pem" --log http://127.0.0.1:1 --json
json_case envelope_no_log "vouch provision envelope" 2 error usage -- \
  provision envelope --broker http://127.0.0.1:1 --constraint "C:XYZ" --in /dev/null \
  --out "$TMP/x.env" --key "$TMP/none.pem" --json
json_case recover_bad_reason "vouch provision recover" 2 error usage -- \
  provision recover "$TMP/none.env" --owner-pub "$TMP/none.pub" --custodian-key "$TMP/none.pem" \
  --to-constraint "C:XYZ" --reason oops --broker http://127.0.0.1:1 --key "$TMP/none.pem" \
  --out "$TMP/r.env" --json
json_case fetch_outside "vouch provision fetch" 2 error platform_unavailable -- \
  provision fetch "$TMP/none.env" --broker http://127.0.0.1:1 --seal-out "$TMP/f.sealed" --json
json_case fetch_bad_anchors "vouch provision fetch" 2 error anchors_malformed -- \
  provision fetch "$TMP/none.env" --broker http://127.0.0.1:1 --seal-out "$TMP/f.sealed" \
  --anchors /dev/null --json
json_case unseal_outside "vouch provision unseal" 2 error platform_unavailable -- \
  provision unseal --in "$TMP/f.sealed" --envelope-id 00112233445566778899aabbccddeeff \
  --out "$TMP/f.out" --json
json_case unseal_bad_id "vouch provision unseal" 2 error usage -- \
  provision unseal --in "$TMP/f.sealed" --envelope-id xyz --out "$TMP/f.out" --json
json_case custodian_keygen_ok "vouch provision custodian-keygen" 0 ok -- provision custodian-keygen --out "$TMP/cust.pem" --json
json_case custodian_keygen_exists "vouch provision custodian-keygen" 2 error file_exists -- \
  provision custodian-keygen --out "$TMP/cust.pem" --json
json_case provision_inspect_ok "vouch provision inspect" 0 ok -- \
  provision inspect tests/data/provisioning/envelope-vector.json --json
json_case provision_inspect_garbage "vouch provision inspect" 1 rejected envelope_malformed -- \
  provision inspect examples/eii.json --json
# Governance commands (docs/governance.md), with keys made by openssl as users make them.
for k in ra rb; do
  openssl genpkey -algorithm ed25519 -out "$TMP/$k.pem" 2>/dev/null
  openssl pkey -in "$TMP/$k.pem" -pubout -out "$TMP/$k.pub"
done
printf '%s\n' '{"format":"vouch-toolchain/1","components":[{"name":"gcc","version":"12","uri":"pkg:deb/debian/gcc-12@12","digest":{"sha256":"b782f07cf5bdca47deea5b7f8d5b5f863bafc35910adafda4f52f6537d9ed3dd"}}]}' >"$TMP/tc.json"
json_case attest_ok "vouch build attest" 0 ok -- build attest "$TMP/app" --source https://git.example/a.git@1111111111111111111111111111111111111111 \
  --toolchain "$TMP/tc.json" --builder-id https://builder.example/ci --key "$TMP/ra.pem" --out "$TMP/p0.entry" --json
json_case attest_bad_source "vouch build attest" 2 error source_malformed -- build attest "$TMP/app" --source nowhere \
  --toolchain "$TMP/tc.json" --builder-id https://builder.example/ci --key "$TMP/ra.pem" --out "$TMP/p1.entry" --json
json_case revoke_ok "vouch govern revoke" 0 ok -- govern revoke --ledger log.example/contract --kind measurement \
  --mrenclave "$H" --reason vulnerability --out "$TMP/rev.json" --json
json_case revoke_stdout "vouch govern revoke" 2 error usage -- govern revoke --ledger log.example/contract \
  --kind measurement --mrenclave "$H" --reason vulnerability --json
json_case admit_bad "vouch govern admit" 2 error -- govern admit --ledger log.example/contract \
  --role workload --constraint C:zz --expires 2027-01-01T00:00:00Z --reproduced-by "0:$(printf 'a%.0s' {1..64})" \
  --out "$TMP/adm.json" --json
json_case root_set_bad "vouch govern root-set" 3 error io_error -- govern root-set --ledger log.example/contract --version 1 \
  --expires 2027-01-01T00:00:00Z --root "name=r,key=$TMP/none.pub" --builder "id=https://b.example,key=$TMP/ra.pub" \
  --out "$TMP/set.json" --json
json_case record_bad "vouch govern record" 2 error personal_data_suspected -- govern record --ledger log.example/contract \
  --activity payroll --activity-version 1 --controller "controller=$(printf 'b%.0s' {1..64})" --purpose "mail hr@x.example" \
  --data-subjects Employees --personal-data Salary --covers "1:$(printf 'c%.0s' {1..64})" --out "$TMP/rec.json" --json
json_case key_binding_ok "vouch govern key-binding" 0 ok -- govern key-binding "$TMP/ra.pub" --json
json_case key_binding_bad "vouch govern key-binding" 2 error -- govern key-binding examples/eii.json --json
json_case sign_ok "vouch statement sign" 0 ok -- statement sign "$TMP/rev.json" --key "$TMP/ra.pem" --out "$TMP/rev.entry" --json
json_case sign_stdout "vouch statement sign" 2 error usage -- statement sign "$TMP/rev.json" --key "$TMP/ra.pem" --out - --json
json_case statement_verify_ok "vouch statement verify" 0 accepted -- statement verify "$TMP/rev.entry" --key "$TMP/ra.pub" --json
json_case statement_verify_other_key "vouch statement verify" 1 rejected threshold_not_met -- \
  statement verify "$TMP/rev.entry" --key "$TMP/rb.pub" --json
json_case inspect_ok "vouch statement inspect" 0 ok -- statement inspect "$TMP/rev.entry" --json
json_case inspect_garbage "vouch statement inspect" 1 rejected -- statement inspect examples/eii.json --json
json_case submit_ok "vouch ledger submit" 0 ok -- ledger submit "$LOG" "$TMP/rev.entry" --out "$TMP/rev.proof" --json
json_case submit_not_envelope "vouch ledger submit" 2 error -- ledger submit "$LOG" examples/eii.json --out "$TMP/x.proof" --json
# An envelope whose payload is no statement: refused before anything is sent.
printf '{"payload":"%s","payloadType":"application/vnd.in-toto+json","signatures":[{"keyid":"%s","sig":"AAAA"}]}' \
  "$(printf '{"_type":"https://in-toto.io/Statement/v1"}' | base64 -w0)" "$(printf 'a%.0s' $(seq 64))" \
  >"$TMP/no-statement.entry"
json_case submit_not_statement "vouch ledger submit" 2 error subject_invalid -- ledger submit http://127.0.0.1:1 \
  "$TMP/no-statement.entry" --out "$TMP/x.proof" --json
json_case countersign_no_trust "vouch ledger countersign" 2 error trust_missing -- ledger countersign "$LOG" "$TMP/rev.json" \
  --root http://127.0.0.1:1 --out "$TMP/c.proof" --json
# The online audit fails before it streams: one object, verdict first.
json_case online_audit_no_trust "vouch audit" 2 error trust_missing -- audit "$LOG" --json
{ cat "$TMP/rev.entry"; echo; } >"$TMP/ledger.jsonl"
REGISTER=tests/data/governance/derived/examples/art30-register.json
json_case export_ok "vouch audit export" 0 ok -- audit export --art30 --register $REGISTER "$TMP/ledger.jsonl" --out "$TMP/art30.csv" --json
json_case export_stdout "vouch audit export" 2 error usage -- audit export --art30 --register $REGISTER "$TMP/ledger.jsonl" --json
json_case releases_ok "vouch audit releases" 0 ok -- audit releases "$TMP/ledger.jsonl" --json
json_case releases_identity "vouch audit releases" 2 error usage -- audit releases "$TMP/ledger.jsonl" --identity zz --json
# audit replay streams its object, so its verdict comes last (docs/cli.md).
covered["vouch audit replay"]=1
run audit replay "$TMP/ledger.jsonl" --json
[[ $rc == 0 && "$out" == '{"format":"vouch-audit-replay/1","entries":['*'"verdict":"accepted"}' && $(wc -l <<<"$out") == 1 ]] \
  && ok || bad_run "audit replay --json"
run audit replay "$TMP/none.jsonl" --json
[[ $rc == 3 && "$out" == *'],"verdict":"error","error":{"code":"io_error","message":'*'}' ]] && ok || bad_run "audit replay --json failure"
PIN=$(printf 'd%.0s' {1..64})
check env_root_set_pin 1 'root_set_pin_mismatch' -- env VOUCH_ROOT_SET_PIN=$PIN "$VOUCH" audit replay "$TMP/ledger.jsonl"
check root_set_pin_flag_wins 2 'root-set-pin' -- env VOUCH_ROOT_SET_PIN=$PIN "$VOUCH" audit replay "$TMP/ledger.jsonl" --root-set-pin zz
check replay_sim_root_as_trust_root 2 'trust_root_is_simulation' -- "$VOUCH" audit replay "$TMP/ledger.jsonl" \
  --collateral "$TMP/coll" --trust-root "$TMP/coll/root_ca.der" --json
json_case statement_keygen_ok "vouch statement keygen" 0 ok -- statement keygen --out "$TMP/sk.pem" --json
json_case statement_keygen_exists "vouch statement keygen" 2 error file_exists -- \
  statement keygen --out "$TMP/sk2.pem" --pub-out "$TMP/sk.pub.pem" --json
json_case statement_keygen_same "vouch statement keygen" 2 error usage -- \
  statement keygen --out "$TMP/sk3.pem" --pub-out "$TMP/sk3.pem" --json
[ ! -e "$TMP/sk2.pem" ] && [ ! -e "$TMP/sk3.pem" ] && [ "$(stat -c %a "$TMP/sk.pem")" = 600 ] &&
  "$VOUCH" statement sign "$TMP/rev.json" --key "$TMP/sk.pem" --out "$TMP/sk.entry" >/dev/null &&
  "$VOUCH" statement verify "$TMP/sk.entry" --key "$TMP/sk.pub.pem" >/dev/null && ok ||
  bad "statement keygen: the key does not sign, or a refused keygen wrote a file"
json_case demo_dir_not_empty "vouch demo" 2 error file_exists -- demo --dir "$TMP/coll" --json
json_case version "vouch version" 0 ok -- version --json
json_case version_integrity "vouch version" 0 accepted -- version --verify-integrity --json

# Parser errors: an object too (code usage), for unknown options, missing and conflicting ones.
json_case parser_unknown_option "vouch sgx verify" 2 error usage -- sgx verify --bogus x --json
json_case parser_missing_option "vouch sgx verify" 2 error usage -- sgx verify q.bin --json
json_case parser_conflict "vouch log checkpoint" 2 error usage -- log checkpoint "$LOG" --vkey "$VKEY" --policy p --json
json_case parser_unknown_command "vouch" 2 error usage -- sgx verfy --json
json_case parser_bad_value "vouch log add" 2 error usage -- log add "$LOG" x --timeout 0 --json

# Every command that takes --json was exercised above (commands from the help pages).
leaves() {
  local prefix=$1 sub
  for sub in $("$VOUCH" help $prefix | awk '/^Subcommands:/{s=1;next} s&&/^  [a-z]/{print $1} s&&/^$/{exit}'); do
    # grep reads all (not -q): with pipefail, a help page cut short by SIGPIPE would fail.
    if "$VOUCH" help $prefix "$sub" | grep '^Subcommands:' >/dev/null; then
      leaves "$prefix $sub"
    else
      echo "vouch${prefix:+ $prefix} $sub" | sed 's/  */ /g'
    fi
  done
}
n=0
while read -r path; do
  n=$((n + 1))
  case "$path" in "vouch serve log" | "vouch serve witness" | "vouch serve explorer" | "vouch enclave run" | "vouch help") continue ;; esac
  [ -n "${covered[$path]:-}" ] && ok || bad "no --json case for '$path'"
done < <(leaves "")
[ "$n" -ge 24 ] && ok || bad "only $n commands found in the help pages"

# ---- Help and typos (item 6) -----------------------------------------------------------------

check typo_family 2 "'verfy' is not a command of 'vouch sgx'" -- "$VOUCH" sgx verfy q.bin
check typo_suggest 2 "did you mean 'verify'\?" -- "$VOUCH" sgx verfy q.bin
check typo_top 2 "'foo' is not a command of 'vouch'" -- "$VOUCH" foo
check typo_log 2 "did you mean 'add'\?" -- "$VOUCH" log ad "$LOG" x
check unknown_option 2 "'vouch sgx verify' has no option --bogus" -- "$VOUCH" sgx verify --bogus x
check missing_command 2 "'vouch log' needs a command: keygen, add" -- "$VOUCH" log
check help_root 0 'constraint +Parse Conclave' -- "$VOUCH" help
check help_family 0 'Usage: vouch sgx' -- "$VOUCH" help sgx
check help_command 0 'Usage: vouch sgx verify' -- "$VOUCH" help sgx verify
check help_unknown 2 "did you mean 'log'\?" -- "$VOUCH" help lgo
check version_short 0 '^commit: +([0-9a-f]{12}(-dirty)?|unknown)$' -- "$VOUCH" -V
check version_long 0 'OpenSSL: +3\.' -- "$VOUCH" --version
# One line per family in `vouch --help`.
run --help
summary=$(awk '/^Subcommands:/{s=1;next} s&&/^$/{exit} s' <<<"$out")
[ "$(grep -c '^  [a-z]' <<<"$summary")" = "$(wc -l <<<"$summary")" ] && ok || bad_run "families take more than a line"

# ---- Simulation roots (item 1) ---------------------------------------------------------------

check sim_root_as_trust_root 2 'trust_root_is_simulation' -- \
  "$VOUCH" sgx verify "$TMP/q.bin" --collateral "$TMP/coll" --trust-root "$TMP/coll/root_ca.der" --json
check sim_root_refusal_points_to_sim_root 2 "give it with --sim-root" -- \
  "$VOUCH" sgx verify "$TMP/q.bin" --collateral "$TMP/coll" --trust-root "$TMP/coll/root_ca.der" \
  --constraint "C:$(sed -n 's/.*"mr_enclave":"\([0-9a-f]*\)".*/\1/p' <<<"$("$VOUCH" measure "$TMP/app" --json)") SEC:INSECURE"
check sim_quote_neither 1 'looks like a Vouch simulation root' -- \
  "$VOUCH" sgx verify "$TMP/q.bin" --collateral "$TMP/coll"
check sim_quote_neither_hint 1 'hint: .*--sim-root' -- "$VOUCH" sgx verify "$TMP/q.bin" --collateral "$TMP/coll"
check sim_root_as_sim_root 0 '"mode":"SIMULATION"' -- \
  "$VOUCH" sgx verify "$TMP/q.bin" --collateral "$TMP/coll" --sim-root "$TMP/coll/root_ca.der" --json
check intel_test_root_still_production 0 '"trust_root":"production"' -- \
  "$VOUCH" sgx verify $SYN/quote.bin --collateral $SYN --at 1735689600 --trust-root $SYN/root_ca.der --json
check simulated_fails_stale_with_hint 1 'hint: a simulated enclave is always INSECURE' -- \
  "$VOUCH" sgx verify "$TMP/q.bin" --collateral "$TMP/coll" --sim-root "$TMP/coll/root_ca.der" \
  --constraint "S:$(sed -n 's/.*"mr_signer":"\([0-9a-f]*\)".*/\1/p' <<<"$("$VOUCH" measure "$TMP/app" --json)") PROD:1"

# ---- EII out, and what fits together (item 9) ------------------------------------------------

check eii_out 0 '' -- "$VOUCH" sgx verify $PHALA/quote.bin --collateral $PHALA --at $T --eii-out "$TMP/eii.json"
check eii_out_fits_check 0 '^PASS$' -- "$VOUCH" constraint check "C:$H" --eii "$TMP/eii.json" --at $T
check eii_example_current 0 '' -- cmp "$TMP/eii.json" examples/eii.json

# ---- Smaller findings (item 8) ---------------------------------------------------------------

check report_data_not_hex 2 'is not hex' -- "$VOUCH" enclave quote "$TMP/app" --report-data zz --out "$TMP/q3.bin"
check report_data_too_long 2 'at most 64 bytes; this is 65' -- \
  "$VOUCH" enclave quote "$TMP/app" --report-data "$(printf '00%.0s' {1..65})" --out "$TMP/q3.bin"
check collateral_is_a_file 3 'is a file, not a collateral directory' -- \
  "$VOUCH" sgx verify $PHALA/quote.bin --collateral $PHALA/tcb_info.json
check trust_root_garbage 2 'neither a DER certificate nor a PEM file' -- \
  "$VOUCH" sgx verify $PHALA/quote.bin --collateral $PHALA --trust-root examples/eii.json
run enclave sign "$TMP/app" --key "$TMP/log.key"
[[ $rc == 2 && "$err" == *"is not an RSA private key in PEM"* && "$err" != *"DECODER"* ]] && ok || bad_run "enclave sign with a log key"
"$VOUCH" log keygen --origin other.example/log --out "$TMP/other.key" >"$TMP/other.vkey"
check vkey_of_another_log 1 'but --vkey is the key of "other.example/log"' -- \
  "$VOUCH" log checkpoint "$LOG" --vkey "$(cat "$TMP/other.vkey")"
run log checkpoint "$LOG" --vkey "$(cat "$TMP/other.vkey")"
[[ "$err" != *policy* ]] && ok || bad_run "--vkey failure talks about a policy"
run seal --bundle "$TMP/app" --policy mrsigner "$TMP/secret.txt" "$TMP/s3"
[[ $rc == 0 && "$err" == *"policy mrsigner: MRSIGNER"* && "$err" != *MRENCLAVE* ]] && ok || bad_run "seal --policy mrsigner says MRSIGNER"
check witness_keygen_refusal_hint 2 'hint: .*--force' -- "$VOUCH" witness keygen --name w.example/a --out "$TMP/w.key"
check witness_keygen_force 0 '^w.example/b\+' -- "$VOUCH" witness keygen --name w.example/b --out "$TMP/w.key" --force
check constraint_help_exit_codes 0 'Exit codes' -- "$VOUCH" constraint --help
run enclave sign --help
[[ "$out" != *"the program's own exit code"* ]] && ok || bad_run "enclave sign's footer is run's"

# ---- Environment defaults and --verbose (item 10) --------------------------------------------

check env_log_url 0 '^index 0$' -- env VOUCH_LOG_URL="$LOG" "$VOUCH" log add examples/ledger/entry.json
check env_log_url_verbose 0 'from \$VOUCH_LOG_URL' -- env VOUCH_LOG_URL="$LOG" "$VOUCH" log add examples/ledger/entry.json --verbose
check flag_wins_over_env 0 '^index 0$' -- env VOUCH_LOG_URL=http://127.0.0.1:1 "$VOUCH" log add "$LOG" examples/ledger/entry.json
check no_url 2 'VOUCH_LOG_URL' -- "$VOUCH" log add examples/ledger/entry.json
printf 'log %s\nquorum none\n' "$VKEY" >"$TMP/policy"
check env_policy 0 '"verified":true' -- env VOUCH_POLICY="$TMP/policy" "$VOUCH" log checkpoint "$LOG" --json
check env_policy_for_verify 0 'accepted' -- \
  env VOUCH_POLICY=$LEDGER/witness.policy "$VOUCH" log verify-proof $LEDGER/entry.tlog-proof --entry $LEDGER/entry.json --json
check vkey_wins_over_env_policy 1 'but --vkey is the key' -- \
  env VOUCH_POLICY="$TMP/policy" "$VOUCH" log checkpoint "$LOG" --vkey "$(cat "$TMP/other.vkey")"
check verbose_proof 0 'GET http://127.0.0.1:[0-9]+/proof/0' -- "$VOUCH" log proof "$LOG" 0 --verbose
check verbose_verify 0 'trusting the built-in Intel SGX Root CA' -- \
  "$VOUCH" sgx verify $PHALA/quote.bin --collateral $PHALA --at $T --verbose

# `log add` says that it waits: a log whose batches wait 3 s for company.
"$VOUCH" serve log --data "$TMP/slow" --key "$TMP/log.key" --init --listen 127.0.0.1:0 \
  --port-file "$TMP/slow.port" --batch-interval 3000 >/dev/null 2>&1 &
SLOW="http://127.0.0.1:$(wait_port "$TMP/slow.port" $!)"
check add_progress 0 'waiting for the log to sequence the entry \([0-9]+ s of at most 60 s\)' -- \
  "$VOUCH" log add "$SLOW" examples/ledger/entry.json

finish
