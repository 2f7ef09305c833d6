#include "tests/server/fake_segmenter.h"

#include "absl/strings/str_cat.h"
#include "core/common/classes.h"

namespace botm::server::testing {
namespace {

class FakeEncoded : public EncodedFrame {
 public:
  FakeEncoded(int tag, cv::Size size) : tag_(tag), size_(size) {}
  cv::Size original_size() const override { return size_; }
  int tag() const { return tag_; }

 private:
  const int tag_;
  const cv::Size size_;
};

int TagOf(const cv::Mat& m) { return m.depth() == CV_8U ? m.data[0] : m.ptr<uint16_t>(0)[0]; }

}  // namespace

FakeSegmenter::FakeSegmenter() {
  info_.name = "fake";
  info_.version = "1";
  info_.variant = "fake";
  info_.input_size = 16;
  info_.class_names.assign(kClassNames.begin(), kClassNames.end());
  info_.weights_sha256 = std::string(64, '0');
  info_.device = "cpu";
}

absl::StatusOr<std::vector<EncodedFramePtr>> FakeSegmenter::Encode(
    absl::Span<const cv::Mat> images) {
  ++encode_calls_;
  if (gated_) gate_.WaitForNotification();
  std::vector<EncodedFramePtr> out;
  for (size_t i = 0; i < images.size(); ++i) {
    const int tag = TagOf(images[i]);
    if (tag == kFailingTag) {
      return absl::InvalidArgumentError(absl::StrCat("image ", i, " has the failing tag"));
    }
    out.push_back(std::make_shared<FakeEncoded>(tag, images[i].size()));
  }
  return out;
}

absl::StatusOr<std::vector<FrameOutput>> FakeSegmenter::Decode(
    absl::Span<const DecodeRequest> requests) {
  std::vector<FrameOutput> out;
  for (const DecodeRequest& r : requests) {
    const auto& self = static_cast<const FakeEncoded&>(*r.self);
    const auto& partner = static_cast<const FakeEncoded&>(r.partner ? *r.partner : *r.self);
    FrameOutput o;
    o.labels = cv::Mat(self.original_size(), CV_8UC1, cv::Scalar(self.tag() % 4));
    o.uncertainty = static_cast<float>(partner.tag());
    out.push_back(std::move(o));
  }
  return out;
}

std::unique_ptr<FrameJob> MakeJob(const EngineStreamPtr& stream, uint64_t index,
                                  const cv::Mat& image, FrameCallback done) {
  auto j = std::make_unique<FrameJob>();
  j->stream = stream;
  j->frame_index = index;
  j->image = image;
  j->done = std::move(done);
  return j;
}

cv::Mat TaggedImage(int tag, int size) {
  cv::Mat m(size, size, CV_8UC1, cv::Scalar(7));
  m.data[0] = static_cast<uint8_t>(tag);
  return m;
}

absl::Time FakeClock::Now() const {
  absl::MutexLock lock(&mu_);
  return now_;
}

void FakeClock::Advance(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  now_ += d;
}

bool FakeClock::AwaitWithDeadline(absl::Mutex* mu, const absl::Condition& cond,
                                  absl::Time deadline) const {
  while (true) {
    if (cond.Eval()) return true;
    if (Now() >= deadline) return false;
    mu->AwaitWithTimeout(cond, absl::Milliseconds(1));
  }
}

}  // namespace botm::server::testing
