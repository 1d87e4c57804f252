#!/usr/bin/env bash
# Build configuration (issue 11, items 10 and 11): warnings are errors in the presets (and so in
# CI), not in a plain configure; `vouch --version`'s commit comes from the checkout, or
# -DVOUCH_COMMIT, or is "unknown" without .git (a release tarball). Run by ctest from the
# repository root.
set -uo pipefail
: "${VOUCH:=unused}"
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fast=(-DVOUCH_BUILD_TESTS=OFF -DVOUCH_BUILD_BENCH=OFF -DVOUCH_BUILD_EXAMPLES=OFF)
cmake -S . -B "$TMP/plain" -G Ninja "${fast[@]}" >"$TMP/plain.log" 2>&1 && ok || { bad "plain configure"; cat "$TMP/plain.log"; }
grep -q '^VOUCH_WERROR:BOOL=OFF$' "$TMP/plain/CMakeCache.txt" && ok || bad "VOUCH_WERROR is not OFF by default"
! grep -q -- '-Werror' "$TMP/plain/build.ninja" && ok || bad "-Werror in a plain build"
cmake --preset default -B "$TMP/preset" "${fast[@]}" >"$TMP/preset.log" 2>&1 && ok || { bad "preset configure"; cat "$TMP/preset.log"; }
grep -q -- '-Werror' "$TMP/preset/build.ninja" && ok || bad "no -Werror in the default preset"
grep -A16 '"name": "asan"' CMakePresets.json | grep -q '"VOUCH_WERROR": "ON"' && ok || bad "no VOUCH_WERROR in the asan preset"

# The commit of --version.
info() {  # info SOURCE_DIR [COMMIT]: the commit the build-info script writes
  cmake -DSOURCE_DIR="$1" -DOUTPUT="$TMP/info.h" -DVERSION=0.1.0 -DBUILD_TYPE=Release \
    -DOPENSSL_VERSION=3.0.0 -DSQLITE_VERSION=3.40.0 -DCOMMIT="${2:-}" -P src/cli/build_info.cmake &&
    sed -n 's/^#define VOUCH_BUILD_COMMIT "\(.*\)"$/\1/p' "$TMP/info.h"
}
mkdir -p "$TMP/tarball"
[ "$(info "$TMP/tarball")" = unknown ] && ok || bad "a tree without .git: $(info "$TMP/tarball")"
[ "$(info "$TMP/tarball" 0123456789ab)" = 0123456789ab ] && ok || bad "-DVOUCH_COMMIT is not used"
if [ -e .git ]; then
  want=$(git rev-parse --short=12 HEAD)
  [[ "$(info "$PWD")" =~ ^$want(-dirty)?$ ]] && ok || bad "checkout commit: $(info "$PWD"), want $want"
  [ "$(info "$PWD")" = "$(info "$PWD")" ] && ok || bad "the commit is not deterministic"
  # A tree inside another repository (a tarball unpacked in a checkout) is not that repository.
  mkdir -p tests/.build-config-probe && trap 'rm -rf tests/.build-config-probe; cleanup' EXIT
  [ "$(info "$PWD/tests/.build-config-probe")" = unknown ] && ok || bad "a nested tree takes the outer commit"
fi
grep -q '^#define VOUCH_BUILD_TYPE "Release"$' "$TMP/info.h" && ok || bad "build type"

finish
