// The SEG writer: dciodvfy finds no errors, every frame references its source frame, patient
// and study come from the source with new series/instance UIDs, and the masks read back equal
// the masks written.
#include <gtest/gtest.h>

#include "absl/strings/str_join.h"
#include "client/dicom/seg_writer.h"
#include "client/dicom/us_reader.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcsequen.h"
#include "tests/client/subprocess.h"
#include "tests/dicom/dicom_test_util.h"

namespace botm::dicom {
namespace {

const AlgorithmIdentity kModel = {"botm-test", "1.2", std::string(64, 'a')};

struct Written {
  Fixture fixture;
  UltrasoundClip clip;
  std::vector<cv::Mat> labels;
  DerivedObject seg;
};

Written WriteOne(const std::string& name, FixtureEncoding encoding) {
  Written w;
  FixtureOptions options;
  options.frames = 4;
  options.encoding = encoding;
  const std::string dir = botm::testing::MakeTempDir(name);
  absl::StatusOr<Fixture> fixture = WriteSyntheticUltrasound(options, dir + "/us.dcm");
  EXPECT_TRUE(fixture.ok()) << fixture.status();
  w.fixture = *fixture;
  absl::StatusOr<UltrasoundClip> clip = ReadUltrasoundFile(fixture->path, ReaderOptions());
  EXPECT_TRUE(clip.ok()) << clip.status();
  w.clip = *std::move(clip);
  w.labels = testing::FullSizeLabels(w.fixture, w.clip.rows, w.clip.columns);
  absl::StatusOr<DerivedObject> seg =
      WriteSegmentation(w.clip, w.labels, kModel, CreatorInfo(), dir + "/seg.dcm");
  EXPECT_TRUE(seg.ok()) << seg.status();
  if (seg.ok()) w.seg = *seg;
  return w;
}

std::string Get(DcmItem* item, const DcmTagKey& tag) {
  OFString value;
  item->findAndGetOFStringArray(tag, value);
  return value.c_str();
}

TEST(SegWriter, DciodvfyReportsNoErrors) {
  for (FixtureEncoding encoding :
       {FixtureEncoding::kExplicitLittle, FixtureEncoding::kJpegBaseline}) {
    Written w =
        WriteOne(encoding == FixtureEncoding::kJpegBaseline ? "seg_jpeg" : "seg_native", encoding);
    absl::StatusOr<testing::Validation> v = testing::Validate(w.seg.path);
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_TRUE(v->errors.empty()) << absl::StrJoin(v->errors, "\n") << "\n" << v->output;
    EXPECT_TRUE(v->warnings.empty()) << v->output;
  }
}

TEST(SegWriter, MasksRoundTripAndFramesReferenceTheirSource) {
  Written w = WriteOne("seg_roundtrip", FixtureEncoding::kExplicitLittle);
  absl::StatusOr<std::vector<cv::Mat>> back = ReadSegmentationLabels(w.seg.path);
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), w.labels.size());
  for (size_t i = 0; i < w.labels.size(); ++i) {
    EXPECT_EQ(cv::norm(back->at(i), w.labels[i], cv::NORM_INF), 0) << "frame " << i;
  }
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile(w.seg.path.c_str()).good());
  DcmDataset* ds = file.getDataset();
  EXPECT_EQ(Get(ds, DCM_NumberOfFrames), std::to_string(3 * w.labels.size()));
  EXPECT_EQ(Get(ds, DCM_PatientName), "SENTINEL^BOTMPATIENT");
  EXPECT_EQ(Get(ds, DCM_PatientID), "SENTINEL-PID-0042");
  EXPECT_EQ(Get(ds, DCM_StudyInstanceUID), w.clip.source.study_instance_uid);
  EXPECT_NE(Get(ds, DCM_SeriesInstanceUID), w.clip.source.series_instance_uid);
  EXPECT_EQ(Get(ds, DCM_SOPInstanceUID), w.seg.sop_instance_uid);
  EXPECT_EQ(Get(ds, DCM_FrameOfReferenceUID), "");
  DcmSequenceOfItems* per_frame = nullptr;
  ASSERT_TRUE(ds->findAndGetSequence(DCM_PerFrameFunctionalGroupsSequence, per_frame).good());
  for (unsigned long i = 0; i < per_frame->card(); ++i) {
    DcmItem* derivation = nullptr;
    DcmItem* source = nullptr;
    ASSERT_TRUE(per_frame->getItem(i)
                    ->findAndGetSequenceItem(DCM_DerivationImageSequence, derivation)
                    .good());
    ASSERT_TRUE(derivation->findAndGetSequenceItem(DCM_SourceImageSequence, source).good());
    EXPECT_EQ(Get(source, DCM_ReferencedSOPInstanceUID), w.clip.source.sop_instance_uid);
    EXPECT_EQ(Get(source, DCM_ReferencedFrameNumber), std::to_string(i % w.labels.size() + 1));
  }
  DcmItem* segment = nullptr;
  ASSERT_TRUE(ds->findAndGetSequenceItem(DCM_SegmentSequence, segment, 1).good());
  EXPECT_EQ(Get(segment, DCM_SegmentLabel), "LV myocardium");
  EXPECT_EQ(Get(segment, DCM_SegmentAlgorithmName), "botm-test");
}

}  // namespace
}  // namespace botm::dicom
