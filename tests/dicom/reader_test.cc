// Reading DICOM ultrasound: every supported encoding and colour model round-trips the
// synthetic sector exactly (lossless) or closely (JPEG baseline), timing and calibration come
// from the right attributes, and the tissue region crops the sector.
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <gtest/gtest.h>

#include "client/dicom/synthetic_us.h"
#include "client/dicom/us_reader.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcpixel.h"
#include "dcmtk/dcmdata/dcpixseq.h"
#include "tests/client/subprocess.h"

namespace botm::dicom {
namespace {

struct Case {
  const char* name;
  FixtureColour colour;
  FixtureEncoding encoding;
  double max_mean_abs_error;  // per pixel, grey levels (0 = exact)
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class ReaderRoundTrip : public ::testing::TestWithParam<Case> {};

// The grey value of a decoded frame (BGR frames are grey: B = G = R in the sector).
cv::Mat Gray(const cv::Mat& frame) {
  if (frame.channels() == 1) return frame;
  cv::Mat gray;
  cv::cvtColor(frame, gray, cv::COLOR_BGR2GRAY);
  return gray;
}

TEST_P(ReaderRoundTrip, SectorFramesMatchTheSyntheticClip) {
  const Case& c = GetParam();
  FixtureOptions options;
  options.colour = c.colour;
  options.encoding = c.encoding;
  options.frames = 5;
  const std::string path = testing::MakeTempDir(c.name) + "/us.dcm";
  absl::StatusOr<Fixture> fixture = WriteSyntheticUltrasound(options, path);
  ASSERT_TRUE(fixture.ok()) << fixture.status();

  absl::StatusOr<UltrasoundClip> clip = ReadUltrasoundFile(path, ReaderOptions());
  ASSERT_TRUE(clip.ok()) << clip.status();
  ASSERT_EQ(clip->frames.size(), 5u);
  EXPECT_EQ(clip->frames[0].channels(), c.colour == FixtureColour::kRgb ? 3 : 1);
  EXPECT_TRUE(clip->has_region);
  EXPECT_EQ(clip->region, fixture->region);
  EXPECT_EQ(clip->source.sop_instance_uid, fixture->sop_instance_uid);
  EXPECT_EQ(clip->source.study_instance_uid, fixture->study_instance_uid);
  for (size_t i = 0; i < clip->frames.size(); ++i) {
    const cv::Mat sector = Gray(clip->frames[i])(clip->region);
    const double error = cv::norm(sector, fixture->sector_frames[i], cv::NORM_L1) /
                         static_cast<double>(sector.total());
    EXPECT_LE(error, c.max_mean_abs_error) << "frame " << i;
  }
  // The margins hold the annotation marks, outside the region.
  EXPECT_GT(cv::countNonZero(Gray(clip->frames[0])(cv::Rect(0, 0, clip->region.x, 10))), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Encodings, ReaderRoundTrip,
    ::testing::Values(
        Case{"mono_explicit", FixtureColour::kMonochrome2, FixtureEncoding::kExplicitLittle, 0},
        Case{"mono_implicit", FixtureColour::kMonochrome2, FixtureEncoding::kImplicitLittle, 0},
        Case{"mono_rle", FixtureColour::kMonochrome2, FixtureEncoding::kRle, 0},
        Case{"mono_jpeg_lossless", FixtureColour::kMonochrome2, FixtureEncoding::kJpegLossless, 0},
        Case{"mono_jpeg_baseline", FixtureColour::kMonochrome2, FixtureEncoding::kJpegBaseline, 4},
        Case{"rgb_explicit", FixtureColour::kRgb, FixtureEncoding::kExplicitLittle, 0},
        Case{"rgb_rle", FixtureColour::kRgb, FixtureEncoding::kRle, 0},
        Case{"ybr422_jpeg_baseline", FixtureColour::kRgb, FixtureEncoding::kJpegBaseline, 6}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

TEST(Reader, JpegBaselineColourIsYbrFull422OneFragmentPerFrame) {
  FixtureOptions options;
  options.colour = FixtureColour::kRgb;
  options.encoding = FixtureEncoding::kJpegBaseline;
  options.frames = 3;
  const std::string path = testing::MakeTempDir("ybr") + "/us.dcm";
  ASSERT_TRUE(WriteSyntheticUltrasound(options, path).ok());
  absl::StatusOr<UltrasoundClip> clip = ReadUltrasoundFile(path, ReaderOptions());
  ASSERT_TRUE(clip.ok()) << clip.status();
  EXPECT_EQ(clip->source.photometric, "YBR_FULL_422");
  EXPECT_EQ(clip->source.transfer_syntax_uid, "1.2.840.10008.1.2.4.50");
  EXPECT_TRUE(clip->source.lossy);
  // The Basic Offset Table item, then exactly one fragment per frame.
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile(path.c_str()).good());
  DcmElement* element = nullptr;
  ASSERT_TRUE(file.getDataset()->findAndGetElement(DCM_PixelData, element).good());
  DcmPixelSequence* fragments = nullptr;
  const DcmRepresentationParameter* param = nullptr;
  ASSERT_TRUE(static_cast<DcmPixelData*>(element)
                  ->getEncapsulatedRepresentation(EXS_JPEGProcess1, param, fragments)
                  .good());
  EXPECT_EQ(fragments->card(), 1u + 3u);
}

TEST(Reader, CalibrationFromTheTissueRegionInMillimetres) {
  FixtureOptions options;
  const std::string dir = testing::MakeTempDir("calibration");
  absl::StatusOr<Fixture> fixture = WriteSyntheticUltrasound(options, dir + "/cal.dcm");
  ASSERT_TRUE(fixture.ok());
  absl::StatusOr<UltrasoundClip> clip = ReadUltrasoundFile(dir + "/cal.dcm", ReaderOptions());
  ASSERT_TRUE(clip.ok()) << clip.status();
  EXPECT_NEAR(clip->calibration.spacing_mm_x, fixture->spacing_mm, 1e-9);
  EXPECT_NEAR(clip->calibration.spacing_mm_y, fixture->spacing_mm, 1e-9);

  options.calibrated = false;  // units "none": the region still crops, but no mm values
  ASSERT_TRUE(WriteSyntheticUltrasound(options, dir + "/uncal.dcm").ok());
  clip = ReadUltrasoundFile(dir + "/uncal.dcm", ReaderOptions());
  ASSERT_TRUE(clip.ok());
  EXPECT_FALSE(clip->calibration.known());
  EXPECT_TRUE(clip->has_region);

  options.regions = false;  // no regions: whole image, no calibration
  ASSERT_TRUE(WriteSyntheticUltrasound(options, dir + "/none.dcm").ok());
  clip = ReadUltrasoundFile(dir + "/none.dcm", ReaderOptions());
  ASSERT_TRUE(clip.ok());
  EXPECT_FALSE(clip->has_region);
  EXPECT_FALSE(clip->calibration.known());
  EXPECT_EQ(clip->region, cv::Rect(0, 0, clip->columns, clip->rows));
}

TEST(Reader, FrameTimingFromEachAttribute) {
  const std::string dir = testing::MakeTempDir("timing");
  struct T {
    FixtureTiming timing;
    const char* source;
  };
  for (const T& t : {T{FixtureTiming::kFrameTime, "FrameTime"},
                     T{FixtureTiming::kFrameTimeVector, "FrameTimeVector"},
                     T{FixtureTiming::kCineRate, "CineRate"}, T{FixtureTiming::kNone, "none"}}) {
    FixtureOptions options;
    options.timing = t.timing;
    options.frames = 4;
    const std::string path = dir + "/" + t.source + ".dcm";
    absl::StatusOr<Fixture> fixture = WriteSyntheticUltrasound(options, path);
    ASSERT_TRUE(fixture.ok());
    absl::StatusOr<UltrasoundClip> clip = ReadUltrasoundFile(path, ReaderOptions());
    ASSERT_TRUE(clip.ok()) << clip.status();
    EXPECT_EQ(clip->timing_source, t.source);
    ASSERT_EQ(clip->timestamps_us.size(), 4u);
    EXPECT_EQ(clip->timestamps_us[0], 0);
    if (t.timing == FixtureTiming::kNone) {
      EXPECT_EQ(clip->frame_rate_hz, 0);
      EXPECT_EQ(clip->timestamps_us[3], 0);
      continue;
    }
    // Cine Rate is an integer: the fixture rounds the clip's frame rate.
    const double fps =
        t.timing == FixtureTiming::kCineRate ? std::round(fixture->fps) : fixture->fps;
    EXPECT_NEAR(clip->frame_rate_hz, fps, 1e-3 * fps) << t.source;
    EXPECT_NEAR(clip->timestamps_us[3], 3e6 / fps, 2.0) << t.source;
  }
}

// Rewrites a native MONOCHROME2 fixture in place: MONOCHROME1 and/or 12 bits in 16.
void Rewrite(const std::string& path, bool monochrome1, bool twelve_bits) {
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile(path.c_str()).good());
  file.loadAllDataIntoMemory();  // the same path is written below
  DcmDataset* ds = file.getDataset();
  if (monochrome1) ds->putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME1");
  if (twelve_bits) {
    const Uint8* bytes = nullptr;
    unsigned long n = 0;
    ASSERT_TRUE(ds->findAndGetUint8Array(DCM_PixelData, bytes, &n).good());
    std::vector<Uint16> words(bytes, bytes + n);
    for (Uint16& w : words) w = static_cast<Uint16>(w * 16 + 0xF000);  // junk above bit 11
    ds->putAndInsertUint16(DCM_BitsAllocated, 16);
    ds->putAndInsertUint16(DCM_BitsStored, 12);
    ds->putAndInsertUint16(DCM_HighBit, 11);
    ASSERT_TRUE(ds->putAndInsertUint16Array(DCM_PixelData, words.data(), words.size()).good());
  }
  ASSERT_TRUE(file.saveFile(path.c_str(), EXS_LittleEndianExplicit).good());
}

TEST(Reader, Monochrome1IsInvertedAndHighBitsAreMasked) {
  const std::string dir = testing::MakeTempDir("mono1");
  FixtureOptions options;
  options.frames = 2;
  absl::StatusOr<Fixture> fixture = WriteSyntheticUltrasound(options, dir + "/a.dcm");
  ASSERT_TRUE(fixture.ok());
  Rewrite(fixture->path, /*monochrome1=*/true, /*twelve_bits=*/false);
  absl::StatusOr<UltrasoundClip> clip = ReadUltrasoundFile(fixture->path, ReaderOptions());
  ASSERT_TRUE(clip.ok()) << clip.status();
  cv::Mat inverted;
  cv::bitwise_not(fixture->sector_frames[1], inverted);
  EXPECT_EQ(cv::norm(clip->frames[1](clip->region), inverted, cv::NORM_INF), 0);

  ASSERT_TRUE(WriteSyntheticUltrasound(options, dir + "/b.dcm").ok());
  Rewrite(dir + "/b.dcm", /*monochrome1=*/false, /*twelve_bits=*/true);
  clip = ReadUltrasoundFile(dir + "/b.dcm", ReaderOptions());
  ASSERT_TRUE(clip.ok()) << clip.status();
  ASSERT_EQ(clip->frames[0].type(), CV_16UC1);
  cv::Mat expected;
  fixture->sector_frames[0].convertTo(expected, CV_16UC1, 16);
  EXPECT_EQ(cv::norm(clip->frames[0](clip->region), expected, cv::NORM_INF), 0);
}

TEST(Reader, SingleFrameUltrasoundImage) {
  FixtureOptions options;
  options.multiframe = false;
  const std::string path = testing::MakeTempDir("single") + "/us.dcm";
  ASSERT_TRUE(WriteSyntheticUltrasound(options, path).ok());
  absl::StatusOr<UltrasoundClip> clip = ReadUltrasoundFile(path, ReaderOptions());
  ASSERT_TRUE(clip.ok()) << clip.status();
  EXPECT_EQ(clip->frames.size(), 1u);
  EXPECT_EQ(clip->source.sop_class_uid, "1.2.840.10008.5.1.4.1.1.6.1");
}

}  // namespace
}  // namespace botm::dicom
