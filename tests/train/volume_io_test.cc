#include "core/train/volume_io.h"

#include <zlib.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "core/train/real_data.h"
#include "tests/train/test_files.h"

namespace botm::train {
namespace {

using testing::Bytes;
using testing::WriteFile;
using testing::WriteNifti;

class VolumeIoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("botm_volume_io_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string P(const std::string& name) const { return (dir_ / name).string(); }
  std::filesystem::path dir_;
};

TEST_F(VolumeIoTest, ReadsMetaImageWithRawFile) {
  WriteFile(P("img.mhd"),
            "ObjectType = Image\nNDims = 2\nDimSize = 3 2\nElementSpacing = 0.30 0.25\n"
            "ElementType = MET_UCHAR\nElementDataFile = img.raw\n");
  WriteFile(P("img.raw"), Bytes({1, 2, 3, 4, 5, 6}));
  auto v = ReadMetaImage(P("img.mhd"));
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->nx, 3);
  EXPECT_EQ(v->ny, 2);
  EXPECT_EQ(v->nz, 1);
  EXPECT_DOUBLE_EQ(v->spacing_x_mm, 0.30);
  EXPECT_DOUBLE_EQ(v->spacing_y_mm, 0.25);
  cv::Mat m = SliceToLabels(*v, 0);
  ASSERT_EQ(m.rows, 2);
  EXPECT_EQ(m.at<uint8_t>(1, 0), 4);  // row 1, column 0: x fastest in the file
}

TEST_F(VolumeIoTest, ReadsBigEndianShortsAndCompressedData) {
  std::string raw = {'\x01', '\x02', '\xff', '\xfe'};  // 0x0102 = 258, 0xfffe = -2
  std::string z(compressBound(raw.size()), '\0');
  uLongf len = z.size();
  compress(reinterpret_cast<Bytef*>(z.data()), &len, reinterpret_cast<const Bytef*>(raw.data()),
           raw.size());
  z.resize(len);
  WriteFile(P("s.mha"),
            "NDims = 2\nDimSize = 2 1\nElementType = MET_SHORT\nBinaryDataByteOrderMSB = True\n"
            "CompressedData = True\nElementDataFile = LOCAL\n" +
                z);
  auto v = ReadMetaImage(P("s.mha"));
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_FLOAT_EQ(v->data[0], 258.f);
  EXPECT_FLOAT_EQ(v->data[1], -2.f);
}

TEST_F(VolumeIoTest, RejectsTruncatedRawAndUnknownType) {
  WriteFile(P("t.mhd"),
            "NDims = 2\nDimSize = 4 4\nElementType = MET_UCHAR\nElementDataFile = t.raw\n");
  WriteFile(P("t.raw"), Bytes({1, 2, 3}));
  EXPECT_EQ(ReadMetaImage(P("t.mhd")).status().code(), absl::StatusCode::kInvalidArgument);
  WriteFile(P("u.mhd"),
            "NDims = 2\nDimSize = 1 1\nElementType = MET_LONG_LONG\nElementDataFile = t.raw\n");
  EXPECT_EQ(ReadMetaImage(P("u.mhd")).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadMetaImage(P("missing.mhd")).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(VolumeIoTest, ReadsGzippedNifti2D) {
  WriteNifti(P("a.nii.gz"), {3, 2}, {0.2f, 0.4f}, Bytes({0, 1, 2, 3, 2, 1}), 2, true);
  auto v = ReadVolume(P("a.nii.gz"));
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->nx, 3);
  EXPECT_EQ(v->ny, 2);
  EXPECT_NEAR(v->spacing_y_mm, 0.4, 1e-6);
  EXPECT_EQ(SliceToLabels(*v, 0).at<uint8_t>(1, 1), 2);
}

TEST_F(VolumeIoTest, ReadsFloatNiftiWithScaling3D) {
  std::vector<float> f = {1, 2, 3, 4, 5, 6, 7, 8};
  std::string data(reinterpret_cast<const char*>(f.data()), f.size() * 4);
  WriteNifti(P("b.nii"), {2, 2, 2}, {1.f, 1.f, 0.04f}, data, 16, false, 2.f, 1.f);
  auto v = ReadNifti(P("b.nii"));
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->nz, 2);
  EXPECT_FLOAT_EQ(v->data[7], 17.f);  // 8 * 2 + 1
  EXPECT_NEAR(v->spacing_z, 0.04, 1e-6);
}

TEST_F(VolumeIoTest, RejectsBadNiftiMagic) {
  WriteFile(P("c.nii"), std::string(400, '\0'));
  EXPECT_EQ(ReadNifti(P("c.nii")).status().code(), absl::StatusCode::kInvalidArgument);
}

// A 4x4 mask whose LV cavity (label 1) has `lv` pixels.
std::string MaskWithLv(int lv) {
  std::vector<uint8_t> m(16, 2);
  for (int i = 0; i < lv; ++i) m[i] = 1;
  m[15] = 3;
  return Bytes(m);
}

TEST_F(VolumeIoTest, LoadsCamusAndTedFolders) {
  std::filesystem::create_directories(dir_ / "patient0001");
  const std::string pre = P("patient0001/patient0001_4CH");
  WriteNifti(pre + "_ED.nii.gz", {4, 4}, {0.3f, 0.15f}, std::string(16, '\x40'), 2, true);
  WriteNifti(pre + "_ES.nii.gz", {4, 4}, {0.3f, 0.15f}, std::string(16, '\x50'), 2, true);
  WriteNifti(pre + "_ED_gt.nii.gz", {4, 4}, {0.3f, 0.15f}, MaskWithLv(6), 2, true);
  WriteNifti(pre + "_ES_gt.nii.gz", {4, 4}, {0.3f, 0.15f}, MaskWithLv(3), 2, true);
  WriteFile(P("patient0001/Info_4CH.cfg"), "ED: 1\nES: 12\nLVef: 55.5\n");
  std::string seq, gt;
  for (int t = 0; t < 3; ++t)
    seq += std::string(16, static_cast<char>(10 * t)),
        gt += MaskWithLv(5 - 2 * t + (t == 2 ? 3 : 0));
  WriteNifti(pre + "_sequence.nii.gz", {4, 4, 3}, {0.3f, 0.15f, 1.f}, seq, 2, true);
  WriteNifti(pre + "_sequence_gt.nii.gz", {4, 4, 3}, {0.3f, 0.15f, 1.f}, gt, 2, true);
  RealDataOptions o;
  o.resize_width_px = o.resize_height_px = 8;
  auto clips = LoadEchoFolder(dir_.string(), o);
  ASSERT_TRUE(clips.ok()) << clips.status();
  ASSERT_EQ(clips->size(), 2u);
  const LabeledClip& camus = (*clips)[0];
  EXPECT_EQ(camus.images.size(), 2u);
  EXPECT_DOUBLE_EQ(camus.ef_pct, 55.5);
  EXPECT_EQ(camus.images[1].at<uint8_t>(3, 3), 0x50);
  EXPECT_NEAR(camus.spacing_mm_x, 0.15, 1e-6);  // 4 px of 0.3 mm resized to 8 px
  const LabeledClip& ted = (*clips)[1];
  EXPECT_TRUE(ted.dense);
  EXPECT_EQ(ted.images.size(), 3u);
  EXPECT_EQ(ted.ed, 0);  // LV areas 5, 3, 4
  EXPECT_EQ(ted.es, 1);
  EXPECT_EQ(cv::countNonZero(ted.labels[0] == 1), 5 * 4);
}

}  // namespace
}  // namespace botm::train
