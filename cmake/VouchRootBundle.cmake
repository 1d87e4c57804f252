# The root bundle (issue 14, docs/reproducible-build.md): the `vouch` program itself and its
# manifest as an enclave bundle (docs/measurement.md) in <build dir>/root-bundle/:
#   root-bundle/vouch-enclave.json   cmake/root-bundle/vouch-enclave.json, byte for byte
#   root-bundle/bin/vouch            the linked program
# and its MRENCLAVE (`vouch measure --json`) beside it in <build dir>/root-bundle.measure.json.
# Part of ALL: it costs one copy and one measurement, and so every build (CI's included) has the
# bundle that scripts/check-reproducible.sh compares. The directory is rebuilt from scratch each
# time, so it never holds a stale file (nor a vouch-enclave.sig: sign a copy, see the doc).
# It depends on the `vouch` target (not on its file), so it runs after every post-link step of
# that target.
set(VOUCH_ROOT_BUNDLE_DIR ${CMAKE_BINARY_DIR}/root-bundle)
set(VOUCH_ROOT_BUNDLE_MEASURE ${CMAKE_BINARY_DIR}/root-bundle.measure.json)
add_custom_target(root_bundle ALL
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${VOUCH_ROOT_BUNDLE_DIR}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${VOUCH_ROOT_BUNDLE_DIR}/bin
  COMMAND ${CMAKE_COMMAND} -E copy ${PROJECT_SOURCE_DIR}/cmake/root-bundle/vouch-enclave.json
    ${VOUCH_ROOT_BUNDLE_DIR}/vouch-enclave.json
  COMMAND ${CMAKE_COMMAND} -E copy $<TARGET_FILE:vouch> ${VOUCH_ROOT_BUNDLE_DIR}/bin/vouch
  COMMAND sh -c "'$<TARGET_FILE:vouch>' measure --json '${VOUCH_ROOT_BUNDLE_DIR}' > '${VOUCH_ROOT_BUNDLE_MEASURE}'"
  BYPRODUCTS ${VOUCH_ROOT_BUNDLE_MEASURE}
  COMMENT "Packaging the root bundle (root-bundle/) and measuring it"
  VERBATIM)
add_dependencies(root_bundle vouch)
