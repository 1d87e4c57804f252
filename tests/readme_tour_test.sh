#!/usr/bin/env bash
# Runs the README's "A short tour" exactly as written (issue 11, item 9): its ```sh blocks,
# line by line, in order, with `bash -e`. The tour is meant to be run from the root of a
# checkout after the Quickstart; here that root is a scratch directory whose
# build/default/src/cli/vouch is the binary under test ($VOUCH) and whose examples/ and tests/
# are this checkout's, so that nothing outside the repository is needed and nothing is written
# into it. Also checks that the Quickstart stays two commands and that the tour elides nothing.
set -uo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
REPO=$PWD

# The code blocks of a README section: every line between ```sh and ``` after the heading $1,
# up to the next "## " heading.
blocks() {
  awk -v heading="$1" '
    $0 == heading { in_section = 1; next }
    in_section && /^## / { exit }
    in_section && /^```sh$/ { in_block = 1; next }
    in_section && /^```$/ { in_block = 0; next }
    in_section && in_block { print }' README.md
}

blocks "## A short tour" >"$TMP/tour.sh"
[ "$(wc -l <"$TMP/tour.sh")" -ge 30 ] && ok || bad "the tour has $(wc -l <"$TMP/tour.sh") lines"
grep -q '…' "$TMP/tour.sh" && bad "the tour elides something with …" || ok
quick=$(blocks "## Quickstart (fresh Debian 12)" | grep -cv '^ *$')
[ "$quick" = 2 ] && ok || bad "the Quickstart has $quick commands, not two"

checkout_state() { (cd "$REPO" && find examples tests/data -newer "$TMP/tour.sh" | sort); }
ROOT=$TMP/checkout
mkdir -p "$ROOT/build/default/src/cli" "$TMP/home" "$TMP/scratch"
ln -s "$(cd "$(dirname "$VOUCH")" && pwd)/$(basename "$VOUCH")" "$ROOT/build/default/src/cli/vouch"
ln -s "$REPO/examples" "$ROOT/examples"
ln -s "$REPO/tests" "$ROOT/tests"

# In its own session and process group (whose id is $tour: setsid does not fork here), so that
# whatever it started is stopped, by that group's id, even when it fails half-way.
(cd "$ROOT" && HOME=$TMP/home TMPDIR=$TMP/scratch VOUCH_LOG_URL='' VOUCH_POLICY='' \
  VOUCH_SIM_DIR='' exec setsid --wait timeout 120 bash -e "$TMP/tour.sh") >"$TMP/out" 2>"$TMP/err" &
tour=$!
wait "$tour"
rc=$?
[ "$tour" -gt 1 ] && kill -9 -- "-$tour" 2>/dev/null
out=$(cat "$TMP/out")
err=$(cat "$TMP/err")
[ "$rc" = 0 ] && ok || bad_run "the tour exits 0"

# What each part says when it works.
for pattern in \
  'verdict: +accepted' 'constraint: +PASS' '^C:33D8736DB756ED4997E04BA358D27833188F1932FF7B1D156904D3F560452FBB REVOKE:3 SEC:STALE$' \
  '^PASS$' '"verdict":"rejected".*"code":"security_level_too_low"' 'rejected: exit 1' \
  '^index 0$' '^OK: the entry is at index 0 of log.example/tour' 'OK: log.example/tour size 1' \
  'cosigned by w1' 'hello from the simulated enclave' 'mode SIMULATION' '^a secret$' \
  'Examples:' 'Usage: vouch log proof'; do
  grep -qE -- "$pattern" <<<"$out" && ok || bad_run "tour output lacks /$pattern/"
done
# Nothing was written into the checkout.
changed=$(checkout_state)
[ -z "$changed" ] && ok || bad "the tour wrote into the checkout: $changed"

finish
