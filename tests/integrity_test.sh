#!/usr/bin/env bash
# The image integrity digest (docs/integrity.md, spec/governance.md §5.2): the built `vouch`
# verifies its own digest; a copy with one byte changed outside the slot reports itself altered
# and refuses to serve (exit 3, one line); a copy whose digest field is zeroed is not injected,
# and injecting it again restores the same digest (the build is reproducible); the post-link
# tool refuses an injected file (exit 2), a file that is no image (exit 2) and a missing one
# (exit 3). Run by ctest with VOUCH=<binary> and INJECT=<vouch-inject-integrity>, from the
# repository root.
set -uo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${INJECT:?set INJECT to vouch-inject-integrity}"

# section_offset FILE NAME: the file offset (decimal) of section NAME.
section_offset() {
  local hex
  hex=$(readelf -SW "$1" | sed 's/^ *\[ *[0-9]*\] *//' | awk -v n="$2" '$1 == n { print $4 }')
  [ -n "$hex" ] && echo $((16#$hex))
}
# flip FILE OFFSET: changes the byte at OFFSET.
flip() {
  local byte
  byte=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
  printf "\\$(printf '%03o' $(((byte + 1) % 256)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

cp -p "$VOUCH" "$TMP/vouch"
check "built vouch: integrity ok" 0 "^integrity: ok [0-9a-f]{64}$" -- \
  "$TMP/vouch" version --verify-integrity
D=$("$TMP/vouch" version --verify-integrity | awk '{ print $3 }')
check "copy: the same digest" 0 "^integrity: ok $D$" -- "$VOUCH" version --verify-integrity
check "json: accepted" 0 "^\{\"verdict\":\"accepted\",\"integrity\":\"ok\",\"digest\":\"$D\"\}$" -- \
  "$TMP/vouch" version --verify-integrity --json
check "plain version unchanged" 0 "^vouch [0-9]" -- "$TMP/vouch" version
check "--version unchanged" 0 "^vouch [0-9]" -- "$TMP/vouch" --version

SLOT=$(section_offset "$TMP/vouch" .vouch_integrity)
COMMENT=$(section_offset "$TMP/vouch" .comment)
[ -n "$SLOT" ] && [ -n "$COMMENT" ] && ok || bad "sections .vouch_integrity and .comment found"
# The slot holds the header and D.
[ "$(od -An -tx1 -j "$SLOT" -N16 "$TMP/vouch" | tr -d ' \n')" = ff766f7563682d696e74656772697479 ] &&
  ok || bad "slot magic"
[ "$(od -An -tx1 -j $((SLOT + 32)) -N32 "$TMP/vouch" | tr -d ' \n')" = "$D" ] && ok ||
  bad "slot digest"

# One byte changed outside the slot (in .comment, which nothing loads).
cp -p "$VOUCH" "$TMP/altered"
flip "$TMP/altered" "$COMMENT"
check "altered: exit 1" 1 "^integrity: altered \(stored $D, computed [0-9a-f]{64}\)$" -- \
  "$TMP/altered" version --verify-integrity
check "altered: json" 1 '"verdict":"rejected".*"code":"integrity_digest_mismatch"' -- \
  "$TMP/altered" version --verify-integrity --json
# Every serve refuses to start: exit 3, exactly one line, before anything else (the missing key
# is never read, no data directory is created).
"$TMP/altered" serve witness --data "$TMP/w" --key "$TMP/missing.key" --log "a=b" \
  >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 3 ] && ok || bad "altered serve witness: exit $rc, want 3"
[ "$(wc -l <"$TMP/err")" -eq 1 ] && ok || bad "altered serve witness: not one line: $(cat "$TMP/err")"
grep -qE '^vouch serve witness: self-check failed \(integrity_digest_mismatch\): .*stored '"$D"', computed [0-9a-f]{64}.*; refusing to serve$' "$TMP/err" &&
  ok || bad "altered serve witness: message: $(cat "$TMP/err")"
[ ! -s "$TMP/out" ] && [ ! -e "$TMP/w" ] && ok || bad "altered serve witness: did something"
check "altered serve log: refused" 3 "^vouch serve log: self-check failed \(integrity_digest_mismatch\)" -- \
  "$TMP/altered" serve log --data "$TMP/l" --key "$TMP/missing.key"
# The unaltered program passes the self-check and fails later, on the missing key.
"$TMP/vouch" serve witness --data "$TMP/w" --key "$TMP/missing.key" --log "a=b" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 3 ] && ! grep -q "self-check" "$TMP/err" && grep -q "missing.key" "$TMP/err" && ok ||
  bad "unaltered serve witness: rc $rc: $(cat "$TMP/err")"

# The digest field zeroed: not injected; injecting it gives the same digest again.
cp -p "$VOUCH" "$TMP/zeroed"
dd if=/dev/zero of="$TMP/zeroed" bs=1 seek=$((SLOT + 32)) count=32 conv=notrunc 2>/dev/null
check "zeroed: not injected" 1 "^integrity: not injected$" -- \
  "$TMP/zeroed" version --verify-integrity
check "zeroed: serve refused" 3 "self-check failed \(integrity_digest_missing\)" -- \
  "$TMP/zeroed" serve witness --data "$TMP/w" --key "$TMP/missing.key" --log "a=b"
chmod 0751 "$TMP/zeroed"
check "inject" 0 "^$D  $TMP/zeroed$" -- "$INJECT" "$TMP/zeroed"
[ "$(stat -c %a "$TMP/zeroed")" = 751 ] && ok || bad "inject kept the mode"
cmp -s "$VOUCH" "$TMP/zeroed" && ok || bad "re-injected file differs from the built one"
check "re-injected: ok" 0 "^integrity: ok $D$" -- "$TMP/zeroed" version --verify-integrity

# The post-link tool's refusals.
check "inject twice: exit 2" 2 "integrity_already_injected" -- "$INJECT" "$TMP/vouch"
cmp -s "$VOUCH" "$TMP/vouch" && ok || bad "a refused injection changed the file"
check "inject altered: exit 2" 2 "integrity_already_injected" -- "$INJECT" "$TMP/altered"
printf '#!/bin/sh\n' >"$TMP/script"
check "inject a script: exit 2" 2 "integrity_unsupported" -- "$INJECT" "$TMP/script"
check "inject a missing file: exit 3" 3 "" -- "$INJECT" "$TMP/none"
check "inject usage: exit 2" 2 "usage" -- "$INJECT"

finish
