#include "server/model_loader.h"

#include <algorithm>
#include <thread>
#include <utility>

namespace botm::server {

absl::StatusOr<std::unique_ptr<InferenceEngine>> LoadEngine(SegmenterOptions model,
                                                            const InferenceEngineOptions& engine) {
  if (model.model_path.empty()) model.model_path = DefaultModelPath();
  if (model.intra_op_threads <= 0) {
    const int hw = std::max(1u, std::thread::hardware_concurrency());
    model.intra_op_threads = std::max(1, hw / std::max(1, engine.instances));
  }
  auto segmenter = Segmenter::Create(model);
  if (!segmenter.ok()) return segmenter.status();
  return InferenceEngine::CreateWithModel(engine,
                                          std::shared_ptr<Segmenter>(*std::move(segmenter)));
}

}  // namespace botm::server
