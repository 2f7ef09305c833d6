// Segments an ultrasound clip through botm-server (one SegmentStream via the client library):
// crops every frame to the tissue region, sends it with the region's mm calibration and the
// clip's frame rate, and maps the masks back to the source geometry.
//
// Thread-safety: thread-safe; concurrent calls run separate streams on the shared channel.
#ifndef BOTM_CLIENT_DICOM_SERVICE_SEGMENTER_H_
#define BOTM_CLIENT_DICOM_SERVICE_SEGMENTER_H_

#include <cstdint>
#include <memory>
#include <string>

#include <grpcpp/channel.h>

#include "absl/status/statusor.h"
#include "client/dicom/clip_segmentation.h"
#include "client/dicom/us_clip.h"

namespace botm::dicom {

struct ServiceOptions {
  // Frames sent but not yet answered.
  int max_in_flight_frames = 8;
  // Deadline of the whole stream, milliseconds (0 = none).
  int64_t deadline_ms = 300000;
  // Server-side clean-up of the masks (largest component, holes filled).
  bool cleanup = false;
  // Opaque tag for the server's logs; never patient data (the caller passes a hashed UID).
  std::string client_tag;
};

// Runs the stream. Errors keep the server's code (UNAVAILABLE, RESOURCE_EXHAUSTED with its
// retry hint, see client::RetryAfterMs, DEADLINE_EXCEEDED, INVALID_ARGUMENT...); a frame the
// server could not segment fails the whole clip with that frame's code and message; a frame
// answered as dropped fails it with Aborted.
absl::StatusOr<ClipSegmentation> SegmentThroughService(
    const std::shared_ptr<grpc::Channel>& channel, const UltrasoundClip& clip,
    const ServiceOptions& options);

}  // namespace botm::dicom

#endif  // BOTM_CLIENT_DICOM_SERVICE_SEGMENTER_H_
