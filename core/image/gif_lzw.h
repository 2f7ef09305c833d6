// The variable-code-size LZW compression of GIF89a image data.
#ifndef BOTM_CORE_IMAGE_GIF_LZW_H_
#define BOTM_CORE_IMAGE_GIF_LZW_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace botm::image {

// Largest LZW code of GIF (12-bit codes).
inline constexpr int kGifMaxCode = 4095;

// Compresses `n` pixel indices (each below 2^min_code_size; min_code_size in 2..8) as GIF
// LZW: a clear code first, codes packed least-significant bit first, the code width growing
// from min_code_size + 1 up to 12 bits as the table fills (no "early change"), a clear code
// whenever the table is full, and the end-of-information code last. Returns the packed bytes,
// not yet split into sub-blocks. Pure and thread-safe.
std::string GifLzwEncode(const uint8_t* indices, size_t n, int min_code_size);

// Splits `data` into GIF data sub-blocks (a length byte, then up to 255 bytes) and appends
// them plus the zero-length block terminator to `out`.
void AppendGifSubBlocks(const std::string& data, std::string* out);

}  // namespace botm::image

#endif  // BOTM_CORE_IMAGE_GIF_LZW_H_
