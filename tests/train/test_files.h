// Test helpers that write small MetaImage and NIfTI-1 files byte by byte (independently of
// the readers under test).
#ifndef BOTM_TESTS_TRAIN_TEST_FILES_H_
#define BOTM_TESTS_TRAIN_TEST_FILES_H_

#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace botm::train::testing {

inline void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// NIfTI-1 single file with uint8 (datatype 2) or float32 (16) samples; gzipped when gz.
inline void WriteNifti(const std::string& path, const std::vector<int>& dims,
                       const std::vector<float>& spacing, const std::string& data, int datatype,
                       bool gz, float slope = 0.f, float inter = 0.f) {
  std::string h(352, '\0');
  auto put32 = [&](int off, int32_t v) { std::memcpy(&h[off], &v, 4); };
  auto put16 = [&](int off, int16_t v) { std::memcpy(&h[off], &v, 2); };
  auto putf = [&](int off, float v) { std::memcpy(&h[off], &v, 4); };
  put32(0, 348);
  put16(40, static_cast<int16_t>(dims.size()));
  for (size_t i = 0; i < dims.size(); ++i)
    put16(42 + 2 * static_cast<int>(i), static_cast<int16_t>(dims[i]));
  put16(70, static_cast<int16_t>(datatype));
  put16(72, static_cast<int16_t>(datatype == 2 ? 8 : 32));
  putf(76, 1.f);
  for (size_t i = 0; i < spacing.size(); ++i) putf(80 + 4 * static_cast<int>(i), spacing[i]);
  putf(108, 352.f);
  putf(112, slope);
  putf(116, inter);
  std::memcpy(&h[344], "n+1\0", 4);
  const std::string all = h + data;
  if (!gz) {
    WriteFile(path, all);
    return;
  }
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, all.data(), static_cast<unsigned>(all.size()));
  gzclose(f);
}

inline std::string Bytes(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }

}  // namespace botm::train::testing

#endif  // BOTM_TESTS_TRAIN_TEST_FILES_H_
