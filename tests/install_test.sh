#!/usr/bin/env bash
# `cmake --install` gives a tree a program outside Vouch can use (docs/library.md): the headers
# compile with nothing but the installed include directory, the manual pages and the bash
# completion are installed, examples/consumer builds against
# the CMake package and against pkg-config (also after the tree is moved), and runs: it
# verifies a real SGX quote and checks constraints with libvouch. Run by ctest from the
# repository root with BUILD_DIR set to the build tree (not in sanitizer builds: the archive
# there needs the sanitizer runtime).
set -uo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${BUILD_DIR:?set BUILD_DIR to the build tree to install}"

P=$TMP/prefix
check "install" 0 "" -- cmake --install "$BUILD_DIR" --prefix "$P"
for f in include/vouch/base/status.h include/vouch/sgx/verifier.h lib/libvouch.a \
    lib/cmake/vouch/vouchConfig.cmake lib/cmake/vouch/vouchConfigVersion.cmake \
    lib/pkgconfig/vouch.pc bin/vouch share/man/man1/vouch.1 share/man/man1/vouch-sgx.1 \
    share/bash-completion/completions/vouch; do
  [ -f "$P/$f" ] && ok || bad "installed: $f missing"
done
check "installed vouch runs" 0 "^vouch " -- "$P/bin/vouch" --version
# Installing copies the program unchanged (no RPATH rewrite, no strip): its image integrity
# digest still holds (docs/integrity.md).
check "installed vouch: integrity holds" 0 "^integrity: ok [0-9a-f]{64}$" -- \
  "$P/bin/vouch" version --verify-integrity
cmp -s "$BUILD_DIR/src/cli/vouch" "$P/bin/vouch" && ok || bad "installed vouch differs from the built one"
# Every public header is installed, and they resolve among themselves: one translation unit
# includes them all with only the installed include directory (not src/; check-boundaries.sh
# keeps third-party headers out of them).
(cd "$P/include" && find vouch -name '*.h' | sort | sed 's/.*/#include "&"/') > "$TMP/all.cc"
[ "$(wc -l < "$TMP/all.cc")" -eq "$(git ls-files 'include/vouch/*.h' | wc -l)" ] && ok ||
  bad "installed headers differ in number from include/vouch/"
check "headers compile from the prefix alone" 0 "" -- \
  g++ -std=c++20 -fsyntax-only -I "$P/include" "$TMP/all.cc"
# nlohmann and simdjson are private: nothing in the package names nlohmann.
if grep -rqi nlohmann "$P/lib/cmake" "$P/lib/pkgconfig"; then
  bad "the installed package mentions nlohmann"
else
  ok
fi

Q=tests/data/sgx-dcap/phala-dcap-qvl/sgx-v3-2025-06
AT=1752919277
MRENCLAVE=33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb
# consumer_checks NAME BINARY: the consumer verifies the quote and checks two constraints.
consumer_checks() {
  local name=$1 bin=$2
  check "$name: verifies" 0 "MRENCLAVE $MRENCLAVE" -- "$bin" "$Q/quote.bin" "$Q" "$AT"
  check "$name: constraint met" 0 "constraint satisfied" -- \
    "$bin" "$Q/quote.bin" "$Q" "$AT" "C:$MRENCLAVE SEC:STALE"
  check "$name: constraint not met" 1 "security_level_too_low" -- \
    "$bin" "$Q/quote.bin" "$Q" "$AT" "C:$MRENCLAVE SEC:SECURE"
  check "$name: collateral not yet valid" 1 "does not verify" -- "$bin" "$Q/quote.bin" "$Q" 1000
}

# The CMake package, from a moved prefix (the installed tree is relocatable).
mv "$P" "$TMP/moved"
P=$TMP/moved
check "cmake consumer: configure" 0 "" -- \
  cmake -S examples/consumer -B "$TMP/consumer" -DCMAKE_PREFIX_PATH="$P" -DCMAKE_BUILD_TYPE=Release
check "cmake consumer: build" 0 "" -- cmake --build "$TMP/consumer"
consumer_checks "cmake consumer" "$TMP/consumer/check_quote"

# pkg-config, from the same moved prefix.
# shellcheck disable=SC2046  # pkg-config's output is a list of words
check "pkg-config consumer: build" 0 "" -- g++ -std=c++20 -O1 -o "$TMP/check_quote_pc" \
  examples/consumer/check_quote.cc $(PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --cflags --libs vouch)
consumer_checks "pkg-config consumer" "$TMP/check_quote_pc"

finish
