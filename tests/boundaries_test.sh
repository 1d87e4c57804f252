#!/usr/bin/env bash
# scripts/check-boundaries.sh: clean on this tree, and each kind of violation in a scratch tree is
# found and named. Run by ctest from the repository root.
set -uo pipefail
# shellcheck source=tests/lib.sh
VOUCH=${VOUCH:-unused} source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CHECK=$PWD/scripts/check-boundaries.sh

out=$(bash "$CHECK" 2>&1) && ok || { bad "this tree: $out"; }

# A scratch tree with one clean file per rule, then one violation at a time.
T=$TMP/tree
mkdir -p "$T/include/vouch/ledger" "$T/src/ledger" "$T/src/store" "$T/src/base"
git -C "$T" init -q
printf '#include <string>\n#include "vouch/base/status.h"\n' > "$T/include/vouch/ledger/a.h"
printf '#include "ledger/internal.h"\n#include "base/json.h"\n' > "$T/src/ledger/a.cc"
printf '#include "store/memory_log_store.h"\n' > "$T/src/ledger/a_test.cc"
printf 'vouch_cc_library(NAME ledger\n  SRCS a.cc\n  DEPS vouch::base\n  PRIVATE_DEPS nlohmann_json::nlohmann_json)\n' > "$T/src/ledger/CMakeLists.txt"
printf 'std::mutex mu;\nauto t = std::chrono::steady_clock::now();\n' > "$T/src/base/clock.cc"
git -C "$T" add -A
bash "$CHECK" "$T" > /dev/null 2>&1 && ok || bad "the clean scratch tree is refused"

# violates FILE CONTENT PATTERN: with FILE holding CONTENT, the check fails naming PATTERN.
violates() {
  local file=$1 content=$2 pattern=$3 out rc
  printf '%s\n' "$content" > "$T/$file"
  git -C "$T" add -A
  out=$(bash "$CHECK" "$T" 2>&1); rc=$?
  if [ $rc -eq 1 ] && grep -qF -- "$pattern" <<<"$out"; then ok; else bad "$file: rc $rc: $out"; fi
  git -C "$T" rm -q -f "$file"
}
violates include/vouch/ledger/b.h '#include <openssl/evp.h>' 'includes <openssl/evp.h>'
violates include/vouch/ledger/b.h '#include <nlohmann/json.hpp>' 'includes <nlohmann/json.hpp>'
violates include/vouch/ledger/b.h '#include "ledger/stored_tile.h"' 'not a public header'
violates src/ledger/b.cc '#include "store/sqlite/sqlite_db.h"' 'internal header of another module'
violates src/ledger/b.cc '#include "testing/fake_clock.h"' 'test support "testing/fake_clock.h"'
violates src/ledger/b.cc '#include "store/memory_log_store.h"' 'test support'
violates src/ledger/b.cc 'std::mutex mu;' 'std::mutex mu;'
violates src/ledger/b.cc 'std::condition_variable cv;' 'std::condition_variable'
violates src/ledger/b.cc 'auto t = std::chrono::steady_clock::now();' 'steady_clock::now'
violates src/ledger/b.cc 'auto t = std::chrono::system_clock::now();' 'system_clock::now'
violates src/ledger/b.cc 'time_t t = time(nullptr);' 'time(nullptr)'
violates include/vouch/ledger/b.h 'std::shared_mutex mu;' 'std::shared_mutex'
violates include/vouch/ledger/b.h '  std::vector<std::thread> threads_;' 'declares threads or locks'
violates include/vouch/ledger/b.h '  mutable Mutex mu_;' 'declares threads or locks'
violates src/store/CMakeLists.txt "$(printf 'vouch_cc_library(NAME store\n  SRCS a.cc\n  DEPS vouch::base nlohmann_json::nlohmann_json)')" 'src/store/CMakeLists.txt: store: nlohmann'

finish
