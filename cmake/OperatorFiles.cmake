# The operator's files generated from the programs themselves, so that they cannot drift from them
# (scripts/packaging/render_man.py, render_completion.py):
#
#   <build>/operator/man/routefabricd.8.gz      from `routefabricd --help`
#   <build>/operator/man/rfctl.1.gz             from `rfctl --help`
#   <build>/operator/man/routefabric.yaml.5.gz  from `routefabricd --dump-schema` (daemon/config/schema.cpp)
#                                               and docs/examples/routefabric.yaml
#   <build>/operator/completions/rfctl          bash completion, from `rfctl --help`
#
# Built with the default target (`rf_operator_files`) when routefabricd and rfctl are; cmake/Install.cmake
# installs them. Needs Python 3 and gzip; without them the files are not generated (and not installed).
set(RF_OPERATOR_DIR ${PROJECT_BINARY_DIR}/operator)
set(RF_MAN_PAGES "")
set(RF_BASH_COMPLETION "")

find_package(Python3 COMPONENTS Interpreter)
find_program(RF_GZIP gzip)
mark_as_advanced(RF_GZIP)
if(NOT TARGET routefabricd OR NOT TARGET rfctl)
  return()
endif()
if(NOT Python3_Interpreter_FOUND OR NOT RF_GZIP)
  message(STATUS "Python 3 or gzip not found: man pages and bash completion are not generated")
  return()
endif()

# The pages' date: SOURCE_DATE_EPOCH when set (reproducible packages), else the day of configuration.
string(TIMESTAMP RF_MAN_DATE "%Y-%m-%d" UTC)
set(rf_render_man ${PROJECT_SOURCE_DIR}/scripts/packaging/render_man.py)
set(rf_render_completion ${PROJECT_SOURCE_DIR}/scripts/packaging/render_completion.py)
set(rf_man_dir ${RF_OPERATOR_DIR}/man)

# rf_man_page(NAME SECTION ARGS...): <build>/operator/man/NAME.SECTION(.gz) rendered by render_man.py ARGS.
function(rf_man_page name section)
  set(page ${rf_man_dir}/${name}.${section})
  add_custom_command(
    OUTPUT ${page} ${page}.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${rf_man_dir}
    COMMAND ${Python3_EXECUTABLE} ${rf_render_man} ${ARGN} --version ${PROJECT_VERSION} --date ${RF_MAN_DATE}
            --output ${page}
    COMMAND ${RF_GZIP} -9nkf ${page}
    DEPENDS ${rf_render_man} routefabricd rfctl ${PROJECT_SOURCE_DIR}/docs/examples/routefabric.yaml
    COMMENT "Generating man page ${name}(${section})"
    VERBATIM)
  set(RF_MAN_PAGES ${RF_MAN_PAGES} ${page}.gz PARENT_SCOPE)
endfunction()

rf_man_page(routefabricd 8 usage --command $<TARGET_FILE:routefabricd> --name routefabricd --section 8
            --summary "the routefabric BGP route server"
            --see-also "rfctl(1),routefabric.yaml(5),/usr/share/doc/routefabric/user-guide.md")
rf_man_page(rfctl 1 usage --command $<TARGET_FILE:rfctl> --name rfctl --section 1
            --summary "command line of the routefabric REST API"
            --see-also "routefabricd(8),routefabric.yaml(5),/usr/share/doc/routefabric/api.md")
rf_man_page(routefabric.yaml 5 schema --command $<TARGET_FILE:routefabricd>
            --example ${PROJECT_SOURCE_DIR}/docs/examples/routefabric.yaml)

set(RF_BASH_COMPLETION ${RF_OPERATOR_DIR}/completions/rfctl)
add_custom_command(
  OUTPUT ${RF_BASH_COMPLETION}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${RF_OPERATOR_DIR}/completions
  COMMAND ${Python3_EXECUTABLE} ${rf_render_completion} --command $<TARGET_FILE:rfctl>
          --output ${RF_BASH_COMPLETION}
  DEPENDS ${rf_render_completion} ${rf_render_man} rfctl
  COMMENT "Generating the bash completion of rfctl"
  VERBATIM)

add_custom_target(rf_operator_files ALL DEPENDS ${RF_MAN_PAGES} ${RF_BASH_COMPLETION})
