# Helpers in the style of abseil/tink: one static library per module with an explicit source
# list, a namespaced alias (vouch::<name>) and tests beside the code.

set(VOUCH_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wconversion
    -Wno-sign-conversion -Wimplicit-fallthrough)
# Clang checks the thread-safety annotations of base/mutex.h on every target.
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  list(APPEND VOUCH_WARNINGS -Wthread-safety)
endif()
if(VOUCH_WERROR)
  list(APPEND VOUCH_WARNINGS -Werror)
endif()

# Deterministic builds (docs/reproducible-build.md): no absolute path of the checkout or of the
# build directory reaches an object file, so two builders who clone one commit into different
# directories link byte-identical programs. GCC and Clang use the last -ffile-prefix-map that
# matches, so the most specific mapping comes last:
#   <source>/  -> ""     sources and headers: src/..., include/...
#   <rel>/     -> ""     the same paths as ccache (base_dir) rewrites them, relative to the build
#                        directory (e.g. ../../src/...), so a ccache build gives the same bytes
#   <binary>   -> .      DW_AT_comp_dir (the compiler's working directory)
#   <binary>/  -> ""     generated headers: src/cli/generated/...
# The link keeps GNU ld's SHA-1 build id, stated explicitly: it is a hash of the linked output,
# so it is as reproducible as the program itself (debuggers use it to find debug info).
if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang" AND CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  # file(RELATIVE_PATH) ends "../../" with a slash; the mapping adds its own.
  file(RELATIVE_PATH vouch_source_from_binary ${CMAKE_BINARY_DIR} ${CMAKE_SOURCE_DIR})
  string(REGEX REPLACE "/+$" "" vouch_source_from_binary "${vouch_source_from_binary}")
  add_compile_options(-ffile-prefix-map=${CMAKE_SOURCE_DIR}/=)
  if(NOT vouch_source_from_binary STREQUAL "" AND NOT IS_ABSOLUTE "${vouch_source_from_binary}")
    add_compile_options(-ffile-prefix-map=${vouch_source_from_binary}/=)
  endif()
  add_compile_options(-ffile-prefix-map=${CMAKE_BINARY_DIR}=.
                      -ffile-prefix-map=${CMAKE_BINARY_DIR}/=)
  add_link_options(-Wl,--build-id=sha1)
endif()

set(VOUCH_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all
    -fno-omit-frame-pointer)

# Applies the project's warnings and (when enabled) sanitizers to `target`. In fuzzing builds
# every target also gets libFuzzer's coverage instrumentation (without its main), so that the
# fuzzers see coverage inside the libraries, not only in their harness files.
function(vouch_apply_flags target)
  target_compile_options(${target} PRIVATE ${VOUCH_WARNINGS})
  if(VOUCH_SANITIZE)
    target_compile_options(${target} PRIVATE ${VOUCH_SANITIZER_FLAGS})
    target_link_options(${target} PRIVATE ${VOUCH_SANITIZER_FLAGS})
  endif()
  if(VOUCH_BUILD_FUZZERS)
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link)
  endif()
endfunction()

# Unity translation units (VOUCH_UNITY_BUILD, on by default; docs/architecture.md): a module's
# library, and each test program, compiles as ONE translation unit that includes its sources in
# turn. Most of a file's compile time is the headers it shares with its neighbours (the standard
# library, OpenSSL's, nlohmann/json, Boost.Beast, gtest) and their inline code; as one unit they
# are parsed and compiled once, and clang-tidy checks the unit in one pass (scripts/test.sh). The
# price: the files share one anonymous namespace, so a helper, constant, type or alias in one
# file's anonymous namespace must not be defined, nor overloaded, in another of the target's
# files (a clash fails the build; a new overload would not, so name helpers after their file's
# subject), and a file must not leave a macro or a using-directive behind. GCC's
# -Wsubobject-linkage is off in unity units: it warns when a class in a header holds a type from
# an anonymous namespace (two translation units would see two different types), and in a unity
# unit every source counts as a header although each is included exactly once.
function(vouch_unity target)
  if(VOUCH_UNITY_BUILD)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 0)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      target_compile_options(${target} PRIVATE -Wno-subobject-linkage)
    endif()
  endif()
endfunction()

# vouch_cc_library(NAME base SRCS a.cc b.cc DEPS vouch::x OpenSSL::Crypto
#                  PRIVATE_DEPS nlohmann_json::nlohmann_json)
# DEPS are what the module's public headers need (they reach every consumer); PRIVATE_DEPS are
# what only its sources and internal headers use (nlohmann, simdjson), so they stay out of the
# interface a program linking libvouch sees.
function(vouch_cc_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  set(target vouch_${ARG_NAME})
  add_library(${target} STATIC ${ARG_SRCS})
  add_library(vouch::${ARG_NAME} ALIAS ${target})
  target_include_directories(${target}
    PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${target} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  vouch_apply_flags(${target})
  vouch_unity(${target})
endfunction()

# vouch_cc_test(NAME base_test SRCS x_test.cc DEPS vouch::base [TEST_PROPERTIES name value ...])
# TEST_PROPERTIES are set on each of the program's tests (e.g. a fixture they require).
# Tests run with the source tree's root as working directory, so `tests/data/...` resolves.
# A test's own sources compile at -O0 (the code under test keeps the build type's optimisation,
# it lives in the libraries): they are glue around gtest's macros, where the optimiser spends
# half of the build's time (-O2 -> -O0 halves a test file's compile with gcc; under ASan at -O1,
# clang takes 3.6x as long) and buys nothing that the tests measure.
# The test files compile as one unity unit (vouch_unity above).
function(vouch_cc_test)
  if(NOT VOUCH_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;TEST_PROPERTIES" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} vouch::testing GTest::gmock GTest::gtest_main)
  target_compile_definitions(${ARG_NAME} PRIVATE VOUCH_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  vouch_apply_flags(${ARG_NAME})
  target_compile_options(${ARG_NAME} PRIVATE -O0)
  vouch_unity(${ARG_NAME})
  gtest_discover_tests(${ARG_NAME} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    TEST_PREFIX "${ARG_NAME}." DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit ${ARG_TEST_PROPERTIES})
endfunction()

# vouch_fuzz_target(NAME constraint_parse SRCS constraint_parse_fuzz.cc DEPS vouch::constraint)
# Adds the libFuzzer binary and a ctest entry that runs it for VOUCH_FUZZ_SECONDS on the
# checked-in corpus fuzz/corpus/<NAME>.
set(VOUCH_FUZZ_SECONDS 30 CACHE STRING "Seconds each fuzz target runs under ctest")
function(vouch_fuzz_target)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  set(target fuzz_${ARG_NAME})
  add_executable(${target} ${ARG_SRCS})
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${target} PRIVATE ${ARG_DEPS})
  target_compile_options(${target} PRIVATE -fsanitize=fuzzer)
  target_link_options(${target} PRIVATE -fsanitize=fuzzer)
  vouch_apply_flags(${target})
  set(corpus ${PROJECT_SOURCE_DIR}/fuzz/corpus/${ARG_NAME})
  set(work ${CMAKE_BINARY_DIR}/fuzz-work/${ARG_NAME})
  add_test(NAME fuzz.${ARG_NAME}
    COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=1
      sh -c "mkdir -p '${work}' && exec '$<TARGET_FILE:${target}>' -max_total_time=${VOUCH_FUZZ_SECONDS} -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 '${work}' '${corpus}'")
  set_tests_properties(fuzz.${ARG_NAME} PROPERTIES LABELS fuzz TIMEOUT 600)
endfunction()
