# Runs `${BIN} --help` and checks that it exits 0 and lists the program's own flag ${FLAG}
# (abseil prints "No flags matched" when the usage config does not know the main file).
# Usage: cmake -DBIN=path -DFLAG=--name -P check_help.cmake
execute_process(COMMAND ${BIN} --help RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
  TIMEOUT 60)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${BIN} --help exited ${rc}:\n${out}${err}")
endif()
string(FIND "${out}" "${FLAG} " found)
if(found EQUAL -1)
  message(FATAL_ERROR "${BIN} --help does not list ${FLAG}:\n${out}${err}")
endif()
string(FIND "${out}${err}" "No flags matched" nomatch)
if(NOT nomatch EQUAL -1)
  message(FATAL_ERROR "${BIN} --help matched no flags:\n${out}${err}")
endif()
