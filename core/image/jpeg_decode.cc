// JPEG decoding with libjpeg(-turbo), errors and warnings routed to the caller.
//
// libjpeg reports errors through error_exit, which here longjmps back to the setjmp point of
// the current step; the functions that call setjmp (ReadHeader, ReadPixels) keep only plain
// data in their frames and every C++ object lives in the caller. A libjpeg warning always means
// corrupt data (JWRN_JPEG_EOF "premature end", JWRN_HIT_MARKER, JWRN_MUST_RESYNC ...): the data
// are then refused. Nothing is ever written to stderr (output_message is replaced).
#include <csetjmp>
#include <cstdio>

// jpeglib.h needs FILE and size_t declared first.
#include <jpeglib.h>

#include "absl/strings/str_cat.h"
#include "core/image/internal/decoders.h"

namespace botm::image::internal {
namespace {

// More scans than this is a denial-of-service pattern (libjpeg-turbo's advice for untrusted
// progressive JPEGs); real encoders write at most a few dozen.
constexpr int kMaxScans = 256;

struct ErrorManager {
  jpeg_error_mgr pub;  // first member: libjpeg casts cinfo->err to this struct
  std::jmp_buf jump;
  char error[JMSG_LENGTH_MAX] = {0};
  char first_warning[JMSG_LENGTH_MAX] = {0};
  int warnings = 0;
  bool too_many_scans = false;
};

void OnErrorExit(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  if (err->too_many_scans) {
    std::snprintf(err->error, sizeof(err->error), "more than %d scans", kMaxScans);
  } else {
    (*cinfo->err->format_message)(cinfo, err->error);
  }
  std::longjmp(err->jump, 1);
}

void OnEmitMessage(j_common_ptr cinfo, int msg_level) {
  if (msg_level >= 0) return;  // trace messages
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  if (err->warnings++ == 0) (*cinfo->err->format_message)(cinfo, err->first_warning);
}

void OnOutputMessage(j_common_ptr) {}

void OnProgress(j_common_ptr cinfo) {
  auto* d = reinterpret_cast<j_decompress_ptr>(cinfo);
  if (d->input_scan_number > kMaxScans) {
    reinterpret_cast<ErrorManager*>(cinfo->err)->too_many_scans = true;
    (*cinfo->err->error_exit)(cinfo);
  }
}

bool ReadHeader(jpeg_decompress_struct* cinfo, ErrorManager* err, absl::string_view bytes,
                int channels, int64_t max_memory) {
  if (setjmp(err->jump)) return false;
  jpeg_create_decompress(cinfo);
  if (max_memory > 0) cinfo->mem->max_memory_to_use = static_cast<long>(max_memory);
  jpeg_mem_src(cinfo, reinterpret_cast<const unsigned char*>(bytes.data()),
               static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(cinfo, TRUE);
  cinfo->out_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_EXT_BGR;
  return true;
}

bool ReadPixels(jpeg_decompress_struct* cinfo, ErrorManager* err, unsigned char* data,
                size_t step) {
  if (setjmp(err->jump)) return false;
  jpeg_start_decompress(cinfo);
  while (cinfo->output_scanline < cinfo->output_height) {
    JSAMPROW row = data + step * cinfo->output_scanline;
    jpeg_read_scanlines(cinfo, &row, 1);
  }
  jpeg_finish_decompress(cinfo);
  return true;
}

}  // namespace

absl::StatusOr<cv::Mat> DecodeJpeg(absl::string_view bytes, const ImageHeader& header,
                                   const DecodeOptions& options) {
  jpeg_decompress_struct cinfo;
  ErrorManager err;
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = OnErrorExit;
  err.pub.emit_message = OnEmitMessage;
  err.pub.output_message = OnOutputMessage;
  jpeg_progress_mgr progress;
  progress.progress_monitor = OnProgress;
  // Progressive images keep all coefficients (2 bytes per sample) in memory.
  const int64_t max_memory =
      options.max_decoded_bytes > 0 ? 4 * options.max_decoded_bytes + (64 << 20) : 0;
  cv::Mat out;
  bool ok = ReadHeader(&cinfo, &err, bytes, header.channels, max_memory);
  if (ok) {
    cinfo.progress = &progress;
    if (static_cast<int>(cinfo.image_width) != header.width ||
        static_cast<int>(cinfo.image_height) != header.height ||
        cinfo.num_components != header.channels) {
      std::snprintf(err.error, sizeof(err.error), "layout differs from its frame header");
      ok = false;
    } else {
      out.create(header.height, header.width, CV_MAKETYPE(CV_8U, header.channels));
      ok = ReadPixels(&cinfo, &err, out.data, out.step[0]);
    }
  }
  jpeg_destroy_decompress(&cinfo);
  if (!ok) return absl::InvalidArgumentError(absl::StrCat("JPEG corrupt: ", err.error));
  if (err.warnings > 0) {
    return absl::InvalidArgumentError(absl::StrCat("JPEG corrupt: ", err.first_warning));
  }
  return out;
}

}  // namespace botm::image::internal
