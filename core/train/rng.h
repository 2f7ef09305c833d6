// A small, fast, seedable PRNG for training-data sampling and augmentation.
//
// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators",
// OOPSLA 2014) with its own uniform and normal transforms, so every machine draws the same
// numbers (std:: distributions are implementation-defined). The whole state is one uint64_t,
// which makes checkpointing and resuming the data stream trivial.
// Thread-safety: thread-compatible; give each thread its own Rng.
#ifndef BOTM_CORE_TRAIN_RNG_H_
#define BOTM_CORE_TRAIN_RNG_H_

#include <cmath>
#include <cstdint>

namespace botm::train {

// Mixes two values into a well-distributed 64-bit seed (SplitMix64 finaliser over a ^ rot(b)).
inline uint64_t MixSeed(uint64_t a, uint64_t b) {
  uint64_t z = a ^ (b * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL + (a << 6) + (a >> 2));
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform in [lo, hi).
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [lo, hi] (inclusive); lo <= hi.
  int UniformInt(int lo, int hi) {
    const uint64_t span = static_cast<uint64_t>(static_cast<int64_t>(hi) - lo + 1);
    return lo + static_cast<int>(Next() % span);
  }
  // True with probability p.
  bool Bernoulli(double p) { return Uniform() < p; }
  // Standard normal by the Box-Muller transform (one value per call, no cached spare).
  double Normal() {
    const double u1 = 1.0 - Uniform();  // (0, 1]
    const double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

  uint64_t state() const { return state_; }
  void set_state(uint64_t s) { state_ = s; }

 private:
  uint64_t state_;
};

}  // namespace botm::train

#endif  // BOTM_CORE_TRAIN_RNG_H_
