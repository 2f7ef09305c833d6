// Loads the model (botm::Segmenter::Create, LibTorch) and builds the inference engine on it:
// what botm-server does after binding its port and `botm-bench --in_process` does at start.
// Kept apart from the engine so that the engine and its tests need no LibTorch.
//
// Thread-safety: thread-safe; blocks for the load and the warm-up (seconds).
#ifndef BOTM_SERVER_MODEL_LOADER_H_
#define BOTM_SERVER_MODEL_LOADER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "core/model/segmenter.h"
#include "server/inference_engine.h"

namespace botm::server {

// Loads `model` and creates the engine. An empty model_path means DefaultModelPath();
// intra_op_threads 0 means hardware threads / engine instances (at least 1). NotFound naming
// the path when the checkpoint does not exist; otherwise the load's or CreateWithModel()'s
// status, or InvalidArgument when the model's classes are not botm::kClassNames.
absl::StatusOr<std::unique_ptr<InferenceEngine>> LoadEngine(SegmenterOptions model,
                                                            const InferenceEngineOptions& engine);

}  // namespace botm::server

#endif  // BOTM_SERVER_MODEL_LOADER_H_
