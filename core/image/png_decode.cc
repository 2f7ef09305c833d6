// PNG decoding with libpng (1.6), errors and warnings routed to the caller.
//
// libpng reports errors by longjmp to the setjmp point of the current call; the two functions
// that call setjmp (ReadHeader, ReadRows) keep only plain data in their frames, and every C++
// object (the matrix, row pointers, warnings) lives in the caller, so no destructor is skipped.
#include <png.h>

#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/image/internal/decoders.h"

namespace botm::image::internal {
namespace {

// Ancillary chunks (text, profiles) are bounded: a compressed iCCP or zTXt chunk may inflate
// to far more than the file.
constexpr png_alloc_size_t kMaxChunkBytes = 8u << 20;
constexpr png_uint_32 kMaxCachedChunks = 256;

struct PngContext {
  absl::string_view data;
  size_t pos = 8;  // after the signature, which the caller checked
  char error[256] = {0};
  std::vector<std::string>* warnings = nullptr;
};

void ReadData(png_structp png, png_bytep out, size_t n) {
  auto* ctx = static_cast<PngContext*>(png_get_io_ptr(png));
  if (ctx->data.size() - ctx->pos < n) png_error(png, "PNG truncated: not enough data");
  std::memcpy(out, ctx->data.data() + ctx->pos, n);
  ctx->pos += n;
}

void OnError(png_structp png, png_const_charp message) {
  auto* ctx = static_cast<PngContext*>(png_get_error_ptr(png));
  std::snprintf(ctx->error, sizeof(ctx->error), "%s", message);
  png_longjmp(png, 1);
}

void OnWarning(png_structp png, png_const_charp message) {
  auto* ctx = static_cast<PngContext*>(png_get_error_ptr(png));
  if (ctx->warnings->size() < 16) ctx->warnings->push_back(message);
}

// Reads the chunks up to the image data and sets the transformations that give the layout
// DecodeImage promises (8/16-bit, BGR[A], 16-bit in host order). False on a libpng error.
bool ReadHeader(png_structp png, png_infop info, png_uint_32* width, png_uint_32* height,
                size_t* row_bytes, int* channels, int* depth) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_sig_bytes(png, 8);
  png_read_info(png, info);
  const int color_type = png_get_color_type(png, info);
  const int bit_depth = png_get_bit_depth(png, info);
  const bool trns = png_get_valid(png, info, PNG_INFO_tRNS) != 0;
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (trns && color_type != PNG_COLOR_TYPE_GRAY) png_set_tRNS_to_alpha(png);
  if (color_type == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
  if (color_type != PNG_COLOR_TYPE_GRAY && color_type != PNG_COLOR_TYPE_GRAY_ALPHA) {
    png_set_bgr(png);
  }
  if (bit_depth == 16) png_set_swap(png);  // little-endian hosts: samples in host order
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  *width = png_get_image_width(png, info);
  *height = png_get_image_height(png, info);
  *row_bytes = png_get_rowbytes(png, info);
  *channels = png_get_channels(png, info);
  *depth = png_get_bit_depth(png, info);
  return true;
}

// Reads every row (all passes of an interlaced image) and the chunks up to IEND.
bool ReadRows(png_structp png, png_infop info, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_image(png, rows);
  png_read_end(png, info);
  return true;
}

}  // namespace

absl::StatusOr<cv::Mat> DecodePng(absl::string_view bytes, const ImageHeader& header,
                                  const DecodeOptions& options) {
  std::vector<std::string> warnings;
  PngContext ctx;
  ctx.data = bytes;
  ctx.warnings = &warnings;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ctx, OnError, OnWarning);
  if (png == nullptr) return absl::ResourceExhaustedError("PNG: cannot create a decoder");
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    return absl::ResourceExhaustedError("PNG: cannot create a decoder");
  }
  png_set_read_fn(png, &ctx, ReadData);
  png_set_user_limits(png, static_cast<png_uint_32>(header.width),
                      static_cast<png_uint_32>(header.height));
  png_set_chunk_malloc_max(png, kMaxChunkBytes);
  png_set_chunk_cache_max(png, kMaxCachedChunks);
  png_uint_32 width = 0, height = 0;
  size_t row_bytes = 0;
  int channels = 0, depth = 0;
  cv::Mat out;
  std::vector<png_bytep> rows;
  bool ok = ReadHeader(png, info, &width, &height, &row_bytes, &channels, &depth);
  if (ok) {
    const int type = CV_MAKETYPE(depth == 16 ? CV_16U : CV_8U, channels);
    if (static_cast<int>(width) != header.width || static_cast<int>(height) != header.height ||
        channels != header.channels || (depth == 16 ? 2 : 1) != header.bytes_per_sample) {
      std::snprintf(ctx.error, sizeof(ctx.error), "PNG layout differs from its header");
      ok = false;
    } else {
      out.create(header.height, header.width, type);
      if (out.step[0] != row_bytes) {
        std::snprintf(ctx.error, sizeof(ctx.error), "PNG row size differs from its header");
        ok = false;
      }
      for (int y = 0; ok && y < out.rows; ++y) rows.push_back(out.ptr<png_byte>(y));
    }
  }
  if (ok) ok = ReadRows(png, info, rows.data());
  png_destroy_read_struct(&png, &info, nullptr);
  if (!ok) return absl::InvalidArgumentError(absl::StrCat("PNG corrupt: ", ctx.error));
  if (options.on_warning) {
    for (const std::string& w : warnings) options.on_warning(absl::StrCat("PNG: ", w));
  }
  return out;
}

}  // namespace botm::image::internal
