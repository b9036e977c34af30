# Compiler flags shared by every target: warnings, sanitizers, fuzzing instrumentation.
add_compile_options(-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
                    -Wcast-align -Wunused -Woverloaded-virtual -Wnull-dereference -Wformat=2)
if(RF_WERROR)
  add_compile_options(-Werror)
endif()

if(RF_SANITIZE AND RF_TSAN)
  message(FATAL_ERROR "RF_SANITIZE and RF_TSAN are mutually exclusive")
endif()
if(RF_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
if(RF_TSAN)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()
if(RF_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "RF_FUZZ needs clang (configure with CXX=clang++)")
  endif()
  # Instrument everything for coverage; only the fuzz executables link the libFuzzer main.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

# rf_fuzz_target(name LIBS l... SOURCES s...): a libFuzzer executable in <build>/fuzz/, built only with
# RF_FUZZ. scripts/test.sh runs every fuzz_* there on tests/fuzz/corpus/<name without fuzz_>/.
add_custom_target(rf_fuzzers)
function(rf_fuzz_target name)
  cmake_parse_arguments(F "" "" "LIBS;SOURCES" ${ARGN})
  if(RF_FUZZ)
    add_executable(${name} ${F_SOURCES})
    target_link_libraries(${name} PRIVATE ${F_LIBS})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/fuzz)
    add_dependencies(rf_fuzzers ${name})
  endif()
endfunction()
