#include "server/frame_codec.h"

#include <algorithm>
#include <climits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/image/image_codec.h"
#include "core/image/mask_codec.h"
#include "core/image/postprocess.h"
#include "core/metrics/metrics.h"
#include "server/status_util.h"

namespace botm::server {
namespace {

absl::Status AsInvalidArgument(const absl::Status& s) {
  if (s.ok() || s.code() == absl::StatusCode::kInvalidArgument) return s;
  return absl::InvalidArgumentError(s.message());
}

absl::Status CheckSampleType(const cv::Mat& m) {
  const int ch = m.channels();
  if (m.depth() != CV_8U && m.depth() != CV_16U) {
    return absl::InvalidArgumentError("image samples must be 8- or 16-bit unsigned");
  }
  if (ch != 1 && ch != 3 && ch != 4) {
    return absl::InvalidArgumentError(
        absl::StrCat("image has ", ch, " channels; 1 (gray), 3 (BGR) or 4 (BGRA) expected"));
  }
  return absl::OkStatus();
}

absl::Status EncodeMask(const v1::StreamConfig& config, const cv::Mat& labels, v1::Mask* mask) {
  mask->set_width(labels.cols);
  mask->set_height(labels.rows);
  if (config.mask_encoding() == v1::MASK_ENCODING_RLE) {
    mask->set_encoding(v1::MASK_ENCODING_RLE);
    mask->set_data(image::EncodeRle(labels));
    return absl::OkStatus();
  }
  mask->set_encoding(v1::MASK_ENCODING_PNG);
  auto png = image::EncodeMaskPng(labels);
  if (!png.ok()) return png.status();
  mask->set_data(std::move(*png));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<int64_t> CheckFrameHeader(const v1::Frame& frame, const FrameLimits& limits) {
  image::ImageHeader h;
  if (frame.has_raw()) {
    const v1::RawImage& raw = frame.raw();
    h.format = image::ImageFormat::kPng;  // only for the limit messages' wording
    h.width = static_cast<int>(std::min<uint32_t>(raw.width(), INT32_MAX));
    h.height = static_cast<int>(std::min<uint32_t>(raw.height(), INT32_MAX));
    h.channels = static_cast<int>(std::min<uint32_t>(raw.channels(), 4));
    h.bytes_per_sample = raw.bits_per_sample() == 16 ? 2 : 1;
  } else if (frame.image_case() == v1::Frame::kEncoded) {
    absl::StatusOr<image::ImageHeader> peeked = image::PeekImageHeader(frame.encoded());
    if (!peeked.ok()) return AsInvalidArgument(peeked.status());
    h = *peeked;
  } else {
    return absl::InvalidArgumentError("frame has no image");
  }
  image::DecodeOptions o;
  o.max_pixels = limits.max_pixels;
  o.max_decoded_bytes = limits.max_decoded_bytes;
  if (h.width > 0 && h.height > 0) {
    if (absl::Status s = image::CheckImageLimits(h, o); !s.ok()) return AsInvalidArgument(s);
  }
  return h.decoded_bytes();
}

absl::StatusOr<cv::Mat> DecodeFrameImage(const v1::Frame& frame, const FrameLimits& limits,
                                         const std::function<void(absl::string_view)>& on_warning) {
  if (absl::StatusOr<int64_t> bytes = CheckFrameHeader(frame, limits); !bytes.ok()) {
    return bytes.status();
  }
  absl::StatusOr<cv::Mat> image;
  if (frame.has_raw()) {
    const v1::RawImage& raw = frame.raw();
    image = image::WrapRaw(raw.width(), raw.height(), raw.channels(), raw.bits_per_sample(),
                           raw.data());
  } else {
    image::DecodeOptions o;
    o.max_pixels = limits.max_pixels;
    o.max_decoded_bytes = limits.max_decoded_bytes;
    o.on_warning = on_warning;
    image = image::DecodeImage(frame.encoded(), o);
  }
  if (!image.ok()) return AsInvalidArgument(image.status());
  if (absl::Status s = CheckSampleType(*image); !s.ok()) return s;
  if (absl::Status s = image::CheckFrameSize(*image, limits.max_pixels); !s.ok()) {
    return AsInvalidArgument(s);
  }
  return image;
}

void SetModelIdentity(const ModelInfo& info, v1::ModelIdentity* out) {
  out->set_name(info.name);
  out->set_version(info.version);
  out->set_weights_sha256(info.weights_sha256);
}

BuiltFrame BuildFrameError(const ModelInfo& model, uint64_t index, int64_t timestamp_us,
                           const absl::Status& status) {
  BuiltFrame b;
  b.result.set_index(index);
  b.result.set_timestamp_us(timestamp_us);
  b.result.mutable_error()->set_code(ToRpcCode(status));
  b.result.mutable_error()->set_message(std::string(status.message()));
  SetModelIdentity(model, b.result.mutable_model());
  return b;
}

BuiltFrame BuildFrameResult(const v1::StreamConfig& config, const ModelInfo& model, uint64_t index,
                            int64_t timestamp_us, FrameJobResult job) {
  const absl::Time t0 = absl::Now();
  BuiltFrame b;
  if (!job.status.ok()) {
    b = BuildFrameError(model, index, timestamp_us, job.status);
  } else {
    b.result.set_index(index);
    b.result.set_timestamp_us(timestamp_us);
    SetModelIdentity(model, b.result.mutable_model());
  }
  v1::Timing* timing = b.result.mutable_timing();
  timing->set_queue_ms(job.queue_ms);
  timing->set_inference_ms(job.inference_ms);
  timing->set_batch_size(job.batch_size);
  if (!job.status.ok()) return b;
  if (job.dropped) {
    b.dropped = true;
    b.result.set_dropped(true);
    return b;
  }
  cv::Mat labels = job.output.labels;
  if (config.cleanup()) labels = image::CleanupLabels(labels);
  if (absl::Status s = EncodeMask(config, labels, b.result.mutable_mask()); !s.ok()) {
    return BuildFrameError(model, index, timestamp_us, s);
  }
  const double sx = config.pixel_spacing_mm_x(), sy = config.pixel_spacing_mm_y();
  const bool spacing = sx > 0 && sy > 0;
  const auto counts = image::CountLabels(labels);
  const int num_classes = std::min<int>(image::kNumClasses, model.class_names.size());
  for (int label = 1; label < num_classes; ++label) {
    v1::ClassResult* c = b.result.add_classes();
    c->set_label(label);
    c->set_name(model.class_names[label]);
    c->set_area_px(counts[label]);
    c->set_area_mm2(spacing ? counts[label] * sx * sy : 0.0);
    if (!config.return_contours()) continue;
    for (const auto& contour : image::ClassContours(labels, static_cast<uint8_t>(label))) {
      v1::Polygon* poly = c->add_contours();
      for (const cv::Point& p : contour) {
        v1::Point* q = poly->add_points();
        q->set_x(p.x);
        q->set_y(p.y);
      }
    }
  }
  b.result.set_uncertainty(job.output.uncertainty);
  b.segmented = true;
  b.lv_area_px = static_cast<double>(counts[1]);
  if (spacing) {
    const metrics::LvGeometry lv = metrics::MeasureLv(labels, sx, sy);
    b.lv_area_mm2 = lv.area_mm2;
    b.lv_volume_ml = lv.volume_area_length_ml;
  }
  timing->set_encode_ms(absl::ToDoubleMilliseconds(absl::Now() - t0));
  return b;
}

}  // namespace botm::server
