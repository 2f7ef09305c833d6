#include "core/image/gif_lzw.h"

#include <algorithm>
#include <vector>

namespace botm::image {
namespace {

// Packs codes of varying width, least-significant bit first.
class BitPacker {
 public:
  explicit BitPacker(std::string* out) : out_(out) {}
  void Put(uint32_t code, int width) {
    buffer_ |= static_cast<uint64_t>(code) << bits_;
    bits_ += width;
    while (bits_ >= 8) {
      out_->push_back(static_cast<char>(buffer_ & 0xff));
      buffer_ >>= 8;
      bits_ -= 8;
    }
  }
  void Flush() {
    if (bits_ > 0) out_->push_back(static_cast<char>(buffer_ & 0xff));
    buffer_ = 0;
    bits_ = 0;
  }

 private:
  std::string* out_;
  uint64_t buffer_ = 0;
  int bits_ = 0;
};

// The string table: (prefix code, next index) -> code, open addressing with linear probing.
class CodeTable {
 public:
  CodeTable() : keys_(kSlots), codes_(kSlots) { Clear(); }
  void Clear() { std::fill(keys_.begin(), keys_.end(), kEmpty); }
  // Returns the code of (prefix, index) or -1, and the slot where it is or would go.
  int Find(uint32_t prefix, uint8_t index, size_t* slot) const {
    const uint32_t key = (prefix << 8) | index;
    size_t s = (key * 2654435761u) % kSlots;
    while (keys_[s] != kEmpty) {
      if (keys_[s] == key) {
        *slot = s;
        return codes_[s];
      }
      s = (s + 1) % kSlots;
    }
    *slot = s;
    return -1;
  }
  void Insert(size_t slot, uint32_t prefix, uint8_t index, int code) {
    keys_[slot] = (prefix << 8) | index;
    codes_[slot] = static_cast<uint16_t>(code);
  }

 private:
  static constexpr size_t kSlots = 8191;  // prime, about twice the 4096 codes
  static constexpr uint32_t kEmpty = 0xffffffffu;
  std::vector<uint32_t> keys_;
  std::vector<uint16_t> codes_;
};

}  // namespace

std::string GifLzwEncode(const uint8_t* indices, size_t n, int min_code_size) {
  const int clear = 1 << min_code_size;
  const int end = clear + 1;
  std::string out;
  BitPacker bits(&out);
  CodeTable table;
  int width = min_code_size + 1;
  int next = end + 1;
  bits.Put(clear, width);
  if (n > 0) {
    uint32_t prefix = indices[0];
    for (size_t i = 1; i < n; ++i) {
      size_t slot = 0;
      const int code = table.Find(prefix, indices[i], &slot);
      if (code >= 0) {
        prefix = static_cast<uint32_t>(code);
        continue;
      }
      bits.Put(prefix, width);
      table.Insert(slot, prefix, indices[i], next++);
      if (next > (1 << width) && width < 12) ++width;
      if (next > kGifMaxCode) {  // table full: start over
        bits.Put(clear, width);
        table.Clear();
        width = min_code_size + 1;
        next = end + 1;
      }
      prefix = indices[i];
    }
    bits.Put(prefix, width);
  }
  bits.Put(end, width);
  bits.Flush();
  return out;
}

void AppendGifSubBlocks(const std::string& data, std::string* out) {
  for (size_t pos = 0; pos < data.size(); pos += 255) {
    const size_t len = std::min<size_t>(255, data.size() - pos);
    out->push_back(static_cast<char>(len));
    out->append(data, pos, len);
  }
  out->push_back('\0');
}

}  // namespace botm::image
