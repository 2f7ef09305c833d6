#include "client/dicom/uid.h"

#include <algorithm>
#include <mutex>
#include <random>

namespace botm::dicom {

std::string UidFromUuid(uint64_t high, uint64_t low) {
  // Long division of the 128-bit value by 10, in 32-bit limbs (most significant first).
  uint32_t limbs[4] = {static_cast<uint32_t>(high >> 32), static_cast<uint32_t>(high),
                       static_cast<uint32_t>(low >> 32), static_cast<uint32_t>(low)};
  std::string digits;
  bool nonzero = true;
  while (nonzero) {
    uint64_t remainder = 0;
    nonzero = false;
    for (uint32_t& limb : limbs) {
      const uint64_t value = (remainder << 32) | limb;
      limb = static_cast<uint32_t>(value / 10);
      remainder = value % 10;
      nonzero = nonzero || limb != 0;
    }
    digits.push_back(static_cast<char>('0' + remainder));
  }
  std::reverse(digits.begin(), digits.end());
  return "2.25." + digits;
}

std::string NewUid() {
  static std::mutex mu;
  static std::random_device device;
  uint64_t high = 0, low = 0;
  {
    std::lock_guard<std::mutex> lock(mu);
    high = (static_cast<uint64_t>(device()) << 32) | device();
    low = (static_cast<uint64_t>(device()) << 32) | device();
  }
  // RFC 4122 version 4 (random) and variant bits.
  high = (high & ~0xF000ULL) | 0x4000ULL;
  low = (low & ~(0xC000000000000000ULL)) | 0x8000000000000000ULL;
  return UidFromUuid(high, low);
}

}  // namespace botm::dicom
