// Units without the model: frame decoding and its per-frame errors, session config and frame
// order, admission control, status mapping, metrics exposition.
#include <gtest/gtest.h>

#include "core/common/classes.h"
#include "core/image/image_codec.h"
#include "core/model/model_card.h"
#include "google/rpc/error_details.pb.h"
#include "server/admission.h"
#include "server/frame_codec.h"
#include "server/server_metrics.h"
#include "server/session.h"
#include "server/status_util.h"
#include "tests/server/test_util.h"

namespace botm::server {
namespace {

ModelInfo Info() {
  ModelInfo i;
  i.name = "botm";
  i.version = "t";
  i.weights_sha256 = "abc";
  i.class_names.assign(kClassNames.begin(), kClassNames.end());
  return i;
}

TEST(FrameCodecTest, DecodesPngAndRaw) {
  cv::Mat img(16, 20, CV_8UC1, cv::Scalar(7));
  auto png = DecodeFrameImage(testing::PngFrame(img, 0), {});
  ASSERT_TRUE(png.ok()) << png.status();
  EXPECT_EQ(png->size(), img.size());
  v1::Frame raw;
  raw.mutable_raw()->set_width(20);
  raw.mutable_raw()->set_height(16);
  raw.mutable_raw()->set_channels(1);
  raw.mutable_raw()->set_bits_per_sample(8);
  raw.mutable_raw()->set_data(std::string(320, '\x07'));
  auto r = DecodeFrameImage(raw, {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(cv::countNonZero(*r != img), 0);
}

TEST(FrameCodecTest, BadFramesAreInvalidArgument) {
  v1::Frame garbage;
  garbage.set_encoded("not an image at all");
  EXPECT_EQ(DecodeFrameImage(garbage, {}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeFrameImage(v1::Frame(), {}).status().code(), absl::StatusCode::kInvalidArgument);
  v1::Frame zero;
  zero.mutable_raw()->set_channels(1);
  zero.mutable_raw()->set_bits_per_sample(8);
  EXPECT_EQ(DecodeFrameImage(zero, {}).status().code(), absl::StatusCode::kInvalidArgument);
  v1::Frame two_channels;
  auto* raw = two_channels.mutable_raw();
  raw->set_width(16);
  raw->set_height(16);
  raw->set_channels(2);
  raw->set_bits_per_sample(8);
  raw->set_data(std::string(512, '\0'));
  EXPECT_EQ(DecodeFrameImage(two_channels, {}).status().code(), absl::StatusCode::kInvalidArgument);
  cv::Mat big(64, 64, CV_8UC1, cv::Scalar(1));
  EXPECT_EQ(DecodeFrameImage(testing::PngFrame(big, 0), {1000, 0}).status().code(),
            absl::StatusCode::kInvalidArgument);
  cv::Mat tiny(4, 4, CV_8UC1, cv::Scalar(1));
  EXPECT_EQ(DecodeFrameImage(testing::PngFrame(tiny, 0), {}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(FrameCodecTest, BuildsMaskAreasAndContours) {
  v1::StreamConfig config;
  config.set_mask_encoding(v1::MASK_ENCODING_RLE);
  config.set_return_contours(true);
  config.set_pixel_spacing_mm_x(0.5);
  config.set_pixel_spacing_mm_y(0.5);
  FrameJobResult job;
  job.output.labels = cv::Mat(32, 32, CV_8UC1, cv::Scalar(0));
  job.output.labels(cv::Rect(8, 4, 10, 20)).setTo(1);
  job.batch_size = 1;
  BuiltFrame b = BuildFrameResult(config, Info(), 3, 99, job);
  ASSERT_TRUE(b.segmented);
  EXPECT_EQ(b.result.index(), 3u);
  EXPECT_EQ(b.result.classes(0).area_px(), 200u);
  EXPECT_DOUBLE_EQ(b.result.classes(0).area_mm2(), 50.0);
  EXPECT_EQ(b.result.classes(0).contours_size(), 1);
  EXPECT_EQ(cv::countNonZero(testing::DecodeMask(b.result.mask()) != job.output.labels), 0);
  EXPECT_EQ(b.result.model().weights_sha256(), "abc");
  EXPECT_GT(b.lv_volume_ml, 0.0);
}

TEST(SessionTest, ValidatesConfig) {
  v1::StreamConfig c;
  c.set_model_name("other");
  EXPECT_EQ(Session::Create(c, Info(), {}).status().code(), absl::StatusCode::kInvalidArgument);
  c.set_model_name("botm");
  c.set_pixel_spacing_mm_x(-1);
  EXPECT_EQ(Session::Create(c, Info(), {}).status().code(), absl::StatusCode::kInvalidArgument);
  c.set_pixel_spacing_mm_x(0.3);
  c.set_pairing(static_cast<v1::PairingMode>(42));
  EXPECT_EQ(Session::Create(c, Info(), {}).status().code(), absl::StatusCode::kInvalidArgument);
  c.set_pairing(v1::PAIRING_MODE_NEXT);
  EXPECT_TRUE(Session::Create(c, Info(), {}).ok());
}

// The engine's partner offset: the config's, else the model card's; NEXT always 1; refused
// above kMaxPartnerOffset and above 1 with NEXT.
TEST(SessionTest, PartnerOffsetComesFromTheConfigOrTheModel) {
  ModelInfo model = Info();
  model.partner_offset = 8;
  v1::StreamConfig c;
  auto card = Session::Create(c, model, {});
  ASSERT_TRUE(card.ok());
  EXPECT_EQ((*card)->engine_options().partner_offset, 8);
  EXPECT_EQ((*card)->engine_options().pairing, Segmenter::Pairing::kPrevious);
  c.set_partner_offset(3);
  auto asked = Session::Create(c, model, {});
  ASSERT_TRUE(asked.ok());
  EXPECT_EQ((*asked)->engine_options().partner_offset, 3);
  c.set_partner_offset(kMaxPartnerOffset + 1);
  EXPECT_EQ(Session::Create(c, model, {}).status().code(), absl::StatusCode::kInvalidArgument);
  c.set_pairing(v1::PAIRING_MODE_NEXT);
  c.set_partner_offset(2);
  EXPECT_EQ(Session::Create(c, model, {}).status().code(), absl::StatusCode::kInvalidArgument);
  c.set_partner_offset(0);
  auto next = Session::Create(c, model, {});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ((*next)->engine_options().partner_offset, 1);  // not the card's 8
}

// StreamConfig.partner_interval_ms: frames from the declared rate; the card's interval when
// the stream asks for nothing and declares its rate, the card's frames when it does not; refused
// without a rate, with partner_offset, with NEXT and above kMaxPartnerIntervalMs, naming the
// field.
TEST(SessionTest, PartnerIntervalUsesTheFrameRate) {
  ModelInfo model = Info();
  model.partner_offset = 8;
  v1::StreamConfig c;
  c.set_frame_rate_hz(50);
  c.set_partner_interval_ms(100);
  auto asked = Session::Create(c, model, {});
  ASSERT_TRUE(asked.ok()) << asked.status();
  EXPECT_EQ((*asked)->engine_options().partner_offset, 5);
  model.partner_interval_ms = 200;
  c.set_partner_interval_ms(0);
  auto card = Session::Create(c, model, {});
  ASSERT_TRUE(card.ok());
  EXPECT_EQ((*card)->engine_options().partner_offset, 10);  // 200 ms at 50 frames/s
  c.set_frame_rate_hz(20);
  EXPECT_EQ((*Session::Create(c, model, {}))->engine_options().partner_offset, 4);
  c.set_frame_rate_hz(0);
  EXPECT_EQ((*Session::Create(c, model, {}))->engine_options().partner_offset, 8);
  c.set_frame_rate_hz(50);
  c.set_partner_offset(3);  // frames asked for win over the card's interval
  EXPECT_EQ((*Session::Create(c, model, {}))->engine_options().partner_offset, 3);

  const auto refused = [&](const v1::StreamConfig& bad, const std::string& words) {
    auto s = Session::Create(bad, model, {});
    ASSERT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << words;
    EXPECT_NE(std::string(s.status().message()).find(words), std::string::npos)
        << s.status().message();
    google::rpc::BadRequest request;
    const auto payload = s.status().GetPayload(kBadRequestType);
    ASSERT_TRUE(payload.has_value());
    ASSERT_TRUE(request.ParseFromString(std::string(*payload)));
    ASSERT_EQ(request.field_violations_size(), 1);
    EXPECT_EQ(request.field_violations(0).field(), "config.partner_interval_ms");
  };
  v1::StreamConfig both = c;
  both.set_partner_interval_ms(100);
  refused(both, "not both");
  v1::StreamConfig no_rate;
  no_rate.set_partner_interval_ms(100);
  refused(no_rate, "frame_rate_hz");
  v1::StreamConfig next;
  next.set_pairing(v1::PAIRING_MODE_NEXT);
  next.set_frame_rate_hz(50);
  next.set_partner_interval_ms(100);
  refused(next, "PAIRING_MODE_PREVIOUS");
  v1::StreamConfig far;
  far.set_frame_rate_hz(50);
  far.set_partner_interval_ms(kMaxPartnerIntervalMs + 1);
  refused(far, "at most");
  far.set_partner_interval_ms(kMaxPartnerIntervalMs);  // 100 frames: clamped to 64
  auto clamped = Session::Create(far, model, {});
  ASSERT_TRUE(clamped.ok());
  EXPECT_EQ((*clamped)->engine_options().partner_offset, kMaxPartnerOffset);
}

TEST(SessionTest, FrameOrderAndLimit) {
  SessionOptions o;
  o.max_frames_per_clip = 2;
  auto s = Session::Create(v1::StreamConfig(), Info(), o);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->AcceptFrameIndex(1).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE((*s)->AcceptFrameIndex(0).ok());
  EXPECT_TRUE((*s)->AcceptFrameIndex(1).ok());
  EXPECT_EQ((*s)->AcceptFrameIndex(2).code(), absl::StatusCode::kResourceExhausted);
}

TEST(SessionTest, DetectsPhasesOnlineAndSummarisesEf) {
  v1::StreamConfig c;
  c.set_pixel_spacing_mm_x(1);
  c.set_pixel_spacing_mm_y(1);
  auto s = Session::Create(c, Info(), {});
  ASSERT_TRUE(s.ok());
  int phases = 0;
  for (int t = 0; t < 40; ++t) {
    BuiltFrame b;
    b.segmented = true;
    b.lv_area_px = 1000 + 300 * std::cos(2 * M_PI * t / 20.0);  // ED at 0, 20; ES at 10, 30
    b.lv_volume_ml = b.lv_area_px / 10;
    (*s)->Record(&b);
    if (b.result.phase() != v1::CARDIAC_PHASE_UNSPECIFIED) {
      ++phases;
      EXPECT_LT(b.result.phase_frame_index(), static_cast<uint64_t>(t));
    }
  }
  EXPECT_GE(phases, 2);
  const v1::ClipSummary sum = (*s)->Summary();
  EXPECT_EQ(sum.frames_segmented(), 40u);
  EXPECT_EQ(sum.lv_area_px_size(), 40);
  ASSERT_TRUE(sum.has_ejection_fraction());
  EXPECT_NEAR(sum.ejection_fraction_pct(), 100.0 * 600 / 1300, 3.0);
}

TEST(AdmissionTest, LimitsStreamsAndLoad) {
  AdmissionOptions o;
  o.max_streams = 2;
  o.capacity_frames_per_second = 50;
  AdmissionController a(o);
  auto t1 = a.AdmitStream();
  ASSERT_TRUE(t1.ok());
  EXPECT_TRUE(a.AdmitLoad(t1->get(), 30).ok());
  auto t2 = a.AdmitStream();
  ASSERT_TRUE(t2.ok());
  EXPECT_EQ(a.AdmitLoad(t2->get(), 30).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(a.AdmitStream().status().code(), absl::StatusCode::kResourceExhausted);
  t1->reset();
  EXPECT_EQ(a.active_streams(), 1);
  EXPECT_TRUE(a.AdmitLoad(t2->get(), 30).ok());
}

TEST(StatusUtilTest, MapsCodesOneToOne) {
  EXPECT_EQ(ToGrpcStatus(absl::FailedPreconditionError("x")).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ToGrpcStatus(absl::OutOfRangeError("x")).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ToGrpcStatus(absl::ResourceExhaustedError("m")).error_message(), "m");
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

TEST(ServerMetricsTest, ExposesTheContractNames) {
  ServerMetricsOptions o;
  o.port = 0;
  auto m = ServerMetrics::Create(o);
  ASSERT_TRUE(m.ok());
  (*m)->CountFrame(FrameOutcome::kDropped);
  (*m)->ObservePhase(Phase::kQueue, 0.01);
  const std::string text = (*m)->Serialize();
  EXPECT_EQ(testing::MetricValue(text, "botm_frames_total{outcome=\"dropped\"}"), 1.0);
  EXPECT_NE(text.find("botm_phase_latency_seconds_bucket{phase=\"queue\""), std::string::npos);
  EXPECT_NE(text.find("botm_streams_total{outcome=\"rejected\"}"), std::string::npos);
  EXPECT_NE(text.find("botm_batch_size"), std::string::npos);
}

}  // namespace
}  // namespace botm::server
