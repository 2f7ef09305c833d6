#include "client/dicom/pixel_frames.h"

#include <cstring>
#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "client/dicom/internal/frame_convert.h"
#include "client/dicom/rle_decoder.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdatset.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcfcache.h"
#include "dcmtk/dcmdata/dcpixel.h"
#include "dcmtk/dcmdata/dcpixseq.h"
#include "dcmtk/dcmdata/dcpxitem.h"
#include "dcmtk/dcmdata/dcuid.h"

namespace botm::dicom {
namespace {

absl::StatusOr<int> RequiredUint16(DcmDataset& dataset, const DcmTagKey& tag, const char* name) {
  Uint16 value = 0;
  const OFCondition c = dataset.findAndGetUint16(tag, value);
  if (c.bad()) {
    return absl::InvalidArgumentError(absl::StrCat(name, " ", DcmTag(tag).toString().c_str(),
                                                   " is missing or unreadable (", c.text(), ")"));
  }
  return static_cast<int>(value);
}

absl::Status CheckPhotometric(const PixelFormat& f) {
  static const std::set<std::string> kMono = {"MONOCHROME1", "MONOCHROME2"};
  static const std::set<std::string> kColour = {"RGB", "YBR_FULL", "YBR_FULL_422"};
  const bool mono = kMono.count(f.photometric) > 0;
  const bool colour = kColour.count(f.photometric) > 0;
  if (!mono && !colour) {
    return absl::UnimplementedError(absl::StrCat("photometric interpretation '", f.photometric,
                                                 "' is not supported (MONOCHROME1/2, RGB, "
                                                 "YBR_FULL, YBR_FULL_422 are)"));
  }
  if (f.samples_per_pixel != (mono ? 1 : 3)) {
    return absl::InvalidArgumentError(
        absl::StrCat("SamplesPerPixel ", f.samples_per_pixel, " does not match ", f.photometric));
  }
  if (f.bits_allocated != 8 && !(mono && f.bits_allocated == 16)) {
    return absl::UnimplementedError(absl::StrCat("BitsAllocated ", f.bits_allocated, " with ",
                                                 f.photometric, " is not supported"));
  }
  return absl::OkStatus();
}

absl::Status ReadFrameCount(DcmDataset& dataset, const PixelLimits& limits, PixelFormat* f) {
  DcmElement* element = nullptr;
  if (dataset.findAndGetElement(DCM_NumberOfFrames, element).bad()) return absl::OkStatus();
  Sint32 frames = 0;
  if (dataset.findAndGetSint32(DCM_NumberOfFrames, frames).bad() || frames < 1) {
    return absl::InvalidArgumentError("NumberOfFrames (0028,0008) is unreadable or below 1");
  }
  if (frames > limits.max_frames) {
    return absl::InvalidArgumentError(
        absl::StrCat("NumberOfFrames ", frames, " exceeds the limit of ", limits.max_frames));
  }
  f->num_frames = frames;
  return absl::OkStatus();
}

absl::Status ReadBitsStored(DcmDataset& dataset, PixelFormat* f) {
  Uint16 stored = static_cast<Uint16>(f->bits_allocated);
  Uint16 high = static_cast<Uint16>(f->bits_allocated - 1);
  dataset.findAndGetUint16(DCM_BitsStored, stored);
  dataset.findAndGetUint16(DCM_HighBit, high);
  if (stored < 1 || stored > f->bits_allocated || high != stored - 1) {
    return absl::UnimplementedError(absl::StrCat("BitsStored ", stored, " / HighBit ", high,
                                                 " with BitsAllocated ", f->bits_allocated,
                                                 " is not supported"));
  }
  f->bits_stored = stored;
  return absl::OkStatus();
}

size_t NativeFrameBytes(const PixelFormat& f) {
  const size_t pixels = static_cast<size_t>(f.rows) * f.columns;
  if (f.photometric == "YBR_FULL_422") return pixels * 2;
  return pixels * f.samples_per_pixel * (f.bits_allocated / 8);
}

absl::StatusOr<std::vector<cv::Mat>> DecodeNative(DcmDataset& dataset, DcmElement* pixel_data,
                                                  const PixelFormat& f) {
  const size_t frame_bytes = NativeFrameBytes(f);
  const size_t needed = frame_bytes * f.num_frames;
  if (pixel_data->getLength() < needed) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Pixel Data holds ", pixel_data->getLength(), " bytes but ", f.num_frames, " frame(s) of ",
        f.columns, "x", f.rows, " need ", needed, " (truncated pixel data)"));
  }
  const uint8_t* bytes = nullptr;
  if (f.bits_allocated == 16) {
    Uint16* words = nullptr;
    if (pixel_data->getUint16Array(words).bad() || words == nullptr) {
      return absl::InvalidArgumentError("Pixel Data cannot be read as 16-bit words");
    }
    bytes = reinterpret_cast<const uint8_t*>(words);
  } else {
    Uint8* data = nullptr;
    if (pixel_data->getUint8Array(data).bad() || data == nullptr) {
      return absl::InvalidArgumentError("Pixel Data cannot be read as bytes");
    }
    bytes = data;
  }
  std::vector<cv::Mat> frames;
  for (int i = 0; i < f.num_frames; ++i) {
    absl::StatusOr<cv::Mat> frame =
        ToMat(bytes + i * frame_bytes, f, f.photometric, f.planar_configuration == 1);
    if (!frame.ok()) return frame.status();
    frames.push_back(*std::move(frame));
  }
  return frames;
}

