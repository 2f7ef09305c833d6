// Readers for the medical image formats of the public echo data sets: MetaImage (.mhd header
// + .raw/.zraw data, or a single .mha; CAMUS' original release) and NIfTI-1 (.nii or gzipped
// .nii.gz; CAMUS' 2023 release and TED full-cycle sequences).
//
// A Volume holds up to 3 dimensions (x fastest, then y, then z/time) as float samples, with the
// voxel spacing in mm. Images are read in file order, so slice z is a cv::Mat with ny rows and
// nx columns. Scaling (NIfTI scl_slope/scl_inter) is applied.
// Thread-safety: all functions are pure and thread-safe. Errors come back as statuses:
// NotFound for missing files, InvalidArgument (naming the field) for malformed headers, data
// types the readers do not support or truncated data.
#ifndef BOTM_CORE_TRAIN_VOLUME_IO_H_
#define BOTM_CORE_TRAIN_VOLUME_IO_H_

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"

namespace botm::train {

struct Volume {
  int nx = 0, ny = 0, nz = 1;                                // sizes; nz = 1 for a 2D image
  double spacing_x_mm = 1, spacing_y_mm = 1, spacing_z = 1;  // z: mm or frame time
  std::vector<float> data;                                   // nx * ny * nz samples, x fastest
};

// Reads a MetaImage: NDims 2 or 3; ElementType MET_(U)CHAR, MET_(U)SHORT, MET_(U)INT,
// MET_FLOAT, MET_DOUBLE; ElementDataFile LOCAL or a file next to the header; CompressedData
// (zlib) and BinaryDataByteOrderMSB honoured.
absl::StatusOr<Volume> ReadMetaImage(const std::string& path);

// Reads a NIfTI-1 file (single file "n+1", gzipped or not; either byte order); dim[0] 2..4
// with dim[4] == 1 when 4; datatypes uint8, int8, int16, uint16, int32, uint32, float32,
// float64.
absl::StatusOr<Volume> ReadNifti(const std::string& path);

// Dispatches on the extension: .mhd/.mha -> ReadMetaImage, .nii/.nii.gz -> ReadNifti.
absl::StatusOr<Volume> ReadVolume(const std::string& path);

// Returns slice z as CV_8UC1 after mapping [lo, hi] linearly to [0, 255] (clamped). With
// lo == hi the slice's own min/max are used. For label maps pass lo = 0, hi = 255 (values are
// rounded, so label values survive).
cv::Mat SliceToGray8(const Volume& v, int z, float lo = 0.f, float hi = 255.f);

// Returns slice z as CV_8UC1 labels (values rounded and clamped to 0..255).
cv::Mat SliceToLabels(const Volume& v, int z);

}  // namespace botm::train

#endif  // BOTM_CORE_TRAIN_VOLUME_IO_H_
