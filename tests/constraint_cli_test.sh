#!/usr/bin/env bash
# End-to-end test of `vouch constraint parse|check` (docs/constraints.md): outputs, messages and
# exit codes of the real binary. Needs VOUCH=<path to vouch>; runs from the repository root.
set -uo pipefail

# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# run_stdin FILE ARGS...: as run, with FILE on standard input.
run_stdin() {
  local input=$1
  shift
  "$VOUCH" "$@" <"$input" >"$TMP/out" 2>"$TMP/err"
  rc=$?
  out=$(cat "$TMP/out")
  err=$(cat "$TMP/err")
}

# expect NAME RC STDOUT: the last run exited with RC and printed exactly STDOUT (a JSON
# error's "hint", which is for people, is left out of the comparison; hints are checked below).
expect() {
  local plain
  plain=$(sed -E 's/,"hint":"([^"\\]|\\.)*"//' <<<"$out")
  if [[ "$rc" != "$2" || "$plain" != "$3" ]]; then
    bad_run "$1 (want rc=$2, stdout: $3)"
  else
    ok
  fi
}

# expect_err NAME RC STDERR: the last run exited with RC, printed nothing on stdout and exactly
# STDERR as the first line on stderr (a "hint: ..." line may follow).
expect_err() {
  if [[ "$rc" != "$2" || -n "$out" || "${err%%$'\n'*}" != "$3" ]]; then
    bad_run "$1 (want rc=$2, stderr: $3)"
  else
    ok
  fi
}

H=da78b28564fe5a9b4f5912901f068f9f94483006bc53e10ab93dbb97675eba26
HU=DA78B28564FE5A9B4F5912901F068F9F94483006BC53E10AB93DBB97675EBA26
X=5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a
XU=5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A
K=6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b
KU=6B6B6B6B6B6B6B6B6B6B6B6B6B6B6B6B6B6B6B6B6B6B6B6B6B6B6B6B6B6B6B6B
R=1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c
RU=1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C
Z64=0000000000000000000000000000000000000000000000000000000000000000
RD=$(printf '0%.0s' {1..128})

# eii FILE SUMMARY TIMESTAMP [PRODUCT_ID] [ISV_SVN] [REVOCATION_LEVEL] [MODE]
eii() {
  cat >"$1" <<EOF
{"code_hash":"$X","code_signer":"$K","product_id":${4:-10},"isv_svn":${5:-4},
 "revocation_level":${6:-3},"mode":"${7:-SIMULATION}",
 "security":{"summary":"$2","reason":"test enclave","timestamp":"$3"},
 "report_data":"$RD","extra":"ignored"}
EOF
}

NOW=2025-06-19T10:56:11Z
eii "$TMP/stale.json" STALE "$NOW"
eii "$TMP/secure.json" SECURE "$NOW"
eii "$TMP/insecure.json" INSECURE "$NOW"
eii "$TMP/old.json" STALE 1970-01-01T00:00:00Z

# ---- parse ----

run constraint parse "REVOKE:3 C:$H"
expect "parse canonical (section 10)" 0 "C:$HU REVOKE:3 SEC:STALE"

run constraint parse "  PROD:+7   S:$H EXPIRE:P2M3W4D SEC:SECURE C:$Z64 "
expect "parse canonical order" 0 "C:$Z64 S:$HU PROD:7 EXPIRE:P2M25D SEC:SECURE"

run constraint parse --json "C:$H"
expect "parse --json" 0 "{\"verdict\":\"ok\",\"constraint\":\"C:$HU SEC:STALE\"}"

run constraint parse ""
expect_err "parse empty (P9)" 2 "vouch: invalid constraint: Either a code hash or a code signer must be provided."

run constraint parse "S:$H"
expect_err "parse P10" 2 "vouch: invalid constraint: A product ID must be provided with a code signer."

run constraint parse "C:$H PROD:9001"
expect_err "parse P11" 2 "vouch: invalid constraint: A code signer must be provided with a product ID."

run constraint parse "C:$H FOO:1 BAR:2"
expect_err "parse unknown keys (DP35)" 2 "vouch: malformed constraint: Unknown keys [FOO, BAR]"

