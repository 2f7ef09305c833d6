// Lossy exports: what a frame looks like after a scanner or PACS has stored it as JPEG baseline
// (DICOM transfer syntax 1.2.840.10008.1.2.4.50, the common way ultrasound cine loops are
// archived) or a video export has compressed it. 8x8 block DCT quantisation leaves blocking,
// ringing beside strong edges (the sector's rim, bright specular lines, burned-in text) and
// faint non-zero values in the black padding; colour frames also lose chroma resolution
// (4:2:0 subsampling), which smears coloured marks into their neighbours.
//
// Used by the generator (ClipOptions::jpeg_quality) and evaluation (botm-eval --jpeg_quality) to
// check that the input policy and the model hold up on such frames; the training data never
// carries them.
//
// Determinism: libjpeg's encoder and decoder (through OpenCV) are integer code with a fixed
// DCT method, so the same frame and quality give the same pixels on every run of a build.
//
// Thread-safety: JpegRoundTrip is a pure function.
#ifndef BOTM_CORE_SYNTH_LOSSY_EXPORT_H_
#define BOTM_CORE_SYNTH_LOSSY_EXPORT_H_

#include <opencv2/core.hpp>

namespace botm::synth {

// JPEG quality range accepted by ClipOptions::jpeg_quality (0 there means lossless). Scanners
// archive at about 85-95; 50 is a strongly compressed video export.
inline constexpr int kMinJpegQuality = 1;
inline constexpr int kMaxJpegQuality = 100;

// Encodes a CV_8UC1 or CV_8UC3 (BGR) frame as baseline JPEG at `quality` (kMinJpegQuality..
// kMaxJpegQuality; colour with 4:2:0 chroma, OpenCV's default) and decodes it again; the result
// has the input's size and type. Any other type, an empty frame or a quality out of range is a
// programming error (checked by the callers' option validation) and returns the input unchanged.
cv::Mat JpegRoundTrip(const cv::Mat& image, int quality);

}  // namespace botm::synth

#endif  // BOTM_CORE_SYNTH_LOSSY_EXPORT_H_
