#include "core/common/classes.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace botm {

absl::Status CheckClassNames(const std::vector<std::string>& names) {
  bool same = names.size() == kClassNames.size();
  for (size_t i = 0; same && i < names.size(); ++i) same = names[i] == kClassNames[i];
  if (same) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "model classes [", absl::StrJoin(names, ", "), "] are not the project's classes [",
      absl::StrJoin(kClassNames, ", "), "] (core/common/classes.h)"));
}

}  // namespace botm
