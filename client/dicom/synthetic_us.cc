#include "client/dicom/synthetic_us.h"

#include <memory>

#include <opencv2/imgproc.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/dicom/dicom_init.h"
#include "client/dicom/uid.h"
#include "core/synth/echo_generator.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcrlerp.h"
#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmjpeg/djrplol.h"
#include "dcmtk/dcmjpeg/djrploss.h"

namespace botm::dicom {
namespace {

// Draws the sector into a black canvas with annotation-like marks (a scale bar, a trace) in the
// margins, which a reader must crop away.
cv::Mat RenderCanvas(const cv::Mat& sector, const FixtureOptions& o, const cv::Rect& region) {
  const cv::Size size(region.x + region.width + o.margin_right_px,
                      region.y + region.height + o.margin_bottom_px);
  cv::Mat gray(size, CV_8UC1, cv::Scalar(0));
  sector.copyTo(gray(region));
  cv::rectangle(gray, cv::Rect(2, 2, std::max(1, o.margin_left_px - 4), 6), cv::Scalar(255), -1);
  if (o.colour == FixtureColour::kMonochrome2) return gray;
  cv::Mat bgr;
  cv::cvtColor(gray, bgr, cv::COLOR_GRAY2BGR);
  const int y = region.y + region.height + o.margin_bottom_px / 2;
  cv::line(bgr, cv::Point(0, y), cv::Point(size.width - 1, y), cv::Scalar(0, 255, 0), 1);
  return bgr;
}

void PutPatientStudy(DcmDataset* ds, const FixtureOptions& o, const std::string& study_uid) {
  const std::string series_uid = o.series_instance_uid.empty() ? NewUid() : o.series_instance_uid;
  const std::string sop_uid = o.sop_instance_uid.empty() ? NewUid() : o.sop_instance_uid;
  ds->putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 100");
  ds->putAndInsertString(DCM_SOPClassUID, o.multiframe ? UID_UltrasoundMultiframeImageStorage
                                                       : UID_UltrasoundImageStorage);
  ds->putAndInsertString(DCM_SOPInstanceUID, sop_uid.c_str());
  ds->putAndInsertString(DCM_StudyInstanceUID, study_uid.c_str());
  ds->putAndInsertString(DCM_SeriesInstanceUID, series_uid.c_str());
  ds->putAndInsertString(DCM_PatientName, o.patient_name.c_str());
  ds->putAndInsertString(DCM_PatientID, o.patient_id.c_str());
  ds->putAndInsertString(DCM_PatientBirthDate, "19700101");
  ds->putAndInsertString(DCM_PatientSex, "O");
  ds->putAndInsertString(DCM_StudyDate, "20240101");
  ds->putAndInsertString(DCM_StudyTime, "120000");
  ds->putAndInsertString(DCM_ContentDate, "20240101");
  ds->putAndInsertString(DCM_ContentTime, "120000");
  ds->putAndInsertString(DCM_AccessionNumber, "SENTINELACC1");
  ds->putAndInsertString(DCM_ReferringPhysicianName, "");
  ds->putAndInsertString(DCM_StudyID, "1");
  ds->putAndInsertString(DCM_Modality, "US");
  ds->putAndInsertString(DCM_SeriesNumber, "1");
  ds->putAndInsertString(DCM_InstanceNumber, "1");
  ds->putAndInsertString(DCM_Manufacturer, "BOTM synthetic echo generator");
  ds->putAndInsertString(DCM_ImageType, "ORIGINAL\\PRIMARY\\CARDIAC");
  ds->putAndInsertString(DCM_PatientOrientation, "");
  ds->putAndInsertString(DCM_LossyImageCompression, "00");
}

absl::Status PutPixels(DcmDataset* ds, const std::vector<cv::Mat>& canvases, bool rgb) {
  const cv::Mat& first = canvases.front();
  ds->putAndInsertString(DCM_PhotometricInterpretation, rgb ? "RGB" : "MONOCHROME2");
  ds->putAndInsertUint16(DCM_SamplesPerPixel, rgb ? 3 : 1);
  if (rgb) ds->putAndInsertUint16(DCM_PlanarConfiguration, 0);
  ds->putAndInsertUint16(DCM_Rows, static_cast<Uint16>(first.rows));
  ds->putAndInsertUint16(DCM_Columns, static_cast<Uint16>(first.cols));
  ds->putAndInsertUint16(DCM_BitsAllocated, 8);
  ds->putAndInsertUint16(DCM_BitsStored, 8);
  ds->putAndInsertUint16(DCM_HighBit, 7);
  ds->putAndInsertUint16(DCM_PixelRepresentation, 0);
  std::vector<uint8_t> bytes;
  for (const cv::Mat& canvas : canvases) {
    cv::Mat stored = canvas;
    if (rgb) cv::cvtColor(canvas, stored, cv::COLOR_BGR2RGB);
    bytes.insert(bytes.end(), stored.data, stored.data + stored.total() * stored.elemSize());
  }
  if (ds->putAndInsertUint8Array(DCM_PixelData, bytes.data(), bytes.size()).bad()) {
    return absl::InternalError("cannot insert Pixel Data");
  }
  return absl::OkStatus();
}

void PutTiming(DcmDataset* ds, const FixtureOptions& o, int frames, double fps) {
  if (!o.multiframe) return;
  ds->putAndInsertString(DCM_NumberOfFrames, std::to_string(frames).c_str());
  const double ms = 1000.0 / fps;
  switch (o.timing) {
    case FixtureTiming::kFrameTime:
      ds->putAndInsertTagKey(DCM_FrameIncrementPointer, DCM_FrameTime);
      ds->putAndInsertString(DCM_FrameTime, absl::StrCat(ms).c_str());
      break;
    case FixtureTiming::kFrameTimeVector: {
      ds->putAndInsertTagKey(DCM_FrameIncrementPointer, DCM_FrameTimeVector);
      std::vector<std::string> values = {"0"};
      for (int i = 1; i < frames; ++i) values.push_back(absl::StrCat(ms));
      ds->putAndInsertString(DCM_FrameTimeVector, absl::StrJoin(values, "\\").c_str());
      break;
    }
    case FixtureTiming::kCineRate:
      ds->putAndInsertTagKey(DCM_FrameIncrementPointer, DCM_FrameTime);
      ds->putAndInsertString(DCM_CineRate, std::to_string(std::lround(fps)).c_str());
      break;
    case FixtureTiming::kNone:
      ds->putAndInsertTagKey(DCM_FrameIncrementPointer, DCM_FrameTime);
      break;
  }
}

void PutRegion(DcmItem* item, Uint16 data_type, const cv::Rect& r, const FixtureOptions& o,
               double spacing_cm) {
  item->putAndInsertUint16(DCM_RegionSpatialFormat, 1);
  item->putAndInsertUint16(DCM_RegionDataType, data_type);
  item->putAndInsertUint32(DCM_RegionFlags, 0);
  item->putAndInsertUint32(DCM_RegionLocationMinX0, r.x);
  item->putAndInsertUint32(DCM_RegionLocationMinY0, r.y);
  item->putAndInsertUint32(DCM_RegionLocationMaxX1, r.x + r.width - 1);
  item->putAndInsertUint32(DCM_RegionLocationMaxY1, r.y + r.height - 1);
  item->putAndInsertUint16(DCM_PhysicalUnitsXDirection, o.calibrated ? 3 : 0);
  item->putAndInsertUint16(DCM_PhysicalUnitsYDirection, o.calibrated ? 3 : 0);
  item->putAndInsertFloat64(DCM_PhysicalDeltaX, spacing_cm);
  item->putAndInsertFloat64(DCM_PhysicalDeltaY, spacing_cm);
}

void PutRegions(DcmDataset* ds, const FixtureOptions& o, const cv::Rect& r, double spacing_cm) {
  if (!o.regions) return;
  DcmItem* item = nullptr;
  ds->findOrCreateSequenceItem(DCM_SequenceOfUltrasoundRegions, item, -2);
  PutRegion(item, 1, r, o, spacing_cm);
  if (o.colour_flow_region) {
    ds->findOrCreateSequenceItem(DCM_SequenceOfUltrasoundRegions, item, -2);
    PutRegion(item, 2, cv::Rect(r.x + r.width / 4, r.y + r.height / 4, r.width / 2, r.height / 2),
              o, spacing_cm);
  }
}

absl::Status Save(DcmFileFormat* file, FixtureEncoding encoding, const std::string& path) {
  DcmDataset* ds = file->getDataset();
  E_TransferSyntax xfer = EXS_LittleEndianExplicit;
  OFCondition c = EC_Normal;
  if (encoding == FixtureEncoding::kImplicitLittle) xfer = EXS_LittleEndianImplicit;
  if (encoding == FixtureEncoding::kJpegBaseline) {
    xfer = EXS_JPEGProcess1;
    const DJ_RPLossy params(90);
    c = ds->chooseRepresentation(xfer, &params);
  } else if (encoding == FixtureEncoding::kJpegLossless) {
    xfer = EXS_JPEGProcess14SV1;
    const DJ_RPLossless params;
    c = ds->chooseRepresentation(xfer, &params);
  } else if (encoding == FixtureEncoding::kRle) {
    xfer = EXS_RLELossless;
    const DcmRLERepresentationParameter params;
    c = ds->chooseRepresentation(xfer, &params);
  }
  if (c.good() && !ds->canWriteXfer(xfer)) c = EC_CannotChangeRepresentation;
  if (c.good()) c = file->saveFile(path.c_str(), xfer);
  if (c.bad()) return absl::InternalError(absl::StrCat("cannot write ", path, ": ", c.text()));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Fixture> WriteSyntheticUltrasound(const FixtureOptions& o, const std::string& path) {
  if (absl::Status s = InitDicom(); !s.ok()) return s;
  const int frames = o.multiframe ? o.frames : 1;
  if (frames < 1) return absl::InvalidArgumentError("a fixture needs at least one frame");
  synth::ClipOptions clip;
  clip.seed = o.seed;
  clip.width = clip.height = o.sector_px;
  clip.num_frames = frames;
  absl::StatusOr<std::unique_ptr<synth::EchoGenerator>> generator =
      synth::EchoGenerator::Create(clip);
  if (!generator.ok()) return generator.status();
  Fixture fixture;
  fixture.path = path;
  fixture.region = cv::Rect(o.margin_left_px, o.margin_top_px, o.sector_px, o.sector_px);
  fixture.spacing_mm = (*generator)->info().spacing_mm_x;
  fixture.fps = (*generator)->info().fps;
  fixture.study_instance_uid = o.study_instance_uid.empty() ? NewUid() : o.study_instance_uid;
  std::vector<cv::Mat> canvases;
  for (int t = 0; t < frames; ++t) {
    synth::Frame frame = (*generator)->Render(t);
    fixture.sector_frames.push_back(frame.image);
    fixture.sector_labels.push_back(frame.labels);
    canvases.push_back(RenderCanvas(fixture.sector_frames.back(), o, fixture.region));
  }
  DcmFileFormat file;
  DcmDataset* ds = file.getDataset();
  PutPatientStudy(ds, o, fixture.study_instance_uid);
  if (absl::Status s = PutPixels(ds, canvases, o.colour == FixtureColour::kRgb); !s.ok()) return s;
  PutTiming(ds, o, frames, fixture.fps);
  PutRegions(ds, o, fixture.region, fixture.spacing_mm / 10.0);
  if (absl::Status s = Save(&file, o.encoding, path); !s.ok()) return s;
  OFString uid;
  ds->findAndGetOFString(DCM_SOPInstanceUID, uid);
  fixture.sop_instance_uid = uid.c_str();
  return fixture;
}

}  // namespace botm::dicom
