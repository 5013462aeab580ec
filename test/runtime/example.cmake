# Installs the runtime package to a fresh prefix, builds docs/examples against
# it with find_package(Kiln), and classifies with the test artifact:
# add_bias.so computes x + bias, so each row's class is where its input peaks
# (rows 0-2) or, for an all-zero row, where the bias peaks (class 7).
#
#   cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -DARTIFACT=...
#         -DPYTHON=... -DC_COMPILER=... [-DSANITIZER_FLAGS=...]
#         [-DKILN_COMPILE=...] -P example.cmake

cmake_minimum_required(VERSION 3.20)

foreach(var BUILD_DIR SOURCE_DIR WORK_DIR ARTIFACT PYTHON C_COMPILER)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "example.cmake: -D${var}= is required")
  endif()
endforeach()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "failed (${rc}): ${cmd}\n${out}")
  endif()
  set(output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix}
    --component kiln-runtime)
foreach(f include/kiln/runtime.h include/kiln/runtime.hpp
          include/kiln/artifact_abi.h lib/libkiln_runtime.so
          lib/cmake/Kiln/KilnConfig.cmake lib/cmake/Kiln/KilnConfigVersion.cmake
          lib/cmake/Kiln/KilnTargets.cmake)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "the install lacks ${f}")
  endif()
endforeach()
# Only the runtime is in the package.
file(GLOB_RECURSE installed RELATIVE ${prefix} ${prefix}/*)
list(LENGTH installed count)
if(count GREATER 10)
  message(FATAL_ERROR "the runtime component installs more than the "
                      "runtime: ${installed}")
endif()

set(flags)
if(SANITIZER_FLAGS)
  # The installed runtime is instrumented: the example must be too.
  set(flags -DCMAKE_C_FLAGS=${SANITIZER_FLAGS}
            -DCMAKE_EXE_LINKER_FLAGS=${SANITIZER_FLAGS})
endif()
run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/docs/examples -B ${WORK_DIR}/build
    -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=${C_COMPILER}
    -DCMAKE_PREFIX_PATH=${prefix} ${flags})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)

# A 4x8 f32 .npy: rows 0-2 peak at columns 2, 5 and 0; row 3 is zero.
run(${PYTHON} -c [[
import struct, sys
x = [0.0] * 32
x[0 * 8 + 2] = 10.0
x[1 * 8 + 5] = 10.0
x[2 * 8 + 0] = 10.0
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 8), }"
header += " " * (63 - (10 + len(header)) % 64) + "\n"
with open(sys.argv[1], "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
    f.write(header.encode() + struct.pack("<32f", *x))
]] ${WORK_DIR}/input.npy)

run(${WORK_DIR}/build/classify ${ARTIFACT} ${WORK_DIR}/input.npy)
message(STATUS "classify printed:\n${output}")
foreach(line "predict(x: f32[4,8]) -> (y: f32[4,8])"
             "row 0: class 2 (score 12)" "row 1: class 5 (score 9.5)"
             "row 2: class 0 (score 10.5)" "row 3: class 7 (score 4)")
  string(FIND "${output}" "${line}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "classify did not print '${line}'")
  endif()
endforeach()

# A real model: the bundled Fashion-MNIST MLP, compiled by kiln-compile,
# classifies its sneaker image as class 7.
if(KILN_COMPILE)
  run(${KILN_COMPILE} -q ${SOURCE_DIR}/examples/mlp/mlp.mlir
      -o ${WORK_DIR}/mlp.kiln.so)
  run(${WORK_DIR}/build/classify ${WORK_DIR}/mlp.kiln.so
      ${SOURCE_DIR}/examples/mlp/sneaker.npy)
  message(STATUS "classify printed:\n${output}")
  foreach(line "predict(image: f32[1,784]) -> (probabilities: f32[1,10]"
               "row 0: class 7")
    string(FIND "${output}" "${line}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "classify on the MLP did not print '${line}'")
    endif()
  endforeach()
endif()

# A bad artifact is a clear error, not a crash.
execute_process(COMMAND ${WORK_DIR}/build/classify ${WORK_DIR}/input.npy
                        ${WORK_DIR}/input.npy
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "input.npy: not an ELF shared object")
  message(FATAL_ERROR "classify on a non-artifact: status ${rc}, '${err}'")
endif()
