# CMake toolchain file for building C-Blosc2 as a static wasm32-wasi library
# with Debian's clang (deps/build-wasm.js passes WASM_CC, WASM_AR, WASM_RANLIB
# and WASM_SYSROOT on the command line).

# CMake 3.25 knows no WASI platform; "Generic" means no shared libraries and
# no host assumptions. The processor name matches none of C-Blosc2's x86, ARM
# or POWER checks, so no x86/ARM SIMD source is compiled.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR wasm32)

# try_compile projects re-read this file without the command-line cache.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES WASM_CC WASM_AR WASM_RANLIB WASM_SYSROOT)

set(CMAKE_C_COMPILER ${WASM_CC})
set(CMAKE_C_COMPILER_TARGET wasm32-wasi)
set(CMAKE_ASM_COMPILER ${WASM_CC})
set(CMAKE_ASM_COMPILER_TARGET wasm32-wasi)
set(CMAKE_SYSROOT ${WASM_SYSROOT})
# GNU ar cannot write a symbol index for wasm objects; llvm-ar can.
set(CMAKE_AR ${WASM_AR} CACHE FILEPATH "llvm-ar for wasm objects")
set(CMAKE_RANLIB ${WASM_RANLIB} CACHE FILEPATH "llvm-ranlib for wasm objects")

# Configure checks only compile: a wasm executable would need a main and the
# WASI emulation libraries at link time, and is never run here.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# Nothing of the host (libraries, headers, packages) may be found for wasm;
# programs (cmake helpers) still come from the host.
set(CMAKE_FIND_ROOT_PATH ${WASM_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
