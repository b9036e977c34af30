# Run by packaging_install_test (CMakeLists.txt beside): cmake --install RF_BINARY_DIR into RF_PREFIX and
# check the layout. RF_PROGRAMS: "relative/dest=build/file|..." for every program target of the tree.
function(fail msg)
  message(FATAL_ERROR "packaging_install_test: ${msg}")
endfunction()

file(REMOVE_RECURSE ${RF_PREFIX})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${RF_BINARY_DIR} --prefix ${RF_PREFIX}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  fail("cmake --install failed (${rc}):\n${out}\n${err}")
endif()

if(IS_ABSOLUTE "${RF_UNITDIR}")
  fail("RF_SYSTEMD_UNITDIR is absolute (${RF_UNITDIR}); this test checks the default relative layout")
endif()

set(expected
    ${RF_SYSCONFDIR}/routefabric/routefabric.yaml.example
    ${RF_DATADIR}/doc/routefabric/README.md
    ${RF_DATADIR}/doc/routefabric/user-guide.md
    ${RF_DATADIR}/doc/routefabric/configuration.md
    ${RF_DATADIR}/doc/routefabric/api.md
    ${RF_DATADIR}/doc/routefabric/sessions.md
    ${RF_DATADIR}/doc/routefabric/examples/routefabric.yaml
    ${RF_DATADIR}/doc/routefabric/grafana/routefabric.json
    ${RF_DATADIR}/doc/routefabric/grafana/prometheus.yml
    ${RF_UNITDIR}/routefabricd.service
    lib/sysusers.d/routefabric.conf
    lib/tmpfiles.d/routefabric.conf)
set(programs "")
string(REPLACE "|" ";" entries "${RF_PROGRAMS}")
foreach(entry IN LISTS entries)
  string(FIND "${entry}" "=" eq)
  string(SUBSTRING "${entry}" 0 ${eq} dest)
  math(EXPR from "${eq} + 1")
  string(SUBSTRING "${entry}" ${from} -1 built)
  if(EXISTS "${built}")
    list(APPEND expected ${dest})
    list(APPEND programs ${dest})
  else()
    message(STATUS "not built in this tree, not expected: ${dest}")
  endif()
endforeach()

if(RF_MODULE)
  list(APPEND expected ${RF_MODULE})
endif()
foreach(f IN LISTS expected)
  if(NOT EXISTS "${RF_PREFIX}/${f}")
    fail("missing ${f} in the installed tree")
  endif()
  message(STATUS "installed: ${f}")
endforeach()
foreach(p IN LISTS programs)
  execute_process(COMMAND test -x "${RF_PREFIX}/${p}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    fail("${p} is not executable")
  endif()
endforeach()

# Nothing of the tests or benchmarks: no library but routefabricd's forwarding module, no
# GoogleTest/Google Benchmark file, no test or micro-benchmark executable (the docs may talk about
# benchmarks).
file(GLOB_RECURSE installed RELATIVE ${RF_PREFIX} ${RF_PREFIX}/*)
foreach(f IN LISTS installed)
  if(f MATCHES "^${RF_DATADIR}/doc/" OR f STREQUAL "${RF_MODULE}")
    continue()
  endif()
  get_filename_component(name "${f}" NAME)
  if(name MATCHES "\\.(a|so)(\\.|$)|gtest|gmock|benchmark|_test$|_tests$|_bench$|^fuzz_")
    fail("unexpected file installed: ${f}")
  endif()
endforeach()

# The installed daemon finds its installed module (relative to its own directory, not the build tree).
if(RF_MODULE)
  execute_process(COMMAND "${RF_PREFIX}/${RF_SBINDIR}/routefabricd" --version
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(FIND "${out}" "forwarding module: ${RF_PREFIX}/${RF_MODULE} (DPDK" at)
  if(NOT rc EQUAL 0 OR at EQUAL -1)
    fail("installed routefabricd --version does not find ${RF_PREFIX}/${RF_MODULE} (${rc}):\n${out}${err}")
  endif()
  message(STATUS "routefabricd --version: ${out}")
endif()

set(unit "${RF_PREFIX}/${RF_UNITDIR}/routefabricd.service")
file(READ ${unit} text)
foreach(line "ExecStart=${RF_FULL_SBINDIR}/routefabricd " "ExecStartPre=${RF_FULL_SBINDIR}/routefabricd --check-config ")
  string(FIND "${text}" "${line}" at)
  if(at EQUAL -1)
    fail("${unit} has no line starting '${line}'")
  endif()
endforeach()

if(NOT RF_SYSTEMD_ANALYZE)
  message(STATUS "systemd-analyze not found: unit not verified")
else()
  # systemd-analyze verify checks that the ExecStart programs exist: point them at the installed copy.
  set(bin "")
  foreach(p IN LISTS programs)
    if(p MATCHES "/routefabricd$")
      set(bin "${RF_PREFIX}/${p}")
    endif()
  endforeach()
  if(bin STREQUAL "")
    message(STATUS "routefabricd not built in this tree: unit not verified")
  else()
    string(REPLACE "${RF_FULL_SBINDIR}/routefabricd" "${bin}" text "${text}")
    set(dir "${RF_PREFIX}/verify")
    file(MAKE_DIRECTORY ${dir})
    file(WRITE ${dir}/routefabricd.service "${text}")
    execute_process(COMMAND ${RF_SYSTEMD_ANALYZE} verify ${dir}/routefabricd.service
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT rc EQUAL 0 OR NOT "${out}${err}" STREQUAL "")
      fail("systemd-analyze verify routefabricd.service (${rc}):\n${out}${err}")
    endif()
    message(STATUS "systemd-analyze verify: clean")
  endif()
endif()
message(STATUS "packaging_install_test: OK")
