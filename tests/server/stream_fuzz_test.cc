// The stream fuzzer (issue 9): seeded mutations of SegmentStream request sequences, sent as raw
// bytes to the real server on loopback (real reactors, codec pool, engine and model). Bounded
// in count (BOTM_STREAM_FUZZ_SEQUENCES, default 300) and time (90 s). Checks, for every
// sequence: the stream ends OK having answered every frame it was sent exactly once, in order,
// then one summary; or it ends with a documented non-OK status having answered a prefix of its
// frames in order and no summary. Afterwards the server still serves and no stream is open.
#include <cstdlib>
#include <map>
#include <random>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "server/botm_server.h"
#include "tests/server/test_calls.h"
#include "tests/server/test_util.h"

namespace botm::server {
namespace {

using Rng = std::mt19937_64;

struct Sequence {
  std::vector<std::string> messages;
  int frames_sent = 0;  // frame messages as built (before byte-level mutations)
  absl::Duration timeout = absl::Seconds(30);
  std::string what;  // the mutations, for failure messages
};

int Uniform(Rng& rng, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }

// Frame images of several kinds: PNG and JPEG of synthetic echo, raw gray, raw 16-bit BGR.
std::vector<v1::Frame> FramePool() {
  std::vector<v1::Frame> pool;
  for (const cv::Mat& m : testing::SyntheticFrames(3, 5)) pool.push_back(testing::PngFrame(m, 0));
  std::vector<uchar> jpg;
  cv::imencode(".jpg", testing::SyntheticFrames(1, 9)[0], jpg);
  pool.emplace_back().set_encoded(std::string(jpg.begin(), jpg.end()));
  v1::Frame raw;
  raw.mutable_raw()->set_width(32);
  raw.mutable_raw()->set_height(24);
  raw.mutable_raw()->set_channels(1);
  raw.mutable_raw()->set_bits_per_sample(8);
  raw.mutable_raw()->set_data(std::string(32 * 24, '\x40'));
  pool.push_back(raw);
  raw.mutable_raw()->set_channels(3);
  raw.mutable_raw()->set_bits_per_sample(16);
  raw.mutable_raw()->set_data(std::string(32 * 24 * 6, '\x10'));
  pool.push_back(raw);
  return pool;
}

// Images that fail: garbage, a truncated PNG, a PNG header announcing a 4096x4096 RGBA 16-bit
// image (a pixel bomb's header), a raw image without its data.
void SpoilImage(Rng& rng, v1::Frame* f) {
  const std::string png = testing::PngFrame(testing::SyntheticFrames(1)[0], 0).encoded();
  switch (Uniform(rng, 0, 3)) {
    case 0:
      f->set_encoded("not an image");
      break;
    case 1:
      f->set_encoded(png.substr(0, png.size() / 2));
      break;
    case 2:
      f->set_encoded(png.substr(0, 16) +
                     std::string("\x00\x00\x10\x00\x00\x00\x10\x00\x10\x06", 10) + png.substr(26));
      break;
    default:
      f->mutable_raw()->set_width(5000);
      f->mutable_raw()->set_height(4000);
      f->mutable_raw()->set_channels(1);
      f->mutable_raw()->set_bits_per_sample(8);
  }
}

v1::StreamConfig RandomConfig(Rng& rng) {
  v1::StreamConfig c;
  c.set_pairing(static_cast<v1::PairingMode>(Uniform(rng, 0, 2)));
  c.set_mask_encoding(static_cast<v1::MaskEncoding>(Uniform(rng, 0, 2)));
  c.set_return_contours(Uniform(rng, 0, 1) == 1);
  c.set_cleanup(Uniform(rng, 0, 1) == 1);
  if (c.pairing() != v1::PAIRING_MODE_NEXT) c.set_overflow(v1::OVERFLOW_POLICY_LATEST_ONLY);
  if (Uniform(rng, 0, 1) == 0) c.set_overflow(v1::OVERFLOW_POLICY_QUEUE);
  c.set_pixel_spacing_mm_x(0.3);
  c.set_pixel_spacing_mm_y(0.3);
  // Live partner offsets 0 (the card's), 1..8, and now and then one that is refused (> 64, or
  // above 1 with PAIRING_MODE_NEXT).
  if (Uniform(rng, 0, 2) == 0) c.set_partner_offset(Uniform(rng, 0, 8));
  if (Uniform(rng, 0, 20) == 0) c.set_partner_offset(Uniform(rng, 65, 1000));
  switch (Uniform(rng, 0, 9)) {  // now and then a config that is refused
    case 0:
      c.set_pairing(static_cast<v1::PairingMode>(7));
      break;
    case 1:
      c.set_pixel_spacing_mm_x(-1);
      break;
    case 2:
      c.set_pairing(v1::PAIRING_MODE_NEXT);
      c.set_overflow(v1::OVERFLOW_POLICY_LATEST_ONLY);
      break;
    default:
      break;
  }
  c.set_view(std::string(Uniform(rng, 0, 300), 'v') + "\n\x1b");
  return c;
}

Sequence Build(Rng& rng, const std::vector<v1::Frame>& pool) {
  Sequence s;
  s.messages.push_back(testing::ConfigReq(RandomConfig(rng)).SerializeAsString());
  const int n = Uniform(rng, 0, 6);
  for (int i = 0; i < n; ++i) {
    v1::Frame f = pool[Uniform(rng, 0, static_cast<int>(pool.size()) - 1)];
    f.set_index(i);
    if (Uniform(rng, 0, 5) == 0) SpoilImage(rng, &f);
    if (Uniform(rng, 0, 15) == 0) f.set_index(Uniform(rng, 0, 9));  // out of order, maybe
    s.messages.push_back(testing::FrameReq(f).SerializeAsString());
  }
  s.frames_sent = n;
  return s;
}

// Byte- and sequence-level mutations; each is noted in s->what.
void Mutate(Rng& rng, Sequence* s) {
  for (int m = Uniform(rng, 0, 2); m > 0; --m) {
    std::vector<std::string>& v = s->messages;
    if (v.empty()) return;
    const int i = Uniform(rng, 0, static_cast<int>(v.size()) - 1);
    switch (Uniform(rng, 0, 7)) {
      case 0:
        v.erase(v.begin() + i);
        s->what += " drop";
        break;
      case 1:
        v.insert(v.begin() + i, v[i]);
        s->what += " repeat";
        break;
      case 2:
        if (i + 1 < static_cast<int>(v.size())) std::swap(v[i], v[i + 1]);
        s->what += " swap";
        break;
      case 3:
        v.insert(v.begin() + i, std::string("\xff\xff\xff", 3));
        s->what += " unparsable";
        break;
      case 4:
        v[i] = v[i].substr(0, v[i].size() / 2);
        s->what += " truncate";
        break;
      case 5:
        if (!v[i].empty()) v[i][Uniform(rng, 0, static_cast<int>(v[i].size()) - 1)] ^= 0x5a;
        s->what += " flip";
        break;
      case 6:
        v.insert(v.begin() + i, std::string());
        s->what += " empty";
        break;
      default:
        s->timeout = absl::Milliseconds(Uniform(rng, 5, 80));
        s->what += " deadline";
    }
  }
}

// The contract (see the file comment); returns a description of a violation, or "".
std::string Violation(const Sequence& s, const testing::RawCallResult& r, bool intact) {
  const grpc::StatusCode code = r.status.error_code();
  uint64_t next = 0;
  bool summary = false;
  for (const std::string& bytes : r.responses) {
    v1::SegmentStreamResponse resp;
    if (!resp.ParseFromString(bytes)) return "a response does not parse";
    if (summary) return "a response after the summary";
    if (resp.has_summary()) {
      summary = true;
      if (resp.summary().frames_received() != next) return "summary count != results";
      continue;
    }
    if (resp.result().index() != next++) return "results out of order or repeated";
    const v1::FrameResult& f = resp.result();
    if (f.has_mask() + f.has_error() + f.dropped() != 1)
      return "not exactly one of mask/error/drop";
  }
  if (code == grpc::StatusCode::OK) {
    if (!summary) return "OK without a summary";
    if (intact && next != static_cast<uint64_t>(s.frames_sent)) return "OK but frames missing";
    return "";
  }
  if (summary) return "a summary on a failed stream";
  static const std::set<grpc::StatusCode> kDocumented = {
      grpc::StatusCode::INVALID_ARGUMENT, grpc::StatusCode::FAILED_PRECONDITION,
      grpc::StatusCode::RESOURCE_EXHAUSTED, grpc::StatusCode::DEADLINE_EXCEEDED,
      grpc::StatusCode::CANCELLED};
  if (kDocumented.count(code) == 0) return "undocumented status " + std::to_string(code);
  if (r.status.error_message().empty()) return "a status without a message";
  return "";
}

TEST(StreamFuzzTest, MutatedSequencesKeepTheStreamContract) {
  BotmServerOptions o = testing::LoopbackOptions(2);
  o.admission.max_streams = 8;
  auto server = testing::StartReady(o);
  ASSERT_NE(server, nullptr);
  const char* env = std::getenv("BOTM_STREAM_FUZZ_SEQUENCES");
  const int sequences = env != nullptr ? std::atoi(env) : 300;
  const absl::Time give_up = absl::Now() + absl::Seconds(90);
  const std::vector<v1::Frame> pool = FramePool();
  auto channel = testing::Connect(server->port());
  Rng rng(20261201);
  std::map<int, int> outcomes;
  int run = 0;
  for (; run < sequences && absl::Now() < give_up; ++run) {
    Sequence s = Build(rng, pool);
    const bool intact = Uniform(rng, 0, 2) != 0;
    if (!intact) Mutate(rng, &s);
    const testing::RawCallResult r = testing::RawStreamCall(
        channel, "/botm.v1.SegmentationService/SegmentStream", s.messages, s.timeout);
    ++outcomes[r.status.error_code()];
    const std::string v = Violation(s, r, intact && s.timeout >= absl::Seconds(30));
    ASSERT_EQ(v, "") << "sequence " << run << " (" << s.messages.size() << " messages," << s.what
                     << "): status " << r.status.error_code() << " " << r.status.error_message();
  }
  std::string summary;
  for (const auto& [code, n] : outcomes)
    summary += " " + std::to_string(code) + ":" + std::to_string(n);
  std::printf("stream fuzz: %d sequences, outcomes (code:count)%s\n", run, summary.c_str());
  EXPECT_GT(outcomes[0], 0);        // some streams succeed
  EXPECT_GT(run - outcomes[0], 0);  // and some fail
  EXPECT_EQ(testing::HealthStatus(channel, ""), "SERVING");
  EXPECT_EQ(testing::WaitForMetric([&] { return server->metrics().Serialize(); },
                                   "botm_active_streams", 0.0, /*exact=*/true),
            0.0);
}

}  // namespace
}  // namespace botm::server
