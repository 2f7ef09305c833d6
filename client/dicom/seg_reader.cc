// ReadSegmentationLabels (declared in seg_writer.h): an independent reader of binary SEG
// objects through dcmdata alone, so tests check the file format rather than dcmseg's view.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/dicom/dicom_init.h"
#include "client/dicom/seg_writer.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcsequen.h"

namespace botm::dicom {
namespace {

struct FrameRef {
  int segment = 0;
  int source_frame = 0;  // 1-based
};

absl::StatusOr<FrameRef> ReadFrameRef(DcmItem* item) {
  FrameRef ref;
  DcmItem* seg_id = nullptr;
  DcmItem* derivation = nullptr;
  DcmItem* source = nullptr;
  Uint16 segment = 0;
  Sint32 frame = 0;
  if (item->findAndGetSequenceItem(DCM_SegmentIdentificationSequence, seg_id).bad() ||
      seg_id->findAndGetUint16(DCM_ReferencedSegmentNumber, segment).bad() ||
      item->findAndGetSequenceItem(DCM_DerivationImageSequence, derivation).bad() ||
      derivation->findAndGetSequenceItem(DCM_SourceImageSequence, source).bad() ||
      source->findAndGetSint32(DCM_ReferencedFrameNumber, frame).bad()) {
    return absl::InvalidArgumentError("SEG frame without segment number or source frame");
  }
  ref.segment = segment;
  ref.source_frame = frame;
  return ref;
}

}  // namespace

absl::StatusOr<std::vector<cv::Mat>> ReadSegmentationLabels(const std::string& path) {
  if (absl::Status s = InitDicom(); !s.ok()) return s;
  DcmFileFormat file;
  if (OFCondition c = file.loadFile(path.c_str()); c.bad()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot load ", path, ": ", c.text()));
  }
  DcmDataset* ds = file.getDataset();
  Uint16 rows = 0, columns = 0;
  Sint32 frames = 0;
  const Uint8* bits = nullptr;
  unsigned long length = 0;
  DcmSequenceOfItems* per_frame = nullptr;
  if (ds->findAndGetUint16(DCM_Rows, rows).bad() ||
      ds->findAndGetUint16(DCM_Columns, columns).bad() ||
      ds->findAndGetSint32(DCM_NumberOfFrames, frames).bad() ||
      ds->findAndGetUint8Array(DCM_PixelData, bits, &length).bad() ||
      ds->findAndGetSequence(DCM_PerFrameFunctionalGroupsSequence, per_frame).bad() ||
      static_cast<Sint32>(per_frame->card()) != frames) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a binary SEG of this project"));
  }
  const size_t pixels = static_cast<size_t>(rows) * columns;
  if (length * 8 < pixels * frames) return absl::InvalidArgumentError("SEG pixel data too short");
  std::vector<cv::Mat> labels;
  for (Sint32 i = 0; i < frames; ++i) {
    absl::StatusOr<FrameRef> ref = ReadFrameRef(per_frame->getItem(i));
    if (!ref.ok()) return ref.status();
    if (ref->source_frame < 1 || ref->source_frame > frames) {
      return absl::InvalidArgumentError("SEG frame references a source frame out of range");
    }
    while (static_cast<int>(labels.size()) < ref->source_frame) {
      labels.push_back(cv::Mat::zeros(rows, columns, CV_8UC1));
    }
    cv::Mat& out = labels[ref->source_frame - 1];
    // PS3.5 8.1.1: Bits Allocated 1, frames packed back to back, first pixel in the LSB.
    for (size_t p = 0; p < pixels; ++p) {
      const size_t bit = static_cast<size_t>(i) * pixels + p;
      if ((bits[bit / 8] >> (bit % 8)) & 1) out.data[p] = static_cast<uint8_t>(ref->segment);
    }
  }
  return labels;
}

}  // namespace botm::dicom
