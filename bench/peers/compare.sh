#!/usr/bin/env bash
# Side-by-side DCAP verification speed, one core, same vector, same run:
#   Vouch uncached and cached (build/default/bench/sgx_verify_bench), OpenSSL's own ECDSA-P256
#   verify rate, and the npm peers @phala/dcap-qvl (JavaScript) and @phala/dcap-qvl-web (Rust
#   compiled to WebAssembly), installed with npm into $DCAP_PEERS_DIR (default /tmp/dcap-peers).
# Usage: bench/peers/compare.sh [CASE] [SECONDS]      (after scripts/quickstart.sh or a build)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
case="${1:-phala-dcap-qvl/sgx-v3-2025-06}"
seconds="${2:-5}"
bench="$root/build/default/bench/sgx_verify_bench"
[ -x "$bench" ] || { echo "build first: cmake --preset default && cmake --build --preset default" >&2; exit 2; }
command -v node >/dev/null || { echo "node is required for the peers" >&2; exit 2; }

"$here/install.sh" >/dev/null
at="$(sed -n 's/.*"verify_time_unix": *\([0-9]*\).*/\1/p' "$root/tests/data/sgx-dcap/$case/expected.json")"
vouch_out="$(taskset -c 0 "$bench" --vector "$root/tests/data/sgx-dcap/$case" --at "$at" --seconds "$seconds")"
peers_out="$(cd "$here" && BENCH_SECONDS="$seconds" taskset -c 0 node bench.js "$case" | grep '^peer=.* per_s=')"

ecdsa=$(sed -n 's/^openssl_ecdsa_p256_verify_per_s=\([0-9]*\).*/\1/p' <<<"$vouch_out")
uncached=$(sed -n 's/^vouch_uncached_quotes_per_s=\([0-9]*\).*/\1/p' <<<"$vouch_out")
cached=$(sed -n 's/^vouch_cached_quotes_per_s=\([0-9]*\).*/\1/p' <<<"$vouch_out")
echo "case: $case (one core)"
printf '%-28s %10s %s\n' "verifier" "quotes/s" "vs fastest peer"
fastest=0
while read -r line; do
  rate=$(sed -n 's/.*per_s=\([0-9.]*\).*/\1/p' <<<"$line"); rate=${rate%.*}
  [ "${rate:-0}" -gt "$fastest" ] && fastest=$rate
done <<<"$peers_out"
while read -r line; do
  name=$(sed -n 's/^peer=\([^ ]*\).*/\1/p' <<<"$line"); rate=$(sed -n 's/.*per_s=\([0-9.]*\).*/\1/p' <<<"$line")
  printf '%-28s %10.0f\n' "$name" "$rate"
done <<<"$peers_out"
awk -v u="$uncached" -v c="$cached" -v f="$fastest" -v e="$ecdsa" 'BEGIN {
  printf "%-28s %10d %6.1fx\n", "vouch (uncached)", u, (f > 0 ? u / f : 0);
  printf "%-28s %10d %6.1fx\n", "vouch (cached)", c, (f > 0 ? c / f : 0);
  printf "%-28s %10d   (reference; cached = %.0f%%, uncached = %.1f verifies)\n",
         "openssl ecdsa-p256 verify", e, 100 * c / e, e / u }'
