// Tests of the torch-free Segmenter over an untrained (seeded) checkpoint.
#include "core/model/segmenter.h"

#include <functional>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "core/model/model_card.h"
#include "core/model/model_factory.h"

namespace botm {
namespace {

// One shared segmenter: loading costs more than the tests themselves.
class SegmenterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    path_ = new std::string(::testing::TempDir() + "/seg_tiny.pt");
    ModelConfig config;
    config.input_size = 64;
    ASSERT_TRUE(CreateInitialCheckpoint(config, 11, *path_).ok());
    SegmenterOptions options;
    options.model_path = *path_;
    options.device = Device::kCpu;
    options.intra_op_threads = 1;  // 2 cores are shared with builds; spinning OpenMP hurts
    options.return_transport_plan = true;
    auto seg = Segmenter::Create(options);
    ASSERT_TRUE(seg.ok()) << seg.status();
    segmenter_ = seg->release();
  }
  static void TearDownTestSuite() {
    delete segmenter_;
    delete path_;
  }

  // A moving bright ellipse on noise, deterministic.
  static cv::Mat Frame(int t, cv::Size size = cv::Size(97, 83)) {
    cv::Mat img(size, CV_8UC1);
    cv::randu(img, 0, 60);
    cv::ellipse(img, cv::Point(40 + t, 40), cv::Size(20, 30 - t), 10.0, 0, 360, cv::Scalar(200),
                -1);
    return img;
  }

  // Each frame of `whole` equals frame t decoded alone with partner_of(t); the frames are
  // encoded one by one, as SegmentClip does with batch_size 1 (batching may round differently).
  static void ExpectDecodedWith(const std::vector<cv::Mat>& clip,
                                const std::vector<FrameOutput>& whole,
                                const std::function<int(int)>& partner_of) {
    std::vector<EncodedFramePtr> encoded;
    for (const cv::Mat& frame : clip) {
      auto e = segmenter_->Encode({frame});
      ASSERT_TRUE(e.ok());
      encoded.push_back((*e)[0]);
    }
    ASSERT_EQ(whole.size(), clip.size());
    for (int t = 0; t < static_cast<int>(clip.size()); ++t) {
      auto one = segmenter_->Segment({clip[t]}, {encoded[partner_of(t)]});
      ASSERT_TRUE(one.ok());
      EXPECT_EQ(cv::countNonZero((*one)[0].labels != whole[t].labels), 0) << t;
      EXPECT_EQ((*one)[0].uncertainty, whole[t].uncertainty) << t;
    }
  }

  static std::string* path_;
  static Segmenter* segmenter_;
};
std::string* SegmenterTest::path_ = nullptr;
Segmenter* SegmenterTest::segmenter_ = nullptr;

TEST_F(SegmenterTest, InfoDescribesTheModel) {
  const ModelInfo& info = segmenter_->info();
  EXPECT_EQ(info.variant, "tiny");
  EXPECT_EQ(info.input_size, 64);
  EXPECT_EQ(info.device, "cpu");
  EXPECT_EQ(info.weights_sha256.size(), 64u);
  EXPECT_EQ(info.class_names.size(), 4u);
  EXPECT_GT(info.num_parameters, 1000000);
  EXPECT_FALSE(info.blas.empty());
  std::printf("BLAS: %s\n", info.blas.c_str());
}

