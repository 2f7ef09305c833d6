# Helpers that give every project target the same warnings, include root and sanitizer flags.

set(BOTM_WARNINGS -Wall -Wextra -Werror -Wno-unused-parameter)

if(BOTM_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
elseif(BOTM_SANITIZE STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()
if(BOTM_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "BOTM_FUZZ needs clang (libFuzzer): -DCMAKE_CXX_COMPILER=clang++")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined -g)
  add_link_options(-fsanitize=address,undefined)
endif()

# botm_target_defaults(<target>): warnings as errors and the repository root as include root
# ("core/synth/echo_generator.h" style includes).
function(botm_target_defaults target)
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    target_include_directories(${target} INTERFACE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
    return()
  endif()
  target_compile_options(${target} PRIVATE ${BOTM_WARNINGS})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
endfunction()

# botm_library(NAME <name> SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...]):
# a static library botm_<name> with the alias botm::<name>.
function(botm_library)
  cmake_parse_arguments(A "" "NAME" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(botm_${A_NAME} STATIC ${A_SOURCES})
  add_library(botm::${A_NAME} ALIAS botm_${A_NAME})
  botm_target_defaults(botm_${A_NAME})
  target_link_libraries(botm_${A_NAME} PUBLIC ${A_PUBLIC_DEPS} PRIVATE ${A_PRIVATE_DEPS})
endfunction()

# botm_executable(NAME <name> SOURCES ... DEPS ...)
function(botm_executable)
  cmake_parse_arguments(A "" "NAME" "SOURCES;DEPS" ${ARGN})
  add_executable(${A_NAME} ${A_SOURCES})
  botm_target_defaults(${A_NAME})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS})
endfunction()

# botm_test(NAME <name> SOURCES ... DEPS ...): one GoogleTest executable per component, with the
# project's test main (tests/test_main.cc).
function(botm_test)
  cmake_parse_arguments(A "" "NAME" "SOURCES;DEPS;PROPERTIES" ${ARGN})
  add_executable(${A_NAME} ${A_SOURCES})
  botm_target_defaults(${A_NAME})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS} botm_test_main GTest::gtest GTest::gmock)
  gtest_discover_tests(${A_NAME} DISCOVERY_TIMEOUT 120 PROPERTIES ${A_PROPERTIES})
endfunction()
