// Helpers shared by the DICOM tests: fixtures in a temporary folder, full-size label images
// from a fixture's ground truth, and dciodvfy (dicom3tools) as the validator.
//
// Thread-safety: thread-compatible.
#ifndef BOTM_TESTS_DICOM_DICOM_TEST_UTIL_H_
#define BOTM_TESTS_DICOM_DICOM_TEST_UTIL_H_

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"
#include "client/dicom/clip_segmentation.h"
#include "client/dicom/synthetic_us.h"
#include "client/dicom/us_clip.h"

namespace botm::dicom::testing {

// The ground-truth labels of `fixture` placed into full-size canvases (0 outside the region).
std::vector<cv::Mat> FullSizeLabels(const Fixture& fixture, int rows, int columns);

// A ClipSegmentation made from the fixture's ground truth instead of the service (for writer
// tests): areas from the labels and the clip's calibration, ED = largest and ES = smallest LV
// cavity, EF `ef_pct`.
ClipSegmentation TruthSegmentation(const Fixture& fixture, const UltrasoundClip& clip,
                                   double ef_pct);

// Broken ultrasound objects for the bad-input tests, each made from a valid fixture.
enum class Malformation {
  kNotDicom,                   // a text file
  kTruncatedFile,              // the file cut in the middle of Pixel Data
  kTruncatedPixelData,         // valid encoding, Pixel Data shorter than Rows x Columns x frames
  kWrongVr,                    // Rows (0028,0010) encoded as LO "abc"
  kHugeDimensions,             // Rows = Columns = 65535
  kMissingPixelData,           // no (7FE0,0010)
  kUnsupportedTransferSyntax,  // a JPEG file relabelled as JPEG 2000
  kColourDoppler,              // a Color Flow region in the Sequence of Ultrasound Regions
};

// Writes the broken object to `path`. Returns the phrase its rejection must contain.
absl::StatusOr<std::string> WriteMalformed(Malformation kind, const std::string& path);

// Whether a C-ECHO to AE@127.0.0.1:port succeeds (an SCP is up).
bool Echo(const std::string& ae, int port);

struct Validation {
  std::vector<std::string> errors;    // dciodvfy lines starting with "Error"
  std::vector<std::string> warnings;  // lines starting with "Warning"
  std::string output;
};

// Runs `dciodvfy -new path` and collects its errors and warnings.
absl::StatusOr<Validation> Validate(const std::string& path);

}  // namespace botm::dicom::testing

#endif  // BOTM_TESTS_DICOM_DICOM_TEST_UTIL_H_
