#!/usr/bin/env bash
# Quickstart, step 1: install what is missing, build Vouch, and run its main job on embedded
# defaults: verify the bundled real Intel SGX DCAP quotes offline, at the time their collateral
# was valid, against example Conclave-style constraints; then `vouch demo`, the whole story on
# this machine (docs/demo.md): a witnessed log, reproducible builds, root enclaves, admissions,
# a secret provisioned through the broker to an enclave that did not exist yet, a revocation,
# a root rotation and the audit.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)"

VOUCH=build/default/src/cli/vouch
DATA=tests/data/sgx-dcap
echo
echo "== vouch $($VOUCH --version | head -1 | cut -d' ' -f2): verifying the bundled real SGX quotes"

run() {  # run CASE TIME CONSTRAINT: prints the verdict; a rejection is part of the demo
  local dir=$DATA/$1
  echo
  echo "-- $1 at $2, constraint: $3"
  "$VOUCH" sgx verify "$dir/quote.bin" --collateral "$dir" --at "$2" --constraint "$3" || true
}

# A release enclave on a platform whose TCB needs configuration: STALE, accepted by the
# default SEC:STALE, refused when SECURE is required.
run phala-dcap-qvl/sgx-v3-2025-06 2025-07-19T10:01:17Z \
  "S:815F42F11CF64430C30BAB7816BA596A1DA0130C3B028B673133A66CF9A3E0E6 PROD:0"
run phala-dcap-qvl/sgx-v3-2025-06 2025-07-19T10:01:17Z \
  "C:33D8736DB756ED4997E04BA358D27833188F1932FF7B1D156904D3F560452FBB SEC:SECURE"
# TCB Info version 2 collateral (which other verifiers cannot read).
run teepot/sgx-v3-outofdate-tcbinfo-v2-2023-05 2023-05-15T15:41:43Z \
  "C:$("$VOUCH" sgx verify "$DATA/teepot/sgx-v3-outofdate-tcbinfo-v2-2023-05/quote.bin" \
        --collateral "$DATA/teepot/sgx-v3-outofdate-tcbinfo-v2-2023-05" --at 1684165303 --json \
        | sed -n 's/.*"code_hash":"\([0-9a-f]*\)".*/\1/p')"
# A debug enclave is INSECURE whatever the platform: a production constraint refuses it.
run automata-dcap-rs/sgx-v3-debug-2024-08 2024-08-29T20:20:00Z \
  "S:$("$VOUCH" sgx verify "$DATA/automata-dcap-rs/sgx-v3-debug-2024-08/quote.bin" \
        --collateral "$DATA/automata-dcap-rs/sgx-v3-debug-2024-08" --at 1724962800 --json \
        | sed -n 's/.*"code_signer":"\([0-9a-f]*\)".*/\1/p') PROD:0"
# The same quote a day after its collateral expired: rejected.
run phala-dcap-qvl/sgx-v3-2025-06 2025-07-20T10:01:17Z \
  "S:815F42F11CF64430C30BAB7816BA596A1DA0130C3B028B673133A66CF9A3E0E6 PROD:0"
echo
echo "== vouch demo: the whole story on this machine (docs/demo.md)"
echo
"$VOUCH" demo
echo
echo "Done. See README.md for the commands, and 'scripts/test.sh' for the test suite."
