# Checks libkiln_runtime.so: it needs only libc/libstdc++/libm/libdl/pthread
# (never libMLIR or libLLVM), exports only kiln_* symbols, and its stripped
# size stays within budget.
#
#   cmake -DLIB=... -DREADELF=... -DNM=... -DSTRIP=... -DMAX_BYTES=...
#         -DSANITIZERS=ON|OFF -DWORK_DIR=... -P check_library.cmake

cmake_minimum_required(VERSION 3.20)

foreach(var LIB READELF NM STRIP MAX_BYTES WORK_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_library.cmake: -D${var}= is required")
  endif()
endforeach()

execute_process(COMMAND ${READELF} -d ${LIB} OUTPUT_VARIABLE dynamic
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${READELF} -d ${LIB} failed")
endif()
string(REGEX MATCHALL "\\(NEEDED\\)[^\n]*\\[[^]]*\\]" needed "${dynamic}")
set(allowed "^(libc|libstdc\\+\\+|libm|libdl|libpthread|libgcc_s|ld-linux[-a-z0-9_]*)\\.so")
foreach(entry IN LISTS needed)
  string(REGEX REPLACE ".*\\[(.*)\\]" "\\1" lib "${entry}")
  message(STATUS "NEEDED ${lib}")
  if(lib MATCHES "MLIR|LLVM" OR NOT lib MATCHES "${allowed}")
    message(FATAL_ERROR "libkiln_runtime.so must not need ${lib}")
  endif()
endforeach()
if(NOT needed)
  message(FATAL_ERROR "no NEEDED entries found: is ${LIB} a shared library?")
endif()

execute_process(COMMAND ${NM} -D --defined-only --format=just-symbols ${LIB}
                OUTPUT_VARIABLE symbols RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} -D ${LIB} failed")
endif()
string(REGEX MATCHALL "[^\n]+" symbols "${symbols}")
list(LENGTH symbols count)
message(STATUS "${count} exported symbols")
foreach(sym IN LISTS symbols)
  if(NOT sym MATCHES "^kiln_")
    message(FATAL_ERROR "libkiln_runtime.so exports ${sym}; only kiln_* may be")
  endif()
endforeach()
if(NOT "kiln_session_invoke" IN_LIST symbols)
  message(FATAL_ERROR "kiln_session_invoke is not exported")
endif()

if(SANITIZERS)
  message(STATUS "SKIPPED the size check: sanitizer builds are instrumented")
  return()
endif()
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
set(copy ${WORK_DIR}/libkiln_runtime.stripped.so)
execute_process(COMMAND ${STRIP} -o ${copy} ${LIB} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${STRIP} ${LIB} failed")
endif()
file(SIZE ${copy} size)
message(STATUS "stripped size: ${size} bytes (limit ${MAX_BYTES})")
if(size GREATER MAX_BYTES)
  message(FATAL_ERROR "stripped libkiln_runtime.so is ${size} bytes, more "
                      "than ${MAX_BYTES}")
endif()
