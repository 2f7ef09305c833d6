#include "core/common/flags.h"

#include <cstdlib>
#include <iostream>
#include <string>

#include "absl/flags/internal/parse.h"
#include "absl/flags/internal/usage.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "core/common/blas_kernel.h"

namespace botm {
namespace {

// Abseil reports a flag's file through FlagsUsageConfig::normalize_filename, whose default
// drops leading slashes: an absolute __FILE__ ("/src/server/main.cc", as a build outside the
// source tree compiles it) is reported as "src/server/main.cc". The main file is normalised the
// same way before the two are compared.
std::string NormalizeLikeAbseil(absl::string_view filename) {
  const size_t start = filename.find_first_not_of("/\\");
  return start == absl::string_view::npos ? std::string() : std::string(filename.substr(start));
}

}  // namespace

std::vector<char*> ParseFlags(int argc, char** argv, const char* main_file,
                              absl::string_view usage) {
  MaybeReexecForBlasKernel(argv);
  absl::FlagsUsageConfig config;
  const std::string file = NormalizeLikeAbseil(main_file);
  config.contains_help_flags = [file](absl::string_view f) { return f == file; };
  config.contains_helpshort_flags = config.contains_help_flags;
  absl::SetFlagsUsageConfig(config);
  absl::SetProgramUsageMessage(usage);
  namespace fi = absl::flags_internal;
  std::vector<char*> rest = fi::ParseCommandLineImpl(
      argc, argv, fi::ArgvListAction::kRemoveParsedArgs, fi::UsageFlagsAction::kIgnoreUsage,
      fi::OnUndefinedFlag::kAbortIfUndefined);
  if (fi::GetFlagsHelpMode() != fi::HelpMode::kNone) {
    fi::HandleUsageFlags(std::cout, absl::ProgramUsageMessage());
    std::cout.flush();
    std::exit(0);
  }
  return rest;
}

}  // namespace botm
