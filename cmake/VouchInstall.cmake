# `cmake --install`: libvouch for programs outside this tree (docs/library.md).
#
# Installs the public headers (include/vouch/, which check-boundaries.sh keeps free of internal
# and third-party headers), libvouch.a (the object files of every library module in one
# archive), the `vouch` program with its manual pages and bash completion, a CMake package (find_package(vouch CONFIG) → vouch::vouch)
# and a pkg-config file (vouch.pc). Test support (vouch::testing, the in-memory stores, the
# simulated TDX evidence) is not part of it.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(VOUCH_LIBRARY_MODULES base crypto dsse constraint sgx tlog store store_sqlite store_postgres
    store_factory ledger platform seal provision govern build http pcs server)

add_library(vouch_installed STATIC)
foreach(module IN LISTS VOUCH_LIBRARY_MODULES)
  target_sources(vouch_installed PRIVATE $<TARGET_OBJECTS:vouch_${module}>)
endforeach()
set_target_properties(vouch_installed PROPERTIES OUTPUT_NAME vouch EXPORT_NAME vouch
                                                 LINKER_LANGUAGE CXX)
target_include_directories(vouch_installed INTERFACE
                           $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_compile_features(vouch_installed INTERFACE cxx_std_20)
# What the archive's objects call: the consumer links these too (the config file finds them).
target_link_libraries(vouch_installed INTERFACE
  OpenSSL::SSL OpenSSL::Crypto SQLite::SQLite3 simdjson::simdjson Threads::Threads
  $<BUILD_INTERFACE:PkgConfig::LIBPQ> $<INSTALL_INTERFACE:PostgreSQL::PostgreSQL>)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/vouch
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
install(TARGETS vouch_installed EXPORT vouchTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS vouch RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${VOUCH_MAN_DIR}/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${VOUCH_COMPLETION} RENAME vouch
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)

set(VOUCH_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/vouch)
install(EXPORT vouchTargets NAMESPACE vouch:: DESTINATION ${VOUCH_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/vouchConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/vouchConfig.cmake INSTALL_DESTINATION ${VOUCH_CMAKE_DIR})
# 0.x: a minor release may change the API, so only the same minor version is compatible.
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/vouchConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/vouchConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/vouchConfigVersion.cmake
        DESTINATION ${VOUCH_CMAKE_DIR})

# vouch.pc finds the prefix from its own place (${pcfiledir}/<this>), so the tree may be moved.
file(RELATIVE_PATH VOUCH_PC_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
string(REGEX REPLACE "/$" "" VOUCH_PC_PREFIX "${VOUCH_PC_PREFIX}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/vouch.pc.in ${CMAKE_CURRENT_BINARY_DIR}/vouch.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/vouch.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