run constraint parse "C:$H"$'\t'"SEC:SECURE"
expect_err "parse TAB (DP5)" 2 "vouch: malformed constraint: Invalid token: C:$H"$'\t'"SEC:SECURE"

run constraint parse "S:$H PROD:65536"
expect_err "parse DP18" 2 "vouch: malformed constraint: Product ID is not a 16-bit number."

run constraint parse "S:$H PROD:x"
expect_err "parse DP22" 2 'vouch: malformed constraint: For input string: "x"'

run constraint parse "C:$H SEC:secure"
expect_err "parse DP27" 2 "vouch: malformed constraint: No enum constant com.r3.conclave.common.EnclaveSecurityInfo.Summary.secure"

run constraint parse "C:$H EXPIRE:PT1H"
expect_err "parse DP32" 2 "vouch: malformed constraint: Text cannot be parsed to a Period"

run constraint parse "C:zz PROD:1 PROD:2"
expect_err "parse DP37" 2 "vouch: malformed constraint: Provided string is neither a SHA-256 or a SHA-512 string: zz"

run constraint parse --json "S:$H PROD:1 PROD:1"
expect "parse --json malformed" 2 '{"verdict":"error","error":{"code":"constraint_malformed","message":"More than one PROD defined"}}'

run constraint parse --json "S:$H"
expect "parse --json invalid" 2 '{"verdict":"error","error":{"code":"constraint_invalid","message":"A product ID must be provided with a code signer."}}'

run constraint parse --no-validate "PROD:12 SEC:INSECURE"
expect "parse --no-validate" 0 "PROD:12 SEC:INSECURE"

run constraint parse
[[ "$rc" == 2 ]] && ok || bad_run "parse without argument is a usage error"

run constraint parse --help
[[ "$rc" == 0 && "$out" == *"EXPIRE:<p>"* && "$out" == *"Exit codes"* ]] && ok || bad_run "parse --help"

run constraint check --help
[[ "$rc" == 0 && "$out" == *"--eii"* && "$out" == *"--at"* && "$out" == *"Exit codes"* ]] && ok ||
  bad_run "check --help"

# ---- check: pass / fail (spec section 11.3 and 11.6 through the binary) ----

run constraint check "C:$X" --eii "$TMP/stale.json" --at "$NOW"
expect "check K1" 0 "PASS"

run constraint check "C:$R" --eii "$TMP/stale.json" --at "$NOW"
expect "check DC6 (closing parenthesis)" 1 "Enclave code hash does not match any of the acceptable code hashes. (measurement hash $XU vs acceptable $RU)"

run constraint check "S:$R PROD:10" --eii "$TMP/stale.json" --at "$NOW"
expect "check DC7" 1 "Enclave code signer does not match any of the acceptable code signers. (key hash $KU vs acceptable $RU)"

run constraint check "C:$R S:$Z64 PROD:10" --eii "$TMP/stale.json"
expect "check K7" 1 "Enclave does not match any of the acceptable code hashes or code signers."

run constraint check "S:$K PROD:10" --eii "$TMP/stale.json"
expect "check K3" 0 "PASS"

run constraint check "S:$K PROD:1" --eii "$TMP/stale.json"
expect "check K9" 1 "Enclave has a product ID of 10 which does not match the criteria of 1."

run constraint check "C:$X S:$R PROD:11" --eii "$TMP/stale.json"
expect "check DC1" 1 "Enclave has a product ID of 10 which does not match the criteria of 11."

run constraint check "C:$X REVOKE:3" --eii "$TMP/stale.json"
expect "check K11" 0 "PASS"

run constraint check "C:$X REVOKE:4" --eii "$TMP/stale.json"
expect "check K12" 1 "Enclave has a revocation level of 3 which is lower than the required level of 4."

eii "$TMP/svn0.json" SECURE "$NOW" 10 0 0 RELEASE
run constraint check "C:$X REVOKE:0" --eii "$TMP/svn0.json"
expect "check ISVSVN 0 REVOKE:0" 0 "PASS"
run constraint check "C:$X REVOKE:1" --eii "$TMP/svn0.json"
expect "check ISVSVN 0 REVOKE:1" 1 "Enclave has a revocation level of 0 which is lower than the required level of 1."

