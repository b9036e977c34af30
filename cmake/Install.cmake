# `cmake --install` layout (issue 7, packaging). Included at the end of the root CMakeLists.txt, once every
# target exists. Only the operator-facing executables, the example configuration, the documentation and
# the systemd unit are installed: no library (every rf_* library is static and linked into the programs),
# no test, no Google Benchmark micro-benchmark.
#
#   <prefix>/sbin/routefabricd                                the daemon
#   <prefix>/bin/{rfctl,rf-decode,rf-emulator,rfbench}        CLI, wire decoder, host emulator, benchmark
#   <sysconfdir>/routefabric/routefabric.yaml.example         docs/examples/routefabric.yaml
#   <prefix>/share/doc/routefabric/                           README.md and docs/*.md
#   <prefix>/lib/systemd/system/routefabricd.service          scripts/packaging/routefabricd.service
#   <prefix>/lib/sysusers.d/routefabric.conf                  the `routefabric` system user
#   <prefix>/lib/tmpfiles.d/routefabric.conf                  /etc/routefabric owned by that user
#
# Packages configure with -DCMAKE_INSTALL_PREFIX=/usr (GNUInstallDirs then puts the configuration under
# /etc) and stage with DESTDIR. OPTIONAL: a tree that built only some programs (a sanitizer tree building
# its tests) still installs the others.
include(GNUInstallDirs)

set(RF_SYSTEMD_UNITDIR "lib/systemd/system" CACHE STRING
    "systemd system unit directory, relative to the install prefix (or absolute)")

if(TARGET routefabricd)
  install(TARGETS routefabricd RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR} COMPONENT routefabric OPTIONAL)
  # The forwarding module (FIB, emulator, DPDK), found by routefabricd relative to its own directory.
  install(TARGETS routefabric-forwarding LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/routefabric
          COMPONENT routefabric OPTIONAL)
endif()
foreach(tool rfctl rf-decode rf-emulator rfbench)
  if(TARGET ${tool})
    install(TARGETS ${tool} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT routefabric OPTIONAL)
  endif()
endforeach()

# The example is never installed as routefabric.yaml itself: an upgrade must not overwrite the operator's
# file (which routefabricd also rewrites for runtime peering changes).
install(FILES ${PROJECT_SOURCE_DIR}/docs/examples/routefabric.yaml
        DESTINATION ${CMAKE_INSTALL_SYSCONFDIR}/routefabric RENAME routefabric.yaml.example
        COMPONENT routefabric)

install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/routefabric
        COMPONENT routefabric)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/routefabric
        COMPONENT routefabric
        FILES_MATCHING PATTERN "*.md" PATTERN "*.yaml" PATTERN "*.svg" PATTERN "*.png")

# The unit names the installed paths: the source file says /usr/sbin, /usr/share and /etc (a /usr
# package); another prefix gets its own paths, fixed at configure time (CMAKE_INSTALL_PREFIX).
set(RF_UNIT_SBINDIR "${CMAKE_INSTALL_FULL_SBINDIR}")
set(RF_UNIT_SYSCONFDIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}")
file(READ ${PROJECT_SOURCE_DIR}/scripts/packaging/routefabricd.service rf_unit)
string(REPLACE "/usr/sbin/" "${RF_UNIT_SBINDIR}/" rf_unit "${rf_unit}")
string(REPLACE "/usr/share/doc/routefabric" "${CMAKE_INSTALL_FULL_DATADIR}/doc/routefabric" rf_unit "${rf_unit}")
string(REPLACE "/etc/routefabric" "${RF_UNIT_SYSCONFDIR}/routefabric" rf_unit "${rf_unit}")
file(WRITE ${PROJECT_BINARY_DIR}/packaging/routefabricd.service "${rf_unit}")
file(READ ${PROJECT_SOURCE_DIR}/scripts/packaging/routefabric.tmpfiles rf_tmpfiles)
string(REPLACE "/etc/routefabric" "${RF_UNIT_SYSCONFDIR}/routefabric" rf_tmpfiles "${rf_tmpfiles}")
file(WRITE ${PROJECT_BINARY_DIR}/packaging/routefabric.tmpfiles "${rf_tmpfiles}")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             ${PROJECT_SOURCE_DIR}/scripts/packaging/routefabricd.service
             ${PROJECT_SOURCE_DIR}/scripts/packaging/routefabric.tmpfiles)

install(FILES ${PROJECT_BINARY_DIR}/packaging/routefabricd.service DESTINATION ${RF_SYSTEMD_UNITDIR}
        COMPONENT routefabric)
install(FILES ${PROJECT_SOURCE_DIR}/scripts/packaging/routefabric.sysusers DESTINATION lib/sysusers.d
        RENAME routefabric.conf COMPONENT routefabric)
install(FILES ${PROJECT_BINARY_DIR}/packaging/routefabric.tmpfiles DESTINATION lib/tmpfiles.d
        RENAME routefabric.conf COMPONENT routefabric)
