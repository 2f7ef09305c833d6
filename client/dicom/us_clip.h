// An ultrasound cine loop read from DICOM: decoded frames, frame timing, the tissue region and
// its physical calibration, and the source attributes that derived objects (SEG, SR) copy.
//
// Thread-safety: a plain value; const access from several threads is safe.
#ifndef BOTM_CLIENT_DICOM_US_CLIP_H_
#define BOTM_CLIENT_DICOM_US_CLIP_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

class DcmDataset;

namespace botm::dicom {

// Physical size of one pixel in millimetres (from PhysicalDeltaX/Y of the tissue region, which
// DICOM gives in cm). Zero when the file has no usable calibration.
struct Calibration {
  double spacing_mm_x = 0;
  double spacing_mm_y = 0;
  bool known() const { return spacing_mm_x > 0 && spacing_mm_y > 0; }
};

// The identity of the source instance, for references and logs.
struct SourceIdentity {
  std::string sop_class_uid;
  std::string sop_instance_uid;
  std::string study_instance_uid;
  std::string series_instance_uid;
  std::string transfer_syntax_uid;
  std::string photometric;  // PhotometricInterpretation as stored (before decompression)
  bool lossy = false;       // LossyImageCompression "01" or a lossy transfer syntax
};

struct UltrasoundClip {
  SourceIdentity source;
  int rows = 0;
  int columns = 0;
  // Decoded frames at the source's full size: CV_8UC1 / CV_16UC1 (monochrome, MONOCHROME1
  // already inverted) or CV_8UC3 in BGR order (RGB and YBR sources).
  std::vector<cv::Mat> frames;
  // Per frame, microseconds from the first frame; all 0 when the file has no timing.
  std::vector<int64_t> timestamps_us;
  // Nominal frame rate (frames/s) from the timing attributes; 0 when unknown.
  double frame_rate_hz = 0;
  // Which attribute gave the timing: "FrameTime", "FrameTimeVector", "CineRate" or "none".
  std::string timing_source = "none";
  // The 2D tissue region that holds the heart (inclusive bounds from the Sequence of
  // Ultrasound Regions, clipped to the image); the whole image when the file has no regions.
  cv::Rect region;
  bool has_region = false;
  Calibration calibration;
  // The source data set without Pixel Data: patient, study and equipment attributes that
  // derived objects copy. Shared and never modified after reading.
  std::shared_ptr<const DcmDataset> header;
};

}  // namespace botm::dicom

#endif  // BOTM_CLIENT_DICOM_US_CLIP_H_
