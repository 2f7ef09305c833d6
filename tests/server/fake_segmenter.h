// Test doubles of the engine tests (no model, no LibTorch): a Segmenter whose "features" are a
// tag (the image's first pixel) so that tests can see which frame was paired with which, with
// fault injection (a gate that holds Encode, a tag that fails Encode), and a clock that tests
// advance by hand.
#ifndef BOTM_TESTS_SERVER_FAKE_SEGMENTER_H_
#define BOTM_TESTS_SERVER_FAKE_SEGMENTER_H_

#include <atomic>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "core/model/segmenter.h"
#include "server/clock.h"
#include "server/inference_engine.h"

namespace botm::server::testing {

// A frame whose first pixel is this value fails Encode with InvalidArgument.
inline constexpr int kFailingTag = 255;

// Encode: one FakeEncoded per image, carrying the image's first pixel ("tag") and size; blocks
// while the gate is closed (when enabled). Decode: labels of the frame's size filled with
// tag % 4; uncertainty = the partner's tag (the frame's own when it has no partner).
class FakeSegmenter : public Segmenter {
 public:
  FakeSegmenter();
  const ModelInfo& info() const override { return info_; }
  absl::StatusOr<std::vector<EncodedFramePtr>> Encode(absl::Span<const cv::Mat> images) override;
  absl::StatusOr<std::vector<FrameOutput>> Decode(
      absl::Span<const DecodeRequest> requests) override;

  // Encode waits for gate() from now on (until it is notified).
  void CloseGate() { gated_ = true; }
  absl::Notification& gate() { return gate_; }
  int encode_calls() const { return encode_calls_.load(); }
  ModelInfo& mutable_info() { return info_; }

 private:
  ModelInfo info_;
  std::atomic<bool> gated_{false};
  absl::Notification gate_;
  std::atomic<int> encode_calls_{0};
};

// An image of `size` x `size` pixels whose first pixel is `tag`.
cv::Mat TaggedImage(int tag, int size = 16);

// A kFrame job of `stream` answered to `done`.
std::unique_ptr<FrameJob> MakeJob(const EngineStreamPtr& stream, uint64_t index,
                                  const cv::Mat& image, FrameCallback done);

// A clock that moves only when Advance() is called. AwaitWithDeadline polls the condition with
// short real waits until it holds or the fake time reaches the deadline.
class FakeClock : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1000)) : now_(start) {}
  absl::Time Now() const override;
  bool AwaitWithDeadline(absl::Mutex* mu, const absl::Condition& cond,
                         absl::Time deadline) const override;
  void Advance(absl::Duration d);

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace botm::server::testing

#endif  // BOTM_TESTS_SERVER_FAKE_SEGMENTER_H_
