#include "client/dicom/frame_timing.h"

#include <cmath>
#include <optional>

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcelem.h"
#include "dcmtk/dcmdata/dcitem.h"

namespace botm::dicom {
namespace {

std::optional<FrameTiming> FromFrameTime(DcmItem& dataset, int num_frames) {
  Float64 ms = 0;
  if (dataset.findAndGetFloat64(DCM_FrameTime, ms).bad() || !std::isfinite(ms) || ms <= 0) {
    return std::nullopt;
  }
  FrameTiming t;
  t.source = "FrameTime";
  t.frame_rate_hz = 1000.0 / ms;
  for (int i = 0; i < num_frames; ++i) t.timestamps_us.push_back(std::llround(i * ms * 1000.0));
  return t;
}

// PS3.3 C.7.6.5.1.2: the first value is the time of the first frame (normally 0), each later
// one the time since the previous frame.
std::optional<FrameTiming> FromFrameTimeVector(DcmItem& dataset, int num_frames) {
  DcmElement* element = nullptr;
  if (dataset.findAndGetElement(DCM_FrameTimeVector, element).bad() || element == nullptr ||
      static_cast<int>(element->getVM()) != num_frames) {
    return std::nullopt;
  }
  FrameTiming t;
  t.source = "FrameTimeVector";
  double total_ms = 0;
  for (int i = 0; i < num_frames; ++i) {
    Float64 ms = 0;
    if (element->getFloat64(ms, i).bad() || !std::isfinite(ms) || ms < 0) return std::nullopt;
    if (i > 0) total_ms += ms;
    t.timestamps_us.push_back(std::llround(total_ms * 1000.0));
  }
  if (num_frames > 1 && total_ms > 0) t.frame_rate_hz = (num_frames - 1) * 1000.0 / total_ms;
  return t;
}

std::optional<FrameTiming> FromCineRate(DcmItem& dataset, int num_frames) {
  Sint32 rate = 0;
  if (dataset.findAndGetSint32(DCM_CineRate, rate).bad() || rate <= 0) return std::nullopt;
  FrameTiming t;
  t.source = "CineRate";
  t.frame_rate_hz = rate;
  for (int i = 0; i < num_frames; ++i) t.timestamps_us.push_back(std::llround(i * 1e6 / rate));
  return t;
}

}  // namespace

FrameTiming ReadFrameTiming(DcmItem& dataset, int num_frames) {
  DcmTagKey pointer;
  DcmElement* increment = nullptr;
  if (dataset.findAndGetElement(DCM_FrameIncrementPointer, increment).good() &&
      increment != nullptr) {
    DcmTagKey key;
    if (increment->getTagVal(key, 0).good()) pointer = key;
  }
  std::optional<FrameTiming> found;
  if (pointer == DCM_FrameTimeVector) found = FromFrameTimeVector(dataset, num_frames);
  if (!found && pointer == DCM_CineRate) found = FromCineRate(dataset, num_frames);
  if (!found) found = FromFrameTime(dataset, num_frames);
  if (!found) found = FromFrameTimeVector(dataset, num_frames);
  if (!found) found = FromCineRate(dataset, num_frames);
  if (found) return *found;
  FrameTiming none;
  none.timestamps_us.assign(num_frames, 0);
  return none;
}

}  // namespace botm::dicom