TEST_F(SegmenterTest, LabelsHaveTheInputSizeForAllPixelFormats) {
  cv::Mat gray8 = Frame(0), gray16, bgr, bgra;
  gray8.convertTo(gray16, CV_16U, 257.0);
  cv::cvtColor(gray8, bgr, cv::COLOR_GRAY2BGR);
  cv::cvtColor(gray8, bgra, cv::COLOR_GRAY2BGRA);
  const std::vector<cv::Mat> images = {gray8, gray16, bgr, bgra};
  auto out = segmenter_->Segment(images, {});
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 4u);
  for (const FrameOutput& o : *out) {
    EXPECT_EQ(o.labels.size(), cv::Size(97, 83));
    EXPECT_EQ(o.labels.type(), CV_8UC1);
    double max_label = 0;
    cv::minMaxLoc(o.labels, nullptr, &max_label);
    EXPECT_LE(max_label, 3.0);
    EXPECT_GE(o.uncertainty, 0.0f);
    EXPECT_LE(o.uncertainty, 1.0f);
    EXPECT_EQ(o.plan_grid, cv::Size(2, 2));  // stage 4 at 64 px
    EXPECT_EQ(o.transport_plan.size(), 16u);
  }
  // 8-bit and the same picture in 16 bit / BGR give the same labels.
  EXPECT_EQ(cv::countNonZero((*out)[0].labels != (*out)[1].labels), 0);
  EXPECT_EQ(cv::countNonZero((*out)[0].labels != (*out)[2].labels), 0);
}

TEST_F(SegmenterTest, BadImagesAreRejectedByIndex) {
  const std::vector<cv::Mat> images = {Frame(0), cv::Mat(4, 4, CV_8UC1, cv::Scalar(1))};
  auto out = segmenter_->Encode(images);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(out.status().message()).find("image 1"), std::string::npos);
  const std::vector<cv::Mat> floats = {cv::Mat(32, 32, CV_32FC1, cv::Scalar(0.5))};
  EXPECT_FALSE(segmenter_->Encode(floats).ok());
}

TEST_F(SegmenterTest, SegmentPairsEqualSegmentClip) {
  std::vector<cv::Mat> clip;
  for (int t = 0; t < 4; ++t) clip.push_back(Frame(t));
  for (auto pairing : {Segmenter::Pairing::kPrevious, Segmenter::Pairing::kNext}) {
    auto whole = segmenter_->SegmentClip(clip, pairing, /*batch_size=*/1);
    ASSERT_TRUE(whole.ok()) << whole.status();
    ExpectDecodedWith(clip, *whole, [pairing](int t) {
      return pairing == Segmenter::Pairing::kPrevious ? std::max(t - 1, 0)
                                                      : (t < 3 ? t + 1 : t - 1);
    });
  }
}

