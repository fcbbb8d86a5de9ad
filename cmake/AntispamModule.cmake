# antispam_module(NAME <module> DIR <folder> [DEPS <targets>...] [PRIVATE_DEPS <targets>...])
#
# One static library per module of docs/architecture.md §2. Sources are every *.cpp in DIR and
# its detail/ folder; tests are picked up by suffix, as the house style says:
#   *_test.cpp    unit tests, no I/O            -> <module>_tests    (ctest label: unit)
#   *_pgtest.cpp  tests over a real PostgreSQL  -> <module>_pgtests  (ctest label: pg; needs the
#                 throwaway cluster that the pg_cluster fixture starts)
#   *_itest.cpp   tests over real sockets on 127.0.0.1 (scripted HTTP servers, the simulator)
#                                               -> <module>_itests   (ctest label: itest)
# Test binaries link GTest::gtest_main first: a static library further on (Debian's libfasttext.a)
# carries a main() of its own that would otherwise be picked.
function(antispam_module)
  cmake_parse_arguments(M "" "NAME;DIR" "DEPS;PRIVATE_DEPS;TEST_DEPS;EXTRA_SOURCES" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${M_DIR}/*.cpp ${M_DIR}/detail/*.cpp)
  list(FILTER sources EXCLUDE REGEX "(_(test|pgtest|itest|bench|main)|/main)\\.cpp$")
  add_library(${M_NAME} STATIC ${sources} ${M_EXTRA_SOURCES})
  target_include_directories(${M_NAME} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${M_NAME} PUBLIC ${M_DEPS} PRIVATE ${M_PRIVATE_DEPS})

  file(GLOB unit_tests CONFIGURE_DEPENDS ${M_DIR}/*_test.cpp ${M_DIR}/detail/*_test.cpp)
  if(unit_tests)
    add_executable(${M_NAME}_tests ${unit_tests})
    target_link_libraries(${M_NAME}_tests PRIVATE GTest::gtest_main ${M_NAME} ${M_TEST_DEPS} GTest::gmock)
    target_precompile_headers(${M_NAME}_tests PRIVATE <gtest/gtest.h> <gmock/gmock.h>)
    gtest_discover_tests(${M_NAME}_tests PROPERTIES LABELS unit TIMEOUT 60)
  endif()

  file(GLOB itests CONFIGURE_DEPENDS ${M_DIR}/*_itest.cpp)
  if(itests)
    add_executable(${M_NAME}_itests ${itests})
    target_link_libraries(${M_NAME}_itests PRIVATE GTest::gtest_main ${M_NAME} ${M_TEST_DEPS} GTest::gmock)
    target_precompile_headers(${M_NAME}_itests PRIVATE <gtest/gtest.h> <gmock/gmock.h>)
    gtest_discover_tests(${M_NAME}_itests DISCOVERY_TIMEOUT 30 PROPERTIES LABELS itest TIMEOUT 60)
  endif()

  file(GLOB pg_tests CONFIGURE_DEPENDS ${M_DIR}/*_pgtest.cpp)
  if(pg_tests)
    add_executable(${M_NAME}_pgtests ${pg_tests})
    target_link_libraries(${M_NAME}_pgtests PRIVATE GTest::gtest_main ${M_NAME} ${M_TEST_DEPS} store_pg_testing GTest::gmock)
    target_precompile_headers(${M_NAME}_pgtests PRIVATE <gtest/gtest.h> <gmock/gmock.h> <pqxx/pqxx>)
    gtest_discover_tests(${M_NAME}_pgtests
      DISCOVERY_TIMEOUT 30
      PROPERTIES LABELS pg TIMEOUT 120 FIXTURES_REQUIRED pg_cluster
                 ENVIRONMENT "ANTISPAM_TEST_PG_FILE=${PROJECT_BINARY_DIR}/testpg/cluster.url")
  endif()
endfunction()