// RLE frames go through the project's own bounds-checked decoder (rle_decoder.h).
absl::StatusOr<std::vector<cv::Mat>> DecodeRle(DcmDataset& dataset, DcmPixelData* pixel_data,
                                               const PixelFormat& f) {
  const DcmRepresentationParameter* param = nullptr;
  DcmPixelSequence* sequence = nullptr;
  if (pixel_data->getEncapsulatedRepresentation(EXS_RLELossless, param, sequence).bad() ||
      sequence == nullptr) {
    return absl::InvalidArgumentError("RLE Pixel Data has no fragments");
  }
  std::vector<cv::Mat> frames;
  for (int i = 0; i < f.num_frames; ++i) {
    DcmPixelItem* item = nullptr;
    Uint8* data = nullptr;
    // Item 0 is the Basic Offset Table; RLE has exactly one fragment per frame (PS3.5 A.4.2).
    if (sequence->getItem(item, static_cast<unsigned long>(i) + 1).bad() ||
        item->getUint8Array(data).bad() || data == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("RLE frame ", i + 1, " of ", f.num_frames, " has no fragment"));
    }
    absl::StatusOr<std::vector<uint8_t>> bytes = DecodeRleFrame(
        absl::string_view(reinterpret_cast<const char*>(data), item->getLength()),
        static_cast<size_t>(f.rows) * f.columns, f.samples_per_pixel, f.bits_allocated / 8);
    if (!bytes.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("RLE frame ", i + 1, ": ", bytes.status().message()));
    }
    absl::StatusOr<cv::Mat> frame = ToMat(bytes->data(), f, f.photometric, true);
    if (!frame.ok()) return frame.status();
    frames.push_back(*std::move(frame));
  }
  return frames;
}

absl::StatusOr<std::vector<cv::Mat>> DecodeEncapsulated(DcmDataset& dataset,
                                                        DcmPixelData* pixel_data,
                                                        const PixelFormat& f) {
  if (dataset.getOriginalXfer() == EXS_RLELossless) return DecodeRle(dataset, pixel_data, f);
  Uint32 frame_size = 0;
  if (pixel_data->getUncompressedFrameSize(&dataset, frame_size).bad() || frame_size == 0) {
    return absl::InvalidArgumentError("cannot compute the decoded frame size");
  }
  std::vector<uint8_t> buffer(frame_size + 1);
  Uint32 start_fragment = 0;
  DcmFileCache cache;
  std::vector<cv::Mat> frames;
  for (int i = 0; i < f.num_frames; ++i) {
    OFString colour_model;
    const OFCondition c = pixel_data->getUncompressedFrame(
        &dataset, static_cast<Uint32>(i), start_fragment, buffer.data(),
        static_cast<Uint32>(buffer.size()), colour_model, &cache);
    if (c.bad()) {
      return absl::InvalidArgumentError(
          absl::StrCat("frame ", i + 1, " of ", f.num_frames, " cannot be decoded: ", c.text()));
    }
    // JPEG decoders are registered to return colour-by-pixel, full-resolution samples: a 4:2:2
    // source comes back upsampled.
    std::string model = colour_model.c_str();
    if (model == "YBR_FULL_422") model = "YBR_FULL";
    absl::StatusOr<cv::Mat> frame = ToMat(buffer.data(), f, model, false);
    if (!frame.ok()) return frame.status();
    frames.push_back(*std::move(frame));
  }
  return frames;
}

}  // namespace

