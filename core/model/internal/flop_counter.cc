#include "core/model/internal/flop_counter.h"

#include <cstring>
#include <memory>

#include <ATen/record_function.h>
#include <torch/torch.h>

namespace botm {
namespace internal {
namespace {

thread_local FlopCounter* active_counter = nullptr;

// How the reduction length K of one multiply-add chain is read from an operator's inputs.
enum class Rule { kNone, kConv, kLastDimOfInput0, kLastDimOfInput1 };

Rule RuleFor(const char* name) {
  static constexpr const char* kConv[] = {"aten::conv1d", "aten::conv2d", "aten::conv3d",
                                          "aten::convolution", "aten::_convolution"};
  static constexpr const char* kInput0[] = {"aten::linear", "aten::matmul", "aten::mm",
                                            "aten::bmm"};
  static constexpr const char* kInput1[] = {"aten::addmm", "aten::baddbmm"};
  for (const char* n : kConv) {
    if (std::strcmp(name, n) == 0) return Rule::kConv;
  }
  for (const char* n : kInput0) {
    if (std::strcmp(name, n) == 0) return Rule::kLastDimOfInput0;
  }
  for (const char* n : kInput1) {
    if (std::strcmp(name, n) == 0) return Rule::kLastDimOfInput1;
  }
  return Rule::kNone;
}

// Multiply-adds per output element; 0 when the inputs are not what the rule expects (then the
// operator is not counted rather than guessed).
int64_t MacsPerOutput(Rule rule, c10::ArrayRef<const c10::IValue> inputs) {
  const size_t index = rule == Rule::kLastDimOfInput0 ? 0 : 1;
  if (inputs.size() <= index || !inputs[index].isTensor()) return 0;
  const at::Tensor& t = inputs[index].toTensor();
  if (!t.defined() || t.dim() == 0) return 0;
  if (rule != Rule::kConv) return t.size(-1);
  // aten::convolution and _convolution carry `transposed` as input 6: not counted.
  if (inputs.size() > 6 && inputs[6].isBool() && inputs[6].toBool()) return 0;
  int64_t macs = 1;
  for (int64_t d = 1; d < t.dim(); ++d) macs *= t.size(d);  // Cin/groups * kernel
  return macs;
}

struct OpContext : public at::ObserverContext {
  bool outermost = false;
  int64_t macs_per_output = 0;
};

}  // namespace

struct FlopObserver {
  static std::unique_ptr<at::ObserverContext> Start(const at::RecordFunction& fn) {
    FlopCounter* counter = active_counter;
    const Rule rule = counter != nullptr ? RuleFor(fn.name()) : Rule::kNone;
    if (rule == Rule::kNone) return nullptr;
    auto ctx = std::make_unique<OpContext>();
    ctx->outermost = counter->depth_++ == 0;
    if (ctx->outermost) ctx->macs_per_output = MacsPerOutput(rule, fn.inputs());
    return ctx;
  }

  static void End(const at::RecordFunction& fn, at::ObserverContext* context) {
    FlopCounter* counter = active_counter;
    auto* ctx = static_cast<OpContext*>(context);
    if (ctx == nullptr || counter == nullptr) return;
    --counter->depth_;
    if (!ctx->outermost || ctx->macs_per_output == 0) return;
    const std::vector<c10::IValue>& outputs = fn.outputs();
    if (outputs.empty() || !outputs[0].isTensor()) return;
    counter->by_operator_[fn.name()] += 2 * outputs[0].toTensor().numel() * ctx->macs_per_output;
  }
};

FlopCounter::FlopCounter() : previous_(active_counter) {
  // One observer per thread: a nested counter reuses the outer one's (two would count twice).
  if (previous_ == nullptr) {
    handle_ = at::addThreadLocalCallback(
        at::RecordFunctionCallback(&FlopObserver::Start, &FlopObserver::End)
            .needsInputs(true)
            .needsOutputs(true)
            .scopes({at::RecordScope::FUNCTION}));
  }
  active_counter = this;
}

FlopCounter::~FlopCounter() {
  active_counter = previous_;
  if (handle_ != 0) at::removeCallback(handle_);
}

int64_t FlopCounter::total() const {
  int64_t sum = 0;
  for (const auto& [op, flops] : by_operator_) sum += flops;
  return sum;
}

void FlopCounter::Reset() { by_operator_.clear(); }

}  // namespace internal
}  // namespace botm
