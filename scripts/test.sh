#!/usr/bin/env bash
# Quickstart, step 2 (and CI): install what is missing, check formatting, then build and run the
# whole test suite twice: once in the normal build (gcc, RelWithDebInfo; followed by clang-tidy
# on the library and command sources; between the build and the tests, scripts/check-reproducible.sh
# builds the root bundle a second time and compares) and once under AddressSanitizer and
# UndefinedBehaviorSanitizer (clang), which also builds the libFuzzer targets and runs each on
# its checked-in corpus for VOUCH_FUZZ_SECONDS (default 10 here, a smoke run that keeps CI
# inside its budget; 30 in a plain asan configure; raise it for a longer search). Ends with
# ctest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
JOBS="$(nproc)"

# PostgreSQL servers a killed test left behind (tests start their own under /tmp/vouch-pg.*).
stop_stray_postgres() {
  local top bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  for top in /tmp/vouch-pg.*; do
    [ -d "$top/data" ] && [ -n "$bin" ] || continue
    if [ "$(id -u)" -eq 0 ]; then
      runuser -u postgres -- "$bin/pg_ctl" -D "$top/data" -m immediate -w stop >/dev/null 2>&1 || true
    else
      "$bin/pg_ctl" -D "$top/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$top"
  done
}
stop_stray_postgres
trap stop_stray_postgres EXIT

# Each phase's heading says when it began (seconds since the start), so a slow CI run shows where
# its time went.
phase() { echo "== $* [at ${SECONDS} s]"; }

phase "format (clang-format, .clang-format)"
git ls-files '*.cc' '*.h' | xargs clang-format --dry-run --Werror

phase "boundaries (public headers, internal headers, clocks and locks; docs/architecture.md)"
bash scripts/check-boundaries.sh

phase "the browser test's driver (puppeteer-core from npm, for Debian's chromium; tests/browser)"
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)

phase "normal build (gcc)"
cmake --preset default >/dev/null
cmake --build --preset default -j "$JOBS"

echo
phase "reproducible root bundle (a second clean build of root_bundle, without ccache, compared)"
JOBS="$JOBS" scripts/check-reproducible.sh build/default
echo
phase "tests (normal build)"
ctest --preset default --label-exclude fuzz

echo
phase "clang-tidy (.clang-tidy) on the library and command sources"
# A source compiled inside a unity file (every library: vouch_unity, cmake/VouchHelpers.cmake)
# has no entry in the compilation database of its own: its unity file is checked instead, with
# the sources it includes reported as its own (--header-filter) and the check that flags an
# #include of a .cc file off; clang does not know GCC's -Wno-subobject-linkage, which the unity
# files' compile commands carry.
tidy_log=build/default/clang-tidy.log
tidy_db=build/default/compile_commands.json
tidy_failed=0
git ls-files 'src/*.cc' | grep -v '_test\.cc$' | while IFS= read -r f; do
  if grep -qF "\"file\": \"$PWD/$f\"" "$tidy_db"; then echo "$f"; fi
done | xargs -P "$JOBS" -n 4 clang-tidy -p build/default --quiet >"$tidy_log" 2>&1 || tidy_failed=1
unity_files=$(grep -oE '"file": "[^"]*/Unity/unity_[0-9]+_cxx\.cxx"' "$tidy_db" |
  sed 's/^"file": "\(.*\)"$/\1/' | grep -v '_test\.dir/' | LC_ALL=C sort -u || true)
if [ -n "$unity_files" ]; then
  echo "$unity_files" | xargs -P "$JOBS" -n 1 clang-tidy -p build/default --quiet \
    --checks=-bugprone-suspicious-include --header-filter='/src/[a-z_/]+\.cc$' \
    --extra-arg=-Wno-unknown-warning-option \
    >>"$tidy_log" 2>&1 || tidy_failed=1
fi
if [ "$tidy_failed" -ne 0 ]; then
  grep -v 'warnings generated' "$tidy_log"
  echo "clang-tidy found problems (above)"
  exit 1
fi
echo "clean"

echo
phase "ASan + UBSan build (clang), with fuzz targets"
cmake --preset asan -DVOUCH_FUZZ_SECONDS="${VOUCH_FUZZ_SECONDS:-10}" >/dev/null
cmake --build --preset asan -j "$JOBS"
phase "ASan + UBSan tests"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset asan
echo "== all passed [at ${SECONDS} s]"
