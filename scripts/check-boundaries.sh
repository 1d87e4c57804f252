#!/usr/bin/env bash
# The tree's boundaries, checked (docs/architecture.md, "Boundaries").
#   scripts/check-boundaries.sh [TREE]
# checks the git work tree TREE (default: this repository) and exits 1, naming every violation,
# when one is found. scripts/test.sh runs it; ctest runs it as tree.boundaries, and
# tests/boundaries_test.sh shows that it catches each kind of violation.
#
#  1. Public headers (include/vouch/) include only other public headers and the C++ standard
#     library: no third-party header (OpenSSL, Boost, SQLite, nlohmann, …) and no internal header
#     reaches a consumer of libvouch. Outside base/, they declare no threads or locks either:
#     a class with private machinery keeps it in an internal implementation class.
#  2. Library code includes its own module's internal headers (src/<module>/…) and no other
#     module's, except the shared internals listed below; test-support code (testing/, the
#     in-memory stores, the store conformance suites, the in-process HTTP client, tlog's test
#     helpers) is included only by tests, fuzz targets, benchmarks and other test support.
#  3. Outside base/, library code neither reads the system's clocks (base/clock.h's Clock does)
#     nor declares std::mutex, std::shared_mutex or std::condition_variable (base/mutex.h's
#     annotated Mutex, SharedMutex and CondVar do).
#  4. Third-party libraries that only sources and internal headers use (nlohmann, simdjson) are a
#     module's PRIVATE_DEPS, never its DEPS: they stay out of what a program linking libvouch
#     sees (rule 1 keeps them out of the headers, this one out of the link interface).
set -uo pipefail
cd "${1:-$(dirname "$0")/..}" || exit 2

# Internal headers that other modules may include, each for a stated reason.
#   base/json.h                strict JSON reading over nlohmann, kept out of the public API
#   dsse/jcs.h                 JSON canonicalization (RFC 8785) and strict parsing, for statements
#   govern/checker.h           the field checker of signed payloads, for provisioning envelopes
#   constraint/eii_json.h      EnclaveInstanceInfo as a JSON value, for the CLI's --json output
#   constraint/td_info_json.h  the same for TD info
shared_internals='^(base/json\.h|dsse/jcs\.h|govern/checker\.h|constraint/eii_json\.h|constraint/td_info_json\.h)$'
# Test support: headers only tests, fuzz targets, benchmarks and other test support include.
test_support='^(testing/.*|store/memory_log_store\.h|store/memory_witness_store\.h|store/log_store_conformance\.h|store/witness_store_conformance\.h|http/in_process_client\.h|tlog/test_util\.h|sgx/dcap_test_vectors\.h|server/ledger_fixture\.h|server/broker_fixture\.h|govern/history_builder\.h|platform/test_identity\.h)$'
# Files that are test support themselves (they may include test support).
is_test_support_file='^src/(testing/|store/(memory_|[a-z_]+_conformance)|http/in_process_client|tlog/test_util|sgx/dcap_test_vectors|server/ledger_fixture|server/broker_fixture|govern/history_builder|platform/test_identity)'

violations=0
report() {
  echo "$1"
  violations=$((violations + 1))
}

# 1. Public headers.
while IFS=: read -r file line text; do
  header=${text#*<}
  header=${header%%>*}
  # The C++ standard library's headers have no extension or directory; POSIX's sys/types.h
  # is the one C header allowed (for ssize_t and friends).
  if [[ "$header" == */* || "$header" == *.* ]] && [ "$header" != sys/types.h ]; then
    report "$file:$line: a public header includes <$header> (not the standard library)"
  fi
done < <(git ls-files 'include/*.h' | xargs grep -nE '^#include <' /dev/null)
while IFS=: read -r file line text; do
  header=${text#*\"}
  header=${header%%\"*}
  [[ "$header" == vouch/* ]] ||
    report "$file:$line: a public header includes \"$header\" (not a public header)"
done < <(git ls-files 'include/*.h' | xargs grep -nE '^#include "' /dev/null)

while IFS=: read -r file line text; do
  report "$file:$line: a public header declares threads or locks (keep them in the sources)"
done < <(git ls-files 'include/*.h' | grep -v '^include/vouch/base/' |
  xargs grep -nE '\b(Mutex|SharedMutex|CondVar|std::thread|std::jthread)\b|VOUCH_GUARDED_BY' /dev/null)

# 2. Internal headers across modules, and test support.
while IFS=: read -r file line text; do
  header=${text#*\"}
  header=${header%%\"*}
  [[ "$header" == vouch/* ]] && continue
  module=${file#src/}
  module=${module%%/*}
  is_test=0
  if [[ "$file" == *_test.cc || "$file" == *_fuzz.cc || "$file" =~ $is_test_support_file ]]; then
    is_test=1
  fi
  if [[ "$header" =~ $test_support ]]; then
    [ $is_test -eq 1 ] || report "$file:$line: library code includes test support \"$header\""
    continue
  fi
  [ "${header%%/*}" = "$module" ] && continue
  [[ "$header" =~ $shared_internals ]] && continue
  report "$file:$line: includes \"$header\", an internal header of another module"
done < <(git ls-files 'src/*.cc' 'src/*.h' | xargs grep -nE '^#include "' /dev/null)

# 3. Clocks and unannotated locks outside base/.
while IFS=: read -r file line text; do
  report "$file:$line: outside base/: ${text#"${text%%[![:space:]]*}"}"
done < <(git ls-files 'src/*.cc' 'src/*.h' 'include/*.h' |
  grep -vE '^(src|include/vouch)/base/|^src/testing/|_test\.cc$' |
  xargs grep -nE 'std::(mutex|shared_mutex|condition_variable)\b|(steady_clock|system_clock|high_resolution_clock)::now|[^_a-z]time\((nullptr|NULL|0)\)|gettimeofday\(|clock_gettime\(' /dev/null)

# 4. Private third-party libraries in a module's public DEPS. Each vouch_cc_library(...) call is
# read whole; its DEPS run up to PRIVATE_DEPS or the closing parenthesis.
while IFS= read -r found; do
  report "$found: nlohmann/simdjson among a library's DEPS (make them PRIVATE_DEPS)"
done < <(git ls-files '*CMakeLists.txt' | xargs perl -0777 -ne '
  while (/vouch_cc_library\((.*?)\)/gs) {
    my $call = $1;
    my ($name) = $call =~ /NAME\s+(\S+)/;
    print "$ARGV: $name\n" if $call =~ /\bDEPS\b((?:(?!PRIVATE_DEPS).)*)/s && $1 =~ /nlohmann|simdjson/;
  }' /dev/null)

if [ $violations -gt 0 ]; then
  echo "$violations boundary violation(s); see docs/architecture.md, \"Boundaries\""
  exit 1
fi
echo "boundaries: clean"
