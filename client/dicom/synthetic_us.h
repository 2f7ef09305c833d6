// Builds DICOM ultrasound objects from the deterministic synthetic echo generator: the only
// source of test fixtures, benchmark input and demo data (no patient data anywhere). The
// sector image sits inside a larger canvas with annotation-like marks in the margins, and the
// Sequence of Ultrasound Regions marks the sector as the 2D tissue region, calibrated in cm.
//
// Compression uses DCMTK's codecs in-process with the settings of `dcmcjpeg +eb +s2`
// (JPEG baseline, colour as YBR_FULL_422, one fragment per frame) or `dcmcrle`.
//
// Thread-safety: thread-safe.
#ifndef BOTM_CLIENT_DICOM_SYNTHETIC_US_H_
#define BOTM_CLIENT_DICOM_SYNTHETIC_US_H_

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"
#include "client/dicom/us_clip.h"

namespace botm::dicom {

enum class FixtureEncoding { kExplicitLittle, kImplicitLittle, kJpegBaseline, kJpegLossless, kRle };
enum class FixtureColour { kMonochrome2, kRgb };
enum class FixtureTiming { kFrameTime, kFrameTimeVector, kCineRate, kNone };

struct FixtureOptions {
  uint64_t seed = 7;    // synthetic clip seed
  int frames = 12;      // frames of the cine (1 with multiframe = false)
  int sector_px = 128;  // side of the synthetic sector image (the tissue region)
  // Canvas margins around the sector, pixels.
  int margin_left_px = 24, margin_top_px = 16, margin_right_px = 8, margin_bottom_px = 20;
  FixtureColour colour = FixtureColour::kMonochrome2;
  FixtureEncoding encoding = FixtureEncoding::kExplicitLittle;
  FixtureTiming timing = FixtureTiming::kFrameTime;
  bool multiframe = true;           // false: single-frame Ultrasound Image Storage
  bool regions = true;              // write the Sequence of Ultrasound Regions
  bool calibrated = true;           // physical units cm (else units "none")
  bool colour_flow_region = false;  // add a Color Flow region (a colour Doppler loop)
  // Made-up sentinel identifiers (never real patient data).
  std::string patient_name = "SENTINEL^BOTMPATIENT";
  std::string patient_id = "SENTINEL-PID-0042";
  // UIDs; empty: new ones. Fixed UIDs make the file bytes reproducible.
  std::string study_instance_uid;
  std::string series_instance_uid;
  std::string sop_instance_uid;
};

struct Fixture {
  std::string path;
  std::string sop_instance_uid;
  std::string study_instance_uid;
  cv::Rect region;                     // where the sector lies in the canvas
  std::vector<cv::Mat> sector_frames;  // the synthetic frames placed there (CV_8UC1)
  std::vector<cv::Mat> sector_labels;  // their ground-truth labels (CV_8UC1, classes 0..3)
  double spacing_mm = 0;               // the synthetic clip's pixel size (x = y)
  double fps = 0;
};

// Renders the clip and writes the object to `path`. InvalidArgument for bad options; Internal
// when DCMTK fails to encode or save.
absl::StatusOr<Fixture> WriteSyntheticUltrasound(const FixtureOptions& options,
                                                 const std::string& path);

}  // namespace botm::dicom

#endif  // BOTM_CLIENT_DICOM_SYNTHETIC_US_H_
