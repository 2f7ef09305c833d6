// InferenceEngine::RunBatch: one Encode() for every runnable frame of the batch, partner
// chaining per stream, one Decode(), then the callbacks in per-stream order.
#include <algorithm>
#include <functional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/engine_stream.h"
#include "server/inference_engine.h"

namespace botm::server {
namespace {

// The answers of a batch in delivery order, and the decode requests some of them wait for.
class Plan {
 public:
  struct Answer {
    std::unique_ptr<FrameJob> job;
    FrameJobResult result;
    int request = -1;  // index into requests(), or -1 when answered without decoding
  };

  void Answer(std::unique_ptr<FrameJob> job, absl::Status status, double queue_ms,
              bool dropped = false) {
    struct Answer a;
    a.result.frame_index = job->frame_index;
    a.result.status = std::move(status);
    a.result.queue_ms = queue_ms;
    a.result.dropped = dropped;
    a.job = std::move(job);
    answers_.push_back(std::move(a));
  }
  void Decode(EncodedFramePtr self, EncodedFramePtr partner, std::unique_ptr<FrameJob> job,
              double queue_ms) {
    Answer(std::move(job), absl::OkStatus(), queue_ms);
    answers_.back().request = static_cast<int>(requests_.size());
    requests_.push_back({std::move(self), std::move(partner)});
  }
  // Chains one encoded frame into its stream: kPrevious decodes it with the frame
  // partner_offset encoded frames earlier (the first frame alone, the next ones with frame 0);
  // kNext decodes the held frame with it and holds it.
  void Chain(EngineStream& s, EncodedFramePtr enc, std::unique_ptr<FrameJob> job, double queue_ms) {
    if (s.options.pairing != Segmenter::Pairing::kNext) {
      EncodedFramePtr partner = s.history.empty() ? nullptr : s.history.front();
      Decode(enc, std::move(partner), std::move(job), queue_ms);
      s.history.push_back(std::move(enc));
      while (static_cast<int>(s.history.size()) > std::max(1, s.options.partner_offset)) {
        s.history.pop_front();
      }
      return;
    }
    if (s.held != nullptr) {
      Decode(s.held_encoded, enc, std::move(s.held), s.held_queue_ms);
      s.last = s.held_encoded;
    }
    s.held = std::move(job);
    s.held_encoded = std::move(enc);
    s.held_queue_ms = queue_ms;
  }
  // kNext: decodes the held frame with its predecessor (itself when alone); it then is the
  // predecessor of the next frame held.
  void Flush(EngineStream& s) {
    if (s.held == nullptr) return;
    Decode(s.held_encoded, s.last, std::move(s.held), s.held_queue_ms);
    s.last = std::move(s.held_encoded);
  }
  // A cancelled stream's held frame is answered Cancelled.
  void DropHeld(EngineStream& s) {
    if (s.held == nullptr) return;
    Answer(std::move(s.held), absl::CancelledError("stream cancelled"), s.held_queue_ms);
    s.held_encoded.reset();
  }

  std::vector<DecodeRequest>& requests() { return requests_; }
  std::vector<struct Answer>& answers() { return answers_; }

 private:
  std::vector<struct Answer> answers_;
  std::vector<DecodeRequest> requests_;
};

// Encodes the batch's images; on a batch failure retries one by one so that one bad image
// fails only itself.
void EncodeAll(Segmenter& model, const std::vector<cv::Mat>& images,
               std::vector<absl::StatusOr<EncodedFramePtr>>* out) {
  out->clear();
  if (images.empty()) return;
  auto all = model.Encode(images);
  if (all.ok() && all->size() == images.size()) {
    for (auto& e : *all) out->push_back(std::move(e));
    return;
  }
  for (const cv::Mat& img : images) {
    auto one = model.Encode(absl::MakeConstSpan(&img, 1));
    if (one.ok() && one->size() == 1) {
      out->push_back(std::move((*one)[0]));
    } else {
      out->push_back(one.ok() ? absl::InternalError("engine: encoder returned no features")
                              : one.status());
    }
  }
}

// Runs the plan's decode requests, then invokes every callback in plan order. `ran` frames
// were encoded; `accounted(ran, seconds)` runs before the first callback.
void DecodeAndDeliver(Segmenter& model, Plan* plan, int ran, absl::Time t0,
                      const std::function<void(int, double)>& accounted) {
  absl::StatusOr<std::vector<FrameOutput>> outputs = std::vector<FrameOutput>();
  if (!plan->requests().empty()) outputs = model.Decode(plan->requests());
  if (outputs.ok() && outputs->size() != plan->requests().size()) {
    outputs = absl::InternalError("engine: decoder returned a wrong number of outputs");
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - t0);
  const double share_ms = ran > 0 ? 1e3 * seconds / ran : 0.0;
  accounted(ran, seconds);
  for (auto& a : plan->answers()) {
    if (a.request >= 0) {
      a.result.batch_size = ran;
      a.result.inference_ms = share_ms;
      if (outputs.ok()) {
        a.result.output = std::move((*outputs)[a.request]);
      } else {
        a.result.status = outputs.status();
      }
    }
    FrameCallback done = std::move(a.job->done);
    a.job.reset();  // frees the image before the callback runs
    done(std::move(a.result));
  }
}

}  // namespace

void InferenceEngine::RunBatch(Batch* batch) {
  std::vector<cv::Mat> images;
  for (const auto& item : batch->items) {
    if (item.kind == ItemKind::kRun) images.push_back(item.job->image);
  }
  // The images (and their leases) are released as soon as they are encoded.
  const absl::Time t0 = absl::Now();
  std::vector<absl::StatusOr<EncodedFramePtr>> encoded;
  EncodeAll(*model_, images, &encoded);
  const int ran = static_cast<int>(images.size());
  images.clear();
  for (auto& item : batch->items) {
    item.job->image.release();
    item.job->lease.reset();
  }

  Plan plan;
  size_t next_image = 0;
  for (auto& item : batch->items) {
    EngineStream& s = *item.stream;
    switch (item.kind) {
      case ItemKind::kDropped:
        plan.Answer(std::move(item.job), absl::OkStatus(), item.queue_ms, /*dropped=*/true);
        break;
      case ItemKind::kExpired:
        plan.Answer(std::move(item.job),
                    absl::DeadlineExceededError("frame deadline passed before it could run"),
                    item.queue_ms);
        break;
      case ItemKind::kCancelled:
        plan.Answer(std::move(item.job), absl::CancelledError("stream cancelled"), item.queue_ms);
        break;
      case ItemKind::kFlush:
        if (s.options.pairing == Segmenter::Pairing::kNext) plan.Flush(s);
        plan.Answer(std::move(item.job), absl::OkStatus(), item.queue_ms);
        break;
      case ItemKind::kRun: {
        absl::StatusOr<EncodedFramePtr>& enc = encoded[next_image++];
        if (enc.ok()) {
          plan.Chain(s, *std::move(enc), std::move(item.job), item.queue_ms);
        } else {
          plan.Answer(std::move(item.job), enc.status(), item.queue_ms);
        }
        break;
      }
    }
  }
  for (size_t i = 0; i < batch->streams.size(); ++i) {
    if (batch->cancelled[i]) plan.DropHeld(*batch->streams[i]);
  }
  DecodeAndDeliver(*model_, &plan, ran, t0, [this](int ran, double seconds) {
    if (ran == 0) return;
    if (options_.on_batch) options_.on_batch(ran, seconds);
    absl::MutexLock lock(&mu_);  // counted before the callbacks run
    stats_.frames_run += ran;
    ++stats_.batches_run;
  });
}

}  // namespace botm::server
