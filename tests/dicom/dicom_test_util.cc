#include "tests/dicom/dicom_test_util.h"

#include <filesystem>
#include <fstream>
#include <functional>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "client/channel.h"
#include "client/dicom/dicom_init.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmdata/dcvrlo.h"
#include "dcmtk/dcmnet/scu.h"
#include "tests/client/subprocess.h"

namespace botm::dicom::testing {

std::vector<cv::Mat> FullSizeLabels(const Fixture& fixture, int rows, int columns) {
  std::vector<cv::Mat> out;
  for (const cv::Mat& labels : fixture.sector_labels) {
    cv::Mat full = cv::Mat::zeros(rows, columns, CV_8UC1);
    labels.copyTo(full(fixture.region));
    out.push_back(full);
  }
  return out;
}

ClipSegmentation TruthSegmentation(const Fixture& fixture, const UltrasoundClip& clip,
                                   double ef_pct) {
  ClipSegmentation out;
  out.labels = FullSizeLabels(fixture, clip.rows, clip.columns);
  out.calibrated = clip.calibration.known();
  const double mm2 = clip.calibration.spacing_mm_x * clip.calibration.spacing_mm_y;
  for (const cv::Mat& labels : out.labels) {
    std::array<double, 4> px{}, area{};
    for (int c = 0; c < 4; ++c) {
      px[c] = cv::countNonZero(labels == c);
      area[c] = px[c] * mm2;
    }
    out.area_px.push_back(px);
    out.area_mm2.push_back(area);
    out.uncertainty.push_back(0.1f);
  }
  for (size_t i = 0; i < out.area_px.size(); ++i) {
    if (out.ef_ed_frame < 0 || out.area_px[i][1] > out.area_px[out.ef_ed_frame][1]) {
      out.ef_ed_frame = static_cast<int>(i);
    }
    if (out.ef_es_frame < 0 || out.area_px[i][1] < out.area_px[out.ef_es_frame][1]) {
      out.ef_es_frame = static_cast<int>(i);
    }
  }
  out.ed_frames = {out.ef_ed_frame};
  out.es_frames = {out.ef_es_frame};
  out.has_ejection_fraction = true;
  out.ejection_fraction_pct = ef_pct;
  out.model = {"botm-test", "1.2", std::string(64, 'a')};
  return out;
}

namespace {

absl::Status Edit(const std::string& path, const std::function<void(DcmDataset*)>& change) {
  DcmFileFormat file;
  if (file.loadFile(path.c_str()).bad()) return absl::InternalError("cannot load " + path);
  file.loadAllDataIntoMemory();  // the same path is written below
  change(file.getDataset());
  if (file.saveFile(path.c_str(), EXS_LittleEndianExplicit).bad()) {
    return absl::InternalError("cannot save " + path);
  }
  return absl::OkStatus();
}

absl::Status Relabel(const std::string& path, const std::string& from, const std::string& to) {
  absl::StatusOr<std::string> bytes = client::ReadFileToString(path);
  if (!bytes.ok()) return bytes.status();
  const size_t at = bytes->find(from);
  if (at == std::string::npos) return absl::InternalError("transfer syntax not found");
  bytes->replace(at, from.size(), to);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << *bytes;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> WriteMalformed(Malformation kind, const std::string& path) {
  FixtureOptions options;
  options.frames = 3;
  options.sector_px = 64;
  options.colour_flow_region = kind == Malformation::kColourDoppler;
  if (kind == Malformation::kUnsupportedTransferSyntax) {
    options.encoding = FixtureEncoding::kJpegBaseline;
  }
  if (kind == Malformation::kNotDicom) {
    std::ofstream(path) << "this is not a DICOM file\n";
    return std::string("not a DICOM file");
  }
  if (absl::Status s = WriteSyntheticUltrasound(options, path).status(); !s.ok()) return s;
  absl::Status edited;
  switch (kind) {
    case Malformation::kTruncatedFile: {
      const uintmax_t size = std::filesystem::file_size(path);
      std::filesystem::resize_file(path, size * 2 / 3);
      return std::string("truncated");
    }
    case Malformation::kTruncatedPixelData:
      edited = Edit(path, [](DcmDataset* ds) {
        const Uint8* pixels = nullptr;
        unsigned long n = 0;
        ds->findAndGetUint8Array(DCM_PixelData, pixels, &n);
        const std::vector<Uint8> half(pixels, pixels + n / 2);
        ds->putAndInsertUint8Array(DCM_PixelData, half.data(), half.size());
      });
      return edited.ok() ? absl::StatusOr<std::string>("truncated pixel data") : edited;
    case Malformation::kWrongVr:
      edited = Edit(path, [](DcmDataset* ds) {
        auto* rows = new DcmLongString(DcmTag(DCM_Rows, EVR_LO));
        rows->putString("abc");
        ds->insert(rows, OFTrue);
      });
      return edited.ok() ? absl::StatusOr<std::string>("Rows (0028,0010)") : edited;
    case Malformation::kHugeDimensions:
      edited = Edit(path, [](DcmDataset* ds) {
        ds->putAndInsertUint16(DCM_Rows, 65535);
        ds->putAndInsertUint16(DCM_Columns, 65535);
      });
      return edited.ok() ? absl::StatusOr<std::string>("exceeds the limit") : edited;
    case Malformation::kMissingPixelData:
      edited = Edit(path, [](DcmDataset* ds) { delete ds->remove(DCM_PixelData); });
      return edited.ok() ? absl::StatusOr<std::string>("no Pixel Data") : edited;
    case Malformation::kUnsupportedTransferSyntax:
      edited = Relabel(path, "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.90");
      return edited.ok() ? absl::StatusOr<std::string>("is not supported") : edited;
    case Malformation::kColourDoppler:
      return std::string("colour Doppler");
    case Malformation::kNotDicom:
      break;
  }
  return absl::InternalError("unknown malformation");
}

bool Echo(const std::string& ae, int port) {
  if (!InitDicom().ok()) return false;  // also quiets DCMTK's own logging
  DcmSCU scu;
  scu.setAETitle("ECHOSCU");
  scu.setPeerAETitle(ae.c_str());
  scu.setPeerHostName("127.0.0.1");
  scu.setPeerPort(static_cast<Uint16>(port));
  scu.setConnectionTimeout(2);
  OFList<OFString> syntaxes;
  syntaxes.push_back(UID_LittleEndianImplicitTransferSyntax);
  scu.addPresentationContext(UID_VerificationSOPClass, syntaxes);
  if (scu.initNetwork().bad() || scu.negotiateAssociation().bad()) return false;
  const bool ok = scu.sendECHORequest(0).good();
  scu.releaseAssociation();
  return ok;
}

absl::StatusOr<Validation> Validate(const std::string& path) {
  absl::StatusOr<botm::testing::CommandResult> run =
      botm::testing::RunCommand({"/usr/bin/dciodvfy", "-new", path}, absl::Seconds(60));
  if (!run.ok()) return run.status();
  Validation v;
  v.output = run->output;
  for (absl::string_view line : absl::StrSplit(run->output, '\n')) {
    if (absl::StartsWith(line, "Error")) v.errors.emplace_back(line);
    if (absl::StartsWith(line, "Warning")) v.warnings.emplace_back(line);
  }
  return v;
}

}  // namespace botm::dicom::testing
