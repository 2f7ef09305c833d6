#include "client/dicom/us_reader.h"

#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "client/dicom/dicom_init.h"
#include "client/dicom/frame_timing.h"
#include "client/dicom/pixel_frames.h"
#include "client/dicom/us_regions.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdatset.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcistrmb.h"
#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmdata/dcxfer.h"

namespace botm::dicom {
namespace {

constexpr size_t kPreambleBytes = 128;

std::string GetString(DcmItem& item, const DcmTagKey& tag) {
  OFString value;
  item.findAndGetOFString(tag, value);
  return value.c_str();
}

absl::Status CheckSopClass(DcmDataset& dataset) {
  static const std::set<std::string> kUltrasound = {
      UID_UltrasoundMultiframeImageStorage, UID_UltrasoundImageStorage,
      UID_RETIRED_UltrasoundMultiframeImageStorage, UID_RETIRED_UltrasoundImageStorage};
  const std::string sop_class = GetString(dataset, DCM_SOPClassUID);
  if (kUltrasound.count(sop_class) == 0) {
    return absl::UnimplementedError(
        absl::StrCat("SOP class '", sop_class, "' is not an ultrasound image storage class"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<DcmFileFormat>> Parse(absl::string_view bytes) {
  if (bytes.size() < kPreambleBytes + 4 || bytes.substr(kPreambleBytes, 4) != "DICM") {
    return absl::InvalidArgumentError("not a DICOM file (no 'DICM' prefix after the preamble)");
  }
  DcmInputBufferStream in;
  in.setBuffer(bytes.data(), static_cast<offile_off_t>(bytes.size()));
  in.setEos();
  auto file = std::make_unique<DcmFileFormat>();
  file->transferInit();
  const OFCondition c = file->read(in, EXS_Unknown, EGL_noChange, DCM_MaxReadLength);
  file->transferEnd();
  // A parser that stopped at the very end wanted more bytes than the file has.
  if (c == EC_StreamNotifyClient ||
      (c.bad() && in.tell() >= static_cast<offile_off_t>(bytes.size()))) {
    return absl::InvalidArgumentError(
        absl::StrCat("DICOM data ends early (truncated file): ", c.text()));
  }
  if (c.bad()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot parse the DICOM data: ", c.text()));
  }
  return file;
}

absl::Status CheckTransferSyntax(DcmDataset& dataset, std::string* uid) {
  const DcmXfer xfer(dataset.getOriginalXfer());
  *uid = xfer.getXferID();
  if (!IsSupportedTransferSyntax(*uid)) {
    return absl::UnimplementedError(
        absl::StrCat("transfer syntax ", *uid, " (", xfer.getXferName(), ") is not supported"));
  }
  return absl::OkStatus();
}

absl::Status CheckDecodedSize(const PixelFormat& f, const ReaderOptions& options) {
  const int64_t bytes = static_cast<int64_t>(f.rows) * f.columns * 3 * (f.bits_allocated / 8) *
                        static_cast<int64_t>(f.num_frames);
  if (bytes > options.max_decoded_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(f.num_frames, " frames of ", f.columns, "x", f.rows, " decode to ", bytes,
                     " bytes, over the limit of ", options.max_decoded_bytes));
  }
  return absl::OkStatus();
}

SourceIdentity ReadIdentity(DcmDataset& dataset, const std::string& transfer_syntax,
                            const std::string& photometric) {
  SourceIdentity id;
  id.sop_class_uid = GetString(dataset, DCM_SOPClassUID);
  id.sop_instance_uid = GetString(dataset, DCM_SOPInstanceUID);
  id.study_instance_uid = GetString(dataset, DCM_StudyInstanceUID);
  id.series_instance_uid = GetString(dataset, DCM_SeriesInstanceUID);
  id.transfer_syntax_uid = transfer_syntax;
  id.photometric = photometric;
  id.lossy = GetString(dataset, DCM_LossyImageCompression) == "01" ||
             DcmXfer(dataset.getOriginalXfer()).isLossy();
  return id;
}

absl::StatusOr<UltrasoundClip> FromFile(std::unique_ptr<DcmFileFormat> file,
                                        const ReaderOptions& options) {
  DcmDataset& dataset = *file->getDataset();
  if (absl::Status s = CheckSopClass(dataset); !s.ok()) return s;
  std::string transfer_syntax;
  if (absl::Status s = CheckTransferSyntax(dataset, &transfer_syntax); !s.ok()) return s;
  if (GetString(dataset, DCM_SOPInstanceUID).empty()) {
    return absl::InvalidArgumentError("SOPInstanceUID (0008,0018) is missing");
  }
  const PixelLimits limits{options.max_frame_pixels, options.max_frames};
  absl::StatusOr<PixelFormat> format = ReadPixelFormat(dataset, limits);
  if (!format.ok()) return format.status();
  if (absl::Status s = CheckDecodedSize(*format, options); !s.ok()) return s;
  absl::StatusOr<TissueRegion> region = ReadTissueRegion(dataset, format->rows, format->columns);
  if (!region.ok()) return region.status();
  const bool encapsulated = DcmXfer(dataset.getOriginalXfer()).isEncapsulated();
  absl::StatusOr<std::vector<cv::Mat>> frames = DecodeFrames(dataset, *format, encapsulated);
  if (!frames.ok()) return frames.status();

  UltrasoundClip clip;
  clip.source = ReadIdentity(dataset, transfer_syntax, format->photometric);
  clip.rows = format->rows;
  clip.columns = format->columns;
  clip.frames = *std::move(frames);
  FrameTiming timing = ReadFrameTiming(dataset, format->num_frames);
  clip.timestamps_us = std::move(timing.timestamps_us);
  clip.frame_rate_hz = timing.frame_rate_hz;
  clip.timing_source = timing.source;
  clip.region = region->rect;
  clip.has_region = region->has_region;
  clip.calibration = region->calibration;
  delete dataset.remove(DCM_PixelData);
  clip.header = std::shared_ptr<const DcmDataset>(file->getAndRemoveDataset());
  return clip;
}

}  // namespace

absl::StatusOr<UltrasoundClip> ReadUltrasoundBuffer(absl::string_view bytes,
                                                    const ReaderOptions& options) {
  if (absl::Status s = InitDicom(); !s.ok()) return s;
  if (static_cast<int64_t>(bytes.size()) > options.max_file_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "DICOM data of ", bytes.size(), " bytes exceeds the limit of ", options.max_file_bytes));
  }
  absl::StatusOr<std::unique_ptr<DcmFileFormat>> file = Parse(bytes);
  if (!file.ok()) return file.status();
  return FromFile(*std::move(file), options);
}

absl::StatusOr<UltrasoundClip> ReadUltrasoundFile(const std::string& path,
                                                  const ReaderOptions& options) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  const std::streamoff size = in.tellg();
  if (size > options.max_file_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", size, " bytes exceeds the limit of ", options.max_file_bytes));
  }
  std::string bytes(static_cast<size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(bytes.data(), size)) return absl::DataLossError(absl::StrCat("cannot read ", path));
  return ReadUltrasoundBuffer(bytes, options);
}

}  // namespace botm::dicom
