# The Debian package, built by CPack from the install rules (cmake/Install.cmake):
#
#   cmake --build build --target package      (builds everything first), or, in a built tree:
#   cpack -G DEB --config build/CPackConfig.cmake -B OUTDIR
#
# routefabric_<version>_<arch>.deb holds the `routefabric` and `deb` components: routefabricd and its
# forwarding module, rfctl, rf-decode, the man pages, the bash completion, the docs, the systemd unit,
# sysusers and tmpfiles, and the example configuration in /usr/share/routefabric, from which postinst
# creates /etc/routefabric/routefabric.yaml when there is none. That file is not a conffile: routefabricd
# rewrites it for runtime peering changes, and an upgrade must leave it alone. Depends are computed by
# dpkg-shlibdeps. The package is for /usr whatever CMAKE_INSTALL_PREFIX the tree was configured with.
set(rf_deb_dir ${PROJECT_SOURCE_DIR}/scripts/packaging/deb)
set(RF_PACKAGE_MAINTAINER "routefabric maintainers <routefabric@example.org>" CACHE STRING
    "Maintainer field of the Debian package")

# What the .deb has and `cmake --install` does not (EXCLUDE_FROM_ALL): the unit and tmpfiles as written
# for /usr and /etc, the example beside the data, and the files Debian wants in every package's doc dir.
install(FILES ${PROJECT_SOURCE_DIR}/scripts/packaging/routefabricd.service DESTINATION lib/systemd/system
        COMPONENT deb EXCLUDE_FROM_ALL)
install(FILES ${PROJECT_SOURCE_DIR}/scripts/packaging/routefabric.tmpfiles DESTINATION lib/tmpfiles.d
        RENAME routefabric.conf COMPONENT deb EXCLUDE_FROM_ALL)
install(FILES ${PROJECT_SOURCE_DIR}/docs/examples/routefabric.yaml DESTINATION share/routefabric
        RENAME routefabric.yaml.example COMPONENT deb EXCLUDE_FROM_ALL)
install(FILES ${rf_deb_dir}/copyright DESTINATION share/doc/routefabric COMPONENT deb EXCLUDE_FROM_ALL)

# A native package's changelog.gz, one entry for this version; dated SOURCE_DATE_EPOCH when set.
find_program(RF_GZIP gzip)
if(RF_GZIP)
  string(TIMESTAMP rf_changelog_date "%a, %d %b %Y %H:%M:%S +0000" UTC)
  file(WRITE ${PROJECT_BINARY_DIR}/packaging/changelog
       "routefabric (${PROJECT_VERSION}) unstable; urgency=medium\n\n"
       "  * Built from the routefabric source tree (its history is in git).\n\n"
       " -- ${RF_PACKAGE_MAINTAINER}  ${rf_changelog_date}\n")
  execute_process(COMMAND ${RF_GZIP} -9n INPUT_FILE ${PROJECT_BINARY_DIR}/packaging/changelog
                  OUTPUT_FILE ${PROJECT_BINARY_DIR}/packaging/changelog.gz)
  install(FILES ${PROJECT_BINARY_DIR}/packaging/changelog.gz DESTINATION share/doc/routefabric
          COMPONENT deb EXCLUDE_FROM_ALL)
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME routefabric)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${RF_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "BGP route server with Azure Route Server semantics")
# The extended description, wrapped for 80 columns (CPack does not wrap it).
string(CONCAT CPACK_PACKAGE_DESCRIPTION
       "routefabric peers with network virtual appliances like Azure Route Server:\n"
       "it reflects their routes to each other, advertises the modelled virtual\n"
       "network address spaces, and computes the effective routes of every virtual\n"
       "machine into a lock-free FIB. An optional DPDK host emulator forwards\n"
       "traffic through that FIB to measure convergence where it matters, at the\n"
       "hosts.\n"
       "\n"
       "This package holds the daemon routefabricd and its forwarding module, the\n"
       "CLI rfctl, the BGP message decoder rf-decode, the systemd unit, the man\n"
       "pages, the bash completion and the documentation.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL routefabric deb)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The forwarding module is loaded with dlopen from a private directory: no shlibs file of our own.
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${rf_deb_dir}/postinst ${rf_deb_dir}/prerm ${rf_deb_dir}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
