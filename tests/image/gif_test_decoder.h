// A small, independent GIF89a reader for the tests: parses the block structure strictly and
// decodes the LZW data, so the writer's output is checked byte by byte.
#ifndef BOTM_TESTS_IMAGE_GIF_TEST_DECODER_H_
#define BOTM_TESTS_IMAGE_GIF_TEST_DECODER_H_

#include <cstdint>
#include <string>
#include <vector>

namespace botm::image::testing {

struct DecodedGif {
  int width = 0, height = 0;
  std::vector<uint8_t> palette_rgb;  // 768 bytes
  bool loops = false;
  std::vector<int> delays_cs;
  std::vector<std::vector<uint8_t>> frames;  // palette indices, row-major
  std::string error;                         // empty when the file parsed completely
};

// Decodes GIF LZW data into at most `limit` indices; sets `*error` on malformed input.
inline std::vector<uint8_t> LzwDecode(const std::string& data, int min_code_size, size_t limit,
                                      std::string* error) {
  const int clear = 1 << min_code_size, end = clear + 1;
  std::vector<std::vector<uint8_t>> dict;
  auto reset = [&] {
    dict.assign(end + 1, {});
    for (int i = 0; i < clear; ++i) dict[i] = {static_cast<uint8_t>(i)};
  };
  reset();
  int width = min_code_size + 1, prev = -1;
  size_t bitpos = 0;
  std::vector<uint8_t> out;
  while (true) {
    if (bitpos + width > data.size() * 8) {
      *error = "LZW data ends without an end code";
      return out;
    }
    int code = 0;
    for (int b = 0; b < width; ++b, ++bitpos) {
      code |= ((static_cast<uint8_t>(data[bitpos / 8]) >> (bitpos % 8)) & 1) << b;
    }
    if (code == clear) {
      reset();
      width = min_code_size + 1;
      prev = -1;
      continue;
    }
    if (code == end) return out;
    std::vector<uint8_t> entry;
    if (code < static_cast<int>(dict.size()) && (code < clear || code > end)) {
      entry = dict[code];
    } else if (code == static_cast<int>(dict.size()) && prev >= 0) {
      entry = dict[prev];
      entry.push_back(dict[prev][0]);
    } else {
      *error = "LZW code " + std::to_string(code) + " out of range";
      return out;
    }
    if (prev >= 0 && dict.size() < 4096) {
      std::vector<uint8_t> added = dict[prev];
      added.push_back(entry[0]);
      dict.push_back(added);
      if (dict.size() == (1u << width) && width < 12) ++width;
    }
    out.insert(out.end(), entry.begin(), entry.end());
    if (out.size() > limit) {
      *error = "LZW data decodes to more pixels than the frame has";
      return out;
    }
    prev = code;
  }
}

inline DecodedGif ParseGif(const std::string& f) {
  DecodedGif g;
  size_t p = 0;
  auto u8 = [&](size_t i) { return i < f.size() ? static_cast<uint8_t>(f[i]) : 0; };
  auto le16 = [&](size_t i) { return u8(i) | (u8(i + 1) << 8); };
  auto sub_blocks = [&](size_t* q) {
    std::string data;
    while (*q < f.size() && u8(*q) != 0) {
      data.append(f, *q + 1, u8(*q));
      *q += 1 + u8(*q);
    }
    ++*q;
    return data;
  };
  if (f.compare(0, 6, "GIF89a") != 0 || f.size() < 13 + 768) {
    g.error = "bad header";
    return g;
  }
  g.width = le16(6);
  g.height = le16(8);
  if (u8(10) != 0xf7) g.error = "unexpected screen descriptor flags";
  g.palette_rgb.assign(f.begin() + 13, f.begin() + 13 + 768);
  p = 13 + 768;
  while (p < f.size() && g.error.empty()) {
    const uint8_t block = u8(p);
    if (block == 0x3b) {
      if (p + 1 != f.size()) g.error = "bytes after the trailer";
      return g;
    }
    if (block == 0x21 && u8(p + 1) == 0xff) {
      p += 2;
      const std::string app = sub_blocks(&p);
      g.loops = app.compare(0, 11, "NETSCAPE2.0") == 0 && app.size() == 14;
    } else if (block == 0x21 && u8(p + 1) == 0xf9) {
      g.delays_cs.push_back(le16(p + 4));
      p += 2;
      sub_blocks(&p);
    } else if (block == 0x2c) {
      const int w = le16(p + 5), h = le16(p + 7), min_code_size = u8(p + 10);
      p += 11;
      const std::string data = sub_blocks(&p);
      g.frames.push_back(LzwDecode(data, min_code_size, size_t(w) * h, &g.error));
      if (g.error.empty() && g.frames.back().size() != size_t(w) * h) g.error = "short frame";
    } else {
      g.error = "unknown block at byte " + std::to_string(p);
    }
  }
  if (g.error.empty()) g.error = "no trailer";
  return g;
}

}  // namespace botm::image::testing

#endif  // BOTM_TESTS_IMAGE_GIF_TEST_DECODER_H_