# Section 6.3 matrix.
for sec in INSECURE STALE SECURE; do
  for summary in insecure stale secure; do
    run constraint check "C:$X SEC:$sec" --eii "$TMP/$summary.json"
    actual=${summary^^}
    case "$sec/$actual" in
      INSECURE/INSECURE | STALE/STALE | STALE/SECURE | SECURE/SECURE)
        expect "matrix $sec/$actual" 0 "PASS" ;;
      INSECURE/*)
        expect "matrix $sec/$actual" 1 "Enclave has a security level of $actual which does not match the required level of INSECURE." ;;
      *)
        expect "matrix $sec/$actual" 1 "Enclave has a security level of $actual which is lower than the required level of $sec." ;;
    esac
  done
done

run constraint check "C:$X" --eii "$TMP/insecure.json"
expect "check DC3 default SEC" 1 "Enclave has a security level of INSECURE which is lower than the required level of STALE."

# EXPIRE with a pinned --at: P1D from 2025-06-19T10:56:11Z is 2025-06-18T10:56:11Z (strict).
run constraint check "C:$X EXPIRE:P1D" --eii "$TMP/stale.json" --at 2025-06-20T10:56:10Z
expect "expire inside" 0 "PASS"
run constraint check "C:$X EXPIRE:P1D" --eii "$TMP/stale.json" --at 2025-06-20T10:56:11Z
expect "expire boundary" 1 "Enclave attestation data is out of date with an age that exceeds P1D."
run constraint check "C:$X EXPIRE:P1D" --eii "$TMP/stale.json" --at 1750416970
expect "expire unix seconds" 0 "PASS"
run constraint check "C:$X EXPIRE:P6M" --eii "$TMP/old.json" --at "$NOW"
expect "check K24" 1 "Enclave attestation data is out of date with an age that exceeds P6M."
run constraint check "C:$X EXPIRE:P2M3W4D" --eii "$TMP/old.json"
expect "expire canonical in message" 1 "Enclave attestation data is out of date with an age that exceeds P2M25D."
run constraint check "C:$X EXPIRE:P0D" --eii "$TMP/stale.json" --at "$NOW"
expect "check DC5-like P0D" 1 "Enclave attestation data is out of date with an age that exceeds P0D."

# --json results.
run constraint check --json "C:$X" --eii "$TMP/stale.json"
expect "check --json pass" 0 '{"verdict":"accepted","result":"pass"}'
run constraint check --json "C:$X REVOKE:4" --eii "$TMP/stale.json"
expect "check --json fail" 1 '{"verdict":"rejected","result":"fail","message":"Enclave has a revocation level of 3 which is lower than the required level of 4.","reason":"revocation_level_too_low","error":{"code":"revocation_level_too_low","message":"Enclave has a revocation level of 3 which is lower than the required level of 4."}}'

# Standard input.
run_stdin "$TMP/stale.json" constraint check "C:$X" --eii -
expect "check --eii -" 0 "PASS"

# ---- check: errors ----

run constraint check "C:$H PROD:1" --eii "$TMP/stale.json"
expect_err "check invalid constraint" 2 "vouch: invalid constraint: A code signer must be provided with a product ID."

run constraint check "C:zz" --eii "$TMP/stale.json"
expect_err "check malformed constraint" 2 "vouch: malformed constraint: Provided string is neither a SHA-256 or a SHA-512 string: zz"

run constraint check --json "C:zz" --eii "$TMP/stale.json"
expect "check --json malformed constraint" 2 '{"verdict":"error","error":{"code":"constraint_malformed","message":"Provided string is neither a SHA-256 or a SHA-512 string: zz"}}'

run constraint check "C:$X" --eii "$TMP/does-not-exist.json"
[[ "$rc" == 3 && -z "$out" && "$err" == "vouch: cannot read EII: "* ]] && ok || bad_run "unreadable EII is exit 3"

run constraint check --json "C:$X" --eii "$TMP/does-not-exist.json"
[[ "$rc" == 3 && "$out" == '{"verdict":"error","error":{"code":"io_error","message":'* ]] && ok || bad_run "unreadable EII --json"

echo '{"code_hash":"zz"}' >"$TMP/bad.json"
run constraint check "C:$X" --eii "$TMP/bad.json"
expect_err "malformed EII" 2 'vouch: malformed EII: EII JSON: field "code_hash" must be a string of 64 hex digits, got 2 characters'

sed 's/"revocation_level":3/"revocation_level":2/' "$TMP/stale.json" >"$TMP/disagree.json"
run constraint check --json "C:$X" --eii "$TMP/disagree.json"
expect "EII revocation level disagrees" 2 '{"verdict":"error","error":{"code":"eii_malformed","message":"EII JSON: field \"revocation_level\" is 2 but isv_svn 4 gives max(isv_svn - 1, 0) = 3"}}'

printf 'not json' >"$TMP/garbage.json"
run constraint check "C:$X" --eii "$TMP/garbage.json"
[[ "$rc" == 2 && "$err" == "vouch: malformed EII: EII JSON: parse error"* ]] && ok || bad_run "garbage EII"

run constraint check "C:$X" --eii "$TMP/stale.json" --at yesterday
[[ "$rc" == 2 && "$err" == "vouch: bad --at: "* ]] && ok || bad_run "bad --at"

run constraint check --json "C:$X" --eii "$TMP/stale.json" --at yesterday
[[ "$rc" == 2 && "$out" == '{"verdict":"error","error":{"code":"invalid_time","message":'* ]] && ok || bad_run "bad --at --json"

# A malformed constraint is reported before the file is read.
run constraint check "C:zz" --eii "$TMP/does-not-exist.json"
[[ "$rc" == 2 ]] && ok || bad_run "constraint checked before the EII file"

run constraint check "C:$X"
[[ "$rc" == 2 ]] && ok || bad_run "--eii is required"

# Hints beside Conclave's exact messages (issue 11, item 7): the message stays Conclave's, the
# hint says how to fix it.
hint_of() { sed -n 's/^hint: //p' <<<"$err"; }
run constraint parse "C:$H SEC:SECRUE"
[[ "$rc" == 2 && "${err%%$'\n'*}" == "vouch: malformed constraint: No enum constant com.r3.conclave.common.EnclaveSecurityInfo.Summary.SECRUE" \
  && "$(hint_of)" == *"SEC must be SECURE, STALE or INSECURE"*"did you mean SECURE?"* ]] && ok || bad_run "hint: SEC typo"
run constraint parse "S:$H PORD:1"
[[ "$rc" == 2 && "$(hint_of)" == *"unknown key PORD (did you mean PROD?)"* ]] && ok || bad_run "hint: unknown key"
run constraint parse "C:$H SEC:SECURE"$'\n'
[[ "$rc" == 2 && "$(hint_of)" == *"line break"* ]] && ok || bad_run "hint: trailing newline"
run constraint parse "C:$H EXPIRE:30D"
[[ "$rc" == 2 && "$err" == *"Text cannot be parsed to a Period"* && "$(hint_of)" == *"did you mean P30D?"* ]] && ok || bad_run "hint: period"
run constraint parse "S:$H PROD:99999999999"
[[ "$rc" == 2 && "$err" == *'For input string: "99999999999"'* && "$(hint_of)" == *"from 0 to 65535"* ]] && ok || bad_run "hint: number"
run constraint parse --json "C:$H SEC:SECRUE"
[[ "$rc" == 2 && "$out" == *'"message":"No enum constant com.r3.conclave.common.EnclaveSecurityInfo.Summary.SECRUE","hint":"SEC must be'* ]] && ok || bad_run "hint in --json"
# A simulated enclave failing the default SEC:STALE: Conclave's message on stdout, the hint on
# stderr.
run constraint check "C:$X" --eii "$TMP/insecure.json"
[[ "$rc" == 1 && "$out" == "Enclave has a security level of INSECURE which is lower than the required level of STALE." \
  && "$(hint_of)" == *"simulated enclave is always INSECURE"*"SEC:INSECURE"* ]] && ok || bad_run "hint: simulation is INSECURE"
# The whole `sgx verify --json` output is not an EII: say where the EII is.
printf '{"verdict":"accepted","enclave":{}}' >"$TMP/verify.json"
run constraint check "C:$X" --eii "$TMP/verify.json"
[[ "$rc" == 2 && "$(hint_of)" == *"--eii-out"* ]] && ok || bad_run "hint: sgx verify output as EII"

echo "constraint_cli_test: $((pass + fail)) checks, $fail failures"
[[ $fail == 0 ]]
