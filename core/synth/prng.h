// Deterministic pseudo-random numbers for the synthetic generator: splitmix64 (Steele, Lea and
// Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014) and Box-Muller normals.
// No std:: distributions, so a seed gives the same numbers with every standard library.
//
// Thread-safety: an Rng is a value; copies are independent. Hash functions are pure.
#ifndef BOTM_CORE_SYNTH_PRNG_H_
#define BOTM_CORE_SYNTH_PRNG_H_

#include <cmath>
#include <cstdint>

namespace botm::synth {

// Returns the splitmix64 finaliser of x: a bijective 64-bit mix.
inline uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Returns a hash of (h, v); used to derive independent streams and per-frame offsets.
inline uint64_t HashCombine(uint64_t h, uint64_t v) {
  return Mix64(h ^ Mix64(v + 0x632be59bd9b4e019ULL));
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(Mix64(seed)) {}

  // Returns the next 64 random bits.
  uint64_t NextU64() {
    state_ += 0x9e3779b97f4a7c15ULL;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Returns a uniform double in [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(NextU64() >> 11) * 0x1.0p-53; }
  // Returns a uniform double in [lo, hi).
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Returns a uniform integer in [lo, hi] (inclusive); the bias is below 2^-32 for small spans.
  int UniformInt(int lo, int hi) {
    const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
    return lo + static_cast<int>(NextU64() % span);
  }
  bool Bernoulli(double p) { return Uniform() < p; }
  // Returns a standard normal value (Box-Muller; the second value of each pair is cached).
  double Normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = 1.0 - Uniform();  // (0, 1]
    const double u2 = Uniform();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = 6.283185307179586 * u2;
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }
  // Returns an approximately standard normal value (Irwin-Hall sum of four 16-bit uniforms,
  // |value| <= 3.46); several times cheaper than Normal(), used for speckle scatterers.
  double FastNormal() {
    const uint64_t b = NextU64();
    const double sum =
        static_cast<double>((b & 0xffff) + ((b >> 16) & 0xffff) + ((b >> 32) & 0xffff) + (b >> 48));
    return (sum * (1.0 / 65536.0) - 2.0) * 1.7320508075688772;
  }
  // Returns mean + sd * N(0,1), clamped to [lo, hi].
  double ClampedNormal(double mean, double sd, double lo, double hi) {
    const double v = mean + sd * Normal();
    return v < lo ? lo : (v > hi ? hi : v);
  }
  // Returns an independent generator for sub-stream `stream`; this one is left unchanged.
  Rng Fork(uint64_t stream) const { return Rng(HashCombine(state_, stream)); }

 private:
  uint64_t state_;
  double spare_ = 0;
  bool has_spare_ = false;
};

}  // namespace botm::synth

#endif  // BOTM_CORE_SYNTH_PRNG_H_
