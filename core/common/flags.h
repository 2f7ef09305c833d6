// Command-line parsing shared by the project's tools (botm-server, botm-client, botm-bench,
// botm-synth, botm-train, botm-eval, ...): Abseil flags with a `--help` that lists the flags
// of the tool's own main file and exits 0. (Abseil's default --help shows only flags of files
// named after the program, so tools whose main file is "client_main.cc" printed
// "No flags matched" and exited 1.)
//
// First of all it re-executes the process once when OpenBLAS runs generic SSE kernels on a CPU
// with AVX2 or AVX-512 (core/common/blas_kernel.h), so every tool gets the fast kernels.
//
// Thread-safety: call once, at the start of main(), before any thread starts.
#ifndef BOTM_CORE_COMMON_FLAGS_H_
#define BOTM_CORE_COMMON_FLAGS_H_

#include <vector>

#include "absl/strings/string_view.h"

namespace botm {

// Sets `usage` as the program's usage message, parses argv (unknown flags abort with a
// message, as Abseil does) and handles --help/--helpfull/--helpshort/--version: prints and
// exits 0. `main_file` is __FILE__ of the file that defines the tool's flags. Returns the
// positional arguments (argv[0] first).
std::vector<char*> ParseFlags(int argc, char** argv, const char* main_file,
                              absl::string_view usage);

}  // namespace botm

#endif  // BOTM_CORE_COMMON_FLAGS_H_
