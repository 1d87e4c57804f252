#!/usr/bin/env bash
# Builds the root bundle a second time and checks that it is byte-identical to the first
# (docs/reproducible-build.md; issue 14, item 1).
#   scripts/check-reproducible.sh [BUILD_DIR]
# BUILD_DIR (default build/default, the `default` preset's) holds build #1: its `root_bundle`
# target is brought up to date (a no-op right after scripts/test.sh's build). Build #2 is a fresh
# clone of the same commit in a differently named temporary directory, configured with the same
# preset and built WITHOUT ccache (a cache would hand back build #1's objects and hide any
# non-determinism), `root_bundle` target only. If BUILD_DIR compiles through ccache, build #1
# is a second clean clone as well (see step 3). The script then compares the two bundles file by
# file, byte for byte, and their MRENCLAVE (`vouch measure --json`); on a difference it names the
# files and their first differing offsets and exits 1. It also checks that no source uses
# __DATE__, __TIME__ or __TIMESTAMP__ and that the checkout paths appear in neither program.
# Environment: JOBS (default nproc), VOUCH_REPRO_KEEP=1 keeps the temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd -P)
build1=${1:-build/default}
jobs=${JOBS:-$(nproc)}

fail() {
  echo "check-reproducible: $*" >&2
  exit 1
}

# 1. Sources: nothing that stamps the time of the build.
if git grep -n -E '__(DATE|TIME|TIMESTAMP)__' -- 'src/*' 'include/*' 'examples/*' \
    ':!scripts/check-reproducible.sh'; then
  fail "the sources above use __DATE__/__TIME__/__TIMESTAMP__ (not reproducible)"
fi

# The bundle embeds the commit (`vouch --version`); a tree with changes would say "-dirty" in
# build #1 and not in the clone.
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  fail "the work tree has uncommitted changes to tracked files; commit them first"
fi
commit=$(git rev-parse HEAD)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vouch-repro.XXXXXX")
if [ "${VOUCH_REPRO_KEEP:-0}" != 1 ]; then
  trap 'rm -rf "$tmp"' EXIT
fi
# clean_build DIR: a clean clone of the commit in DIR, `root_bundle` built there without ccache.
clean_build() {
  local dir=$1 start
  start=$(date +%s)
  git clone --quiet --no-checkout "$top" "$dir"
  git -C "$dir" -c advice.detachedHead=false checkout --quiet --detach "$commit"
  (
    cd "$dir"
    export CCACHE_DISABLE=1
    cmake --preset default -DCMAKE_CXX_COMPILER_LAUNCHER= -DCMAKE_C_COMPILER_LAUNCHER= >/dev/null
    cmake --build build/default -j "$jobs" --target root_bundle
  )
  echo "the build in $dir took $(($(date +%s) - start)) s"
}

# 2. Build #2: a clean clone of the same commit, elsewhere, without ccache.
src2=$tmp/second-builder-checkout
echo "== build #2: $commit in $src2 (no ccache)"
clean_build "$src2"

# 3. Build #1 up to date (the same commit). A build directory that compiles through ccache
# cannot serve: ccache leaves -ffile-prefix-map out of its hash (so that base_dir can share
# objects between checkouts), and so may hand back an object compiled with other path maps.
# Then build #1, too, is a clean clone (in another directory) without ccache.
if grep -q '^CMAKE_CXX_COMPILER_LAUNCHER:.*ccache' "$build1/CMakeCache.txt" 2>/dev/null ||
    grep -q '^CMAKE_C_COMPILER_LAUNCHER:.*ccache' "$build1/CMakeCache.txt" 2>/dev/null; then
  echo "== build #1: $build1 compiles through ccache; a clean build instead"
  src1=$tmp/first-builder
  clean_build "$src1"
  build1=$src1/build/default
else
  echo "== build #1: $build1"
  cmake --build "$build1" -j "$jobs" --target root_bundle
fi
top1=${src1:-$top}

b1=$build1/root-bundle
b2=$src2/build/default/root-bundle
vouch=$build1/src/cli/vouch

# 4. No checkout path in either program.
for pair in "$top1:$b1" "$src2:$b2"; do
  path=${pair%%:*}
  if strings -a "${pair#*:}/bin/vouch" | grep -F -q "$path"; then
    strings -a "${pair#*:}/bin/vouch" | grep -F "$path" | head -5
    fail "${pair#*:}/bin/vouch contains its checkout path $path"
  fi
done

# 5. The two bundles: the same files, byte for byte.
status=0
list1=$(cd "$b1" && find . -type f | LC_ALL=C sort)
list2=$(cd "$b2" && find . -type f | LC_ALL=C sort)
if [ "$list1" != "$list2" ]; then
  echo "the bundles hold different files:"
  diff <(echo "$list1") <(echo "$list2") || true
  status=1
fi
while IFS= read -r f; do
  [ -f "$b2/$f" ] || continue
  if ! cmp -s "$b1/$f" "$b2/$f"; then
    echo "differs: $f ($(stat -c %s "$b1/$f") vs $(stat -c %s "$b2/$f") bytes); first differing bytes (offset, octal #1, octal #2):"
    cmp -l "$b1/$f" "$b2/$f" 2>/dev/null | head -10 || true
    status=1
  fi
done <<<"$list1"

# 6. Their MRENCLAVE.
m1=$("$vouch" measure --json "$b1" | sed -n 's/.*"mr_enclave":"\([0-9a-f]\{64\}\)".*/\1/p')
m2=$("$vouch" measure --json "$b2" | sed -n 's/.*"mr_enclave":"\([0-9a-f]\{64\}\)".*/\1/p')
[ -n "$m1" ] && [ -n "$m2" ] || fail "vouch measure did not give an MRENCLAVE"
echo "MRENCLAVE #1 $m1"
echo "MRENCLAVE #2 $m2"
if [ "$m1" != "$m2" ]; then
  status=1
fi
if [ "$status" -ne 0 ]; then
  [ "${VOUCH_REPRO_KEEP:-0}" = 1 ] && echo "build #2 kept in $src2"
  fail "the root bundle is not reproducible (above)"
fi
echo "reproducible: the two root bundles are byte-identical (MRENCLAVE $m1)"
