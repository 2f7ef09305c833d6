// The TID 1500 measurement report: dciodvfy finds no errors; the document holds the LV areas
// at ED and ES and the EF with its method, references the source frames, and carries the
// research-use marking and the model identity.
#include <map>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "client/dicom/sr_writer.h"
#include "client/dicom/us_reader.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmsr/dsrdoc.h"
#include "tests/client/subprocess.h"
#include "tests/dicom/dicom_test_util.h"

namespace botm::dicom {
namespace {

struct Report {
  std::map<std::string, std::string> numbers;  // concept meaning -> "value unit"
  std::vector<std::string> texts;
};

// Walks the document tree and collects NUM and TEXT content items.
Report ReadReport(const std::string& path) {
  Report r;
  DcmFileFormat file;
  EXPECT_TRUE(file.loadFile(path.c_str()).good());
  DSRDocument doc;
  EXPECT_TRUE(doc.read(*file.getDataset()).good());
  DSRDocumentTree& tree = doc.getTree();
  if (tree.gotoRoot() == 0) return r;
  do {
    DSRContentItem& item = tree.getCurrentContentItem();
    if (item.getValueType() == DSRTypes::VT_Num) {
      std::string key = item.getConceptName().getCodeMeaning().c_str();
      if (r.numbers.count(key)) key += "#2";
      const DSRNumericMeasurementValue& num = item.getNumericValue();
      r.numbers[key] = std::string(num.getNumericValue().c_str()) + " " +
                       num.getMeasurementUnit().getCodeValue().c_str();
    } else if (item.getValueType() == DSRTypes::VT_Text) {
      r.texts.push_back(item.getStringValue().c_str());
    }
  } while (tree.iterate() > 0);
  return r;
}

TEST(SrWriter, ReportsAreasAndEjectionFractionAndValidates) {
  FixtureOptions options;
  options.frames = 10;
  options.encoding = FixtureEncoding::kJpegBaseline;
  const std::string dir = botm::testing::MakeTempDir("sr");
  absl::StatusOr<Fixture> fixture = WriteSyntheticUltrasound(options, dir + "/us.dcm");
  ASSERT_TRUE(fixture.ok());
  absl::StatusOr<UltrasoundClip> clip = ReadUltrasoundFile(fixture->path, ReaderOptions());
  ASSERT_TRUE(clip.ok());
  const ClipSegmentation truth = testing::TruthSegmentation(*fixture, *clip, 57.25);
  ASSERT_TRUE(CanWriteMeasurementReport(truth));
  absl::StatusOr<DerivedObject> sr =
      WriteMeasurementReport(*clip, truth, CreatorInfo(), dir + "/sr.dcm");
  ASSERT_TRUE(sr.ok()) << sr.status();

  absl::StatusOr<testing::Validation> v = testing::Validate(sr->path);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->errors.empty()) << absl::StrJoin(v->errors, "\n") << "\n" << v->output;
  EXPECT_TRUE(v->warnings.empty()) << v->output;

  const Report report = ReadReport(sr->path);
  ASSERT_EQ(report.numbers.count("Area"), 1u) << report.numbers.size();
  char ed[32];
  std::snprintf(ed, sizeof(ed), "%.1f", truth.area_mm2[truth.ef_ed_frame][1]);
  EXPECT_EQ(report.numbers.at("Area"), std::string(ed) + " mm2");
  EXPECT_EQ(report.numbers.count("Area#2"), 1u);
  EXPECT_EQ(report.numbers.at("Left ventricular Ejection fraction"), "57.2 %");
  bool marked = false;
  for (const std::string& t : report.texts) {
    marked = marked || (absl::StrContains(t, "RESEARCH USE ONLY") &&
                        absl::StrContains(t, truth.model.weights_sha256));
  }
  EXPECT_TRUE(marked);
}

TEST(SrWriter, NoReportWithoutCalibration) {
  ClipSegmentation result;
  result.has_ejection_fraction = true;
  result.ef_ed_frame = 0;
  result.ef_es_frame = 1;
  result.area_mm2.resize(2);
  EXPECT_FALSE(CanWriteMeasurementReport(result));  // calibrated = false
  result.calibrated = true;
  EXPECT_TRUE(CanWriteMeasurementReport(result));
}

}  // namespace
}  // namespace botm::dicom
