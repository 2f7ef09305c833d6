// The segmentation classes, in label order: the one list that the synthetic generator, the
// post-processing, the model config and card, and the server's results all use. A model
// whose card names other classes is refused when it is loaded into the engine.
#ifndef BOTM_CORE_COMMON_CLASSES_H_
#define BOTM_CORE_COMMON_CLASSES_H_

#include <array>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace botm {

inline constexpr int kNumClasses = 4;
// Label value = index. 0 background, 1 LV cavity, 2 LV myocardium, 3 left atrium.
inline constexpr std::array<const char*, kNumClasses> kClassNames = {
    "background", "lv_cavity", "lv_myocardium", "left_atrium"};

// OK when `names` are kClassNames in order; InvalidArgument naming the first difference.
absl::Status CheckClassNames(const std::vector<std::string>& names);

}  // namespace botm

#endif  // BOTM_CORE_COMMON_CLASSES_H_
