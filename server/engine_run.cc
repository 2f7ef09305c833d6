// InferenceEngine::RunBatch: one Encode() for every runnable frame of the batch, partner
// chaining per stream, one Decode(), then the callbacks in per-stream order.
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/engine_stream.h"
#include "server/inference_engine.h"

namespace botm::server {
namespace {

struct Answer {
  std::unique_ptr<FrameJob> job;
  FrameJobResult result;
  int request = -1;  // index into the decode requests, or -1 when answered without decoding
};

Answer MakeAnswer(std::unique_ptr<FrameJob> job, absl::Status status, double queue_ms) {
  Answer a;
  a.result.frame_index = job->frame_index;
  a.result.status = std::move(status);
  a.result.queue_ms = queue_ms;
  a.job = std::move(job);
  return a;
}

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

}  // namespace

void InferenceEngine::RunBatch(Batch* batch) {
  std::vector<cv::Mat> images;
  for (const auto& item : batch->items) {
    if (item.kind == ItemKind::kRun) images.push_back(item.job->image);
  }
  const absl::Time t0 = absl::Now();
  std::vector<absl::StatusOr<EncodedFramePtr>> encoded;
  EncodeAll(*model_, images, &encoded);

  std::vector<Answer> answers;
  std::vector<DecodeRequest> requests;
  auto decode = [&](EncodedFramePtr self, EncodedFramePtr partner,
                    std::unique_ptr<FrameJob> job, double queue_ms) {
    answers.push_back(MakeAnswer(std::move(job), absl::OkStatus(), queue_ms));
    answers.back().request = static_cast<int>(requests.size());
    requests.push_back({std::move(self), std::move(partner)});
  };
  size_t next_image = 0;
  for (auto& item : batch->items) {
    EngineStream& s = *item.stream;
    const bool next_mode = s.options.pairing == Segmenter::Pairing::kNext;
    switch (item.kind) {
      case ItemKind::kDropped: {
        answers.push_back(MakeAnswer(std::move(item.job), absl::OkStatus(), item.queue_ms));
        answers.back().result.dropped = true;
        break;
      }
      case ItemKind::kExpired:
        answers.push_back(MakeAnswer(std::move(item.job),
                                     absl::DeadlineExceededError("frame deadline passed "
                                                                 "before it could run"),
                                     item.queue_ms));
        break;
      case ItemKind::kCancelled:
        answers.push_back(MakeAnswer(std::move(item.job),
                                     absl::CancelledError("stream cancelled"), item.queue_ms));
        break;
      case ItemKind::kMarker:
        if (next_mode && s.held != nullptr) {
          decode(s.held_encoded, s.last, std::move(s.held), s.held_queue_ms);
          s.held_encoded.reset();
        }
        answers.push_back(MakeAnswer(std::move(item.job), absl::OkStatus(), item.queue_ms));
        break;
      case ItemKind::kRun: {
        absl::StatusOr<EncodedFramePtr>& enc = encoded[next_image++];
        if (!enc.ok()) {
          answers.push_back(MakeAnswer(std::move(item.job), enc.status(), item.queue_ms));
          break;
        }
        if (!next_mode) {
          decode(*enc, s.last, std::move(item.job), item.queue_ms);
          s.last = *enc;
          break;
        }
        if (s.held != nullptr) {
          decode(s.held_encoded, *enc, std::move(s.held), s.held_queue_ms);
          s.last = s.held_encoded;
        }
        s.held = std::move(item.job);
        s.held_encoded = *enc;
        s.held_queue_ms = item.queue_ms;
        break;
      }
    }
  }
  for (size_t i = 0; i < batch->streams.size(); ++i) {
    EngineStream& s = *batch->streams[i];
    if (batch->cancelled[i] && s.held != nullptr) {
      answers.push_back(MakeAnswer(std::move(s.held), absl::CancelledError("stream cancelled"),
                                   s.held_queue_ms));
      s.held_encoded.reset();
    }
  }

  absl::StatusOr<std::vector<FrameOutput>> outputs = std::vector<FrameOutput>();
  if (!requests.empty()) outputs = model_->Decode(requests);
  if (outputs.ok() && outputs->size() != requests.size()) {
    outputs = absl::InternalError("engine: decoder returned a wrong number of outputs");
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - t0);
  const int ran = static_cast<int>(images.size());
  const double share_ms = ran > 0 ? 1e3 * seconds / ran : 0.0;
  if (ran > 0 && options_.on_batch) options_.on_batch(ran, seconds);
  if (ran > 0) {  // counted before the callbacks, so a callback sees its own frame counted
    absl::MutexLock lock(&mu_);
    stats_.frames_run += ran;
    ++stats_.batches_run;
  }

  for (Answer& a : answers) {
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

}  // namespace botm::server
