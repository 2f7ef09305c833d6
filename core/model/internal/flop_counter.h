// Counts the floating-point operations of the LibTorch operators that one thread runs, from the
// shapes of their inputs and outputs (an ATen RecordFunction observer): the FLOP count of the
// module actually executed, not of a parallel description of it.
//
// Convention: one multiply-add = 2 FLOPs. Counted operators and their count (out = the
// operator's output):
//   convolution (aten::conv1d/conv2d/conv3d/convolution/_convolution), weight [Cout, Cin/groups,
//     k...]:  2 * numel(out) * Cin/groups * prod(k)
//   aten::linear (input [..., in]):                   2 * numel(out) * in
//   aten::matmul, mm, bmm (a [..., K]):               2 * numel(out) * K
//   aten::addmm, baddbmm (the product's a [..., K]):  2 * numel(out) * K (the added term is free)
// A call nested in a counted one (linear -> matmul -> mm) counts once, at the outermost.
// Not counted: elementwise and reduction operators (norms, activations, softmax, interpolation,
// additions, logsumexp), transposed convolutions (the model has none), and arithmetic outside
// ATen operators (the CPU scaling-form Sinkhorn loops: see SinkhornLoopFlops in model_bench.h).
//
// Thread-safety: observes only operators dispatched on the thread that constructed it (not the
// OpenMP workers inside a kernel); construct, run and destroy on one thread. A counter created
// while another is alive on the same thread takes over until it is destroyed.
#ifndef BOTM_CORE_MODEL_INTERNAL_FLOP_COUNTER_H_
#define BOTM_CORE_MODEL_INTERNAL_FLOP_COUNTER_H_

#include <cstdint>
#include <map>
#include <string>

namespace botm {
namespace internal {

class FlopCounter {
 public:
  FlopCounter();
  ~FlopCounter();
  FlopCounter(const FlopCounter&) = delete;
  FlopCounter& operator=(const FlopCounter&) = delete;

  // FLOPs counted since construction or the last Reset().
  int64_t total() const;
  // The same, per operator name at which they were counted (e.g. "aten::conv2d").
  const std::map<std::string, int64_t>& by_operator() const { return by_operator_; }
  void Reset();

 private:
  friend struct FlopObserver;  // the RecordFunction callbacks (flop_counter.cc)

  std::map<std::string, int64_t> by_operator_;
  int depth_ = 0;  // counted operators currently open on this thread
  FlopCounter* previous_ = nullptr;
  uint64_t handle_ = 0;
};

}  // namespace internal
}  // namespace botm

#endif  // BOTM_CORE_MODEL_INTERNAL_FLOP_COUNTER_H_