// Live pairing with partner_offset K: frame t with t-K, frames before K with frame 0; the
// untrained card's default is 1; next refuses an offset; out-of-range offsets are refused.
TEST_F(SegmenterTest, PartnerOffsetPairsWithTheFrameKBefore) {
  EXPECT_EQ(segmenter_->info().partner_offset, 1);
  std::vector<cv::Mat> clip;
  for (int t = 0; t < 6; ++t) clip.push_back(Frame(t));
  // Batch size 1, as the frames are encoded below (batching may round differently).
  auto whole = segmenter_->SegmentClip(clip, Segmenter::Pairing::kPrevious, 1, 3);
  ASSERT_TRUE(whole.ok()) << whole.status();
  ExpectDecodedWith(clip, *whole, [](int t) { return t >= 3 ? t - 3 : 0; });
  // Offset 0 is the card's (1 here): the adjacent pairing.
  auto card = segmenter_->SegmentClip(clip, Segmenter::Pairing::kPrevious, 1, 0);
  auto adjacent = segmenter_->SegmentClip(clip, Segmenter::Pairing::kPrevious, 1, 1);
  ASSERT_TRUE(card.ok() && adjacent.ok());
  for (int t = 0; t < 6; ++t) EXPECT_EQ((*card)[t].uncertainty, (*adjacent)[t].uncertainty) << t;
  EXPECT_NE((*whole)[4].uncertainty, (*adjacent)[4].uncertainty);  // t-3 is not t-1
  for (int bad : {-1, kMaxPartnerOffset + 1}) {
    EXPECT_EQ(segmenter_->SegmentClip(clip, Segmenter::Pairing::kPrevious, 1, bad).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
  const auto next = segmenter_->SegmentClip(clip, Segmenter::Pairing::kNext, 1, 2);
  EXPECT_EQ(next.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(next.status().message()).find("partner_offset"), std::string::npos);
}

TEST_F(SegmenterTest, BatchedClipMatchesUnbatchedAndIsDeterministic) {
  std::vector<cv::Mat> clip;
  for (int t = 0; t < 4; ++t) clip.push_back(Frame(t, cv::Size(120, 100)));
  auto single = segmenter_->SegmentClip(clip, Segmenter::Pairing::kPrevious, 1);
  auto batched = segmenter_->SegmentClip(clip, Segmenter::Pairing::kPrevious, 3);
  auto again = segmenter_->SegmentClip(clip, Segmenter::Pairing::kPrevious, 3);
  ASSERT_TRUE(single.ok() && batched.ok() && again.ok());
  for (int t = 0; t < 4; ++t) {
    const int differ = cv::countNonZero((*single)[t].labels != (*batched)[t].labels);
    EXPECT_LE(differ, 12) << t;  // batched GEMMs may round differently at ties
    EXPECT_EQ(cv::countNonZero((*batched)[t].labels != (*again)[t].labels), 0) << t;
  }
}

TEST_F(SegmenterTest, CreateRejectsBadModels) {
  SegmenterOptions options;
  options.model_path = ::testing::TempDir() + "/does_not_exist.pt";
  options.device = Device::kCpu;
  auto missing = Segmenter::Create(options);
  ASSERT_FALSE(missing.ok());
  // A missing model is reported as such (it used to say that the model card was missing).
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("does_not_exist.pt"), std::string::npos);
  EXPECT_EQ(missing.status().message().find("card"), std::string::npos) << missing.status();
  options.model_path = *path_;
  options.device = Device::kCuda;
  auto cuda = Segmenter::Create(options);
  if (cuda.ok()) {
    EXPECT_EQ((*cuda)->info().device, "cuda:0");  // a GPU is visible
  } else {
    EXPECT_EQ(cuda.status().code(), absl::StatusCode::kUnavailable) << cuda.status();
  }
}

// A checkpoint with the sector-crop + rank input policy: black padding around the frame changes
// nothing inside it (the crop removes it) and is labelled background.
TEST(SegmenterPolicyTest, PaddingAroundTheSectorChangesNothingInside) {
  const std::string path = ::testing::TempDir() + "/seg_policy.pt";
  ModelConfig config;
  config.input_size = 64;
  config.crop_sector = true;
  config.input_norm = "rank";
  ASSERT_TRUE(CreateInitialCheckpoint(config, 5, path).ok());
  SegmenterOptions options;
  options.model_path = path;
  options.device = Device::kCpu;
  options.intra_op_threads = 1;
  auto seg = Segmenter::Create(options);
  ASSERT_TRUE(seg.ok()) << seg.status();
  cv::Mat frame(90, 110, CV_8UC1);
  cv::randu(frame, 20, 200);
  cv::ellipse(frame, cv::Point(50, 45), cv::Size(20, 30), 0, 0, 360, cv::Scalar(15), -1);
  cv::Mat padded(200, 240, CV_8UC1, cv::Scalar(0));
  const cv::Rect inside(70, 40, 110, 90);
  frame.copyTo(padded(inside));
  auto out = (*seg)->Segment(std::vector<cv::Mat>{frame, padded}, {});
  ASSERT_TRUE(out.ok()) << out.status();
  const cv::Mat& plain = (*out)[0].labels;
  const cv::Mat& in_padded = (*out)[1].labels;
  ASSERT_EQ(in_padded.size(), padded.size());
  EXPECT_EQ(cv::countNonZero(in_padded(inside) != plain), 0);
  cv::Mat outside = in_padded.clone();
  outside(inside).setTo(0);
  EXPECT_EQ(cv::countNonZero(outside), 0);
  // The untrained network does label something, so the comparison above is not vacuous.
  EXPECT_GT(cv::countNonZero(plain), 0);
}

}  // namespace
}  // namespace botm