absl::StatusOr<PixelFormat> ReadPixelFormat(DcmDataset& dataset, const PixelLimits& limits) {
  PixelFormat f;
  absl::StatusOr<int> rows = RequiredUint16(dataset, DCM_Rows, "Rows");
  if (!rows.ok()) return rows.status();
  absl::StatusOr<int> columns = RequiredUint16(dataset, DCM_Columns, "Columns");
  if (!columns.ok()) return columns.status();
  absl::StatusOr<int> samples = RequiredUint16(dataset, DCM_SamplesPerPixel, "SamplesPerPixel");
  if (!samples.ok()) return samples.status();
  absl::StatusOr<int> bits = RequiredUint16(dataset, DCM_BitsAllocated, "BitsAllocated");
  if (!bits.ok()) return bits.status();
  f.rows = *rows;
  f.columns = *columns;
  f.samples_per_pixel = *samples;
  f.bits_allocated = *bits;
  if (f.rows == 0 || f.columns == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("image size ", f.columns, "x", f.rows, " is empty"));
  }
  if (static_cast<int64_t>(f.rows) * f.columns > limits.max_frame_pixels) {
    return absl::InvalidArgumentError(absl::StrCat("declared image size ", f.columns, "x", f.rows,
                                                   " exceeds the limit of ",
                                                   limits.max_frame_pixels, " pixels"));
  }
  OFString photometric;
  if (dataset.findAndGetOFString(DCM_PhotometricInterpretation, photometric).bad()) {
    return absl::InvalidArgumentError("PhotometricInterpretation (0028,0004) is missing");
  }
  f.photometric = photometric.c_str();
  Uint16 representation = 0;
  dataset.findAndGetUint16(DCM_PixelRepresentation, representation);
  if (representation != 0) return absl::UnimplementedError("signed pixel data is not supported");
  Uint16 planar = 0;
  if (f.samples_per_pixel > 1) dataset.findAndGetUint16(DCM_PlanarConfiguration, planar);
  f.planar_configuration = planar;
  if (absl::Status s = CheckPhotometric(f); !s.ok()) return s;
  if (absl::Status s = ReadBitsStored(dataset, &f); !s.ok()) return s;
  if (absl::Status s = ReadFrameCount(dataset, limits, &f); !s.ok()) return s;
  return f;
}

bool IsSupportedTransferSyntax(const std::string& uid) {
  static const std::set<std::string> kSupported = {
      UID_LittleEndianImplicitTransferSyntax, UID_LittleEndianExplicitTransferSyntax,
      UID_BigEndianExplicitTransferSyntax,    UID_DeflatedExplicitVRLittleEndianTransferSyntax,
      UID_JPEGProcess1TransferSyntax,         UID_JPEGProcess2_4TransferSyntax,
      UID_JPEGProcess14TransferSyntax,        UID_JPEGProcess14SV1TransferSyntax,
      UID_JPEGLSLosslessTransferSyntax,       UID_JPEGLSLossyTransferSyntax,
      UID_RLELosslessTransferSyntax};
  return kSupported.count(uid) > 0;
}

absl::StatusOr<std::vector<cv::Mat>> DecodeFrames(DcmDataset& dataset, const PixelFormat& format,
                                                  bool encapsulated) {
  DcmElement* element = nullptr;
  if (dataset.findAndGetElement(DCM_PixelData, element).bad() || element == nullptr) {
    return absl::InvalidArgumentError("the object has no Pixel Data (7FE0,0010)");
  }
  if (encapsulated) {
    return DecodeEncapsulated(dataset, static_cast<DcmPixelData*>(element), format);
  }
  return DecodeNative(dataset, element, format);
}

}  // namespace botm::dicom
