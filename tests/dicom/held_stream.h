// Test helper: holds one SegmentStream open on a botm-server (its first frame answered, so the
// server admitted it) until released, to fill a --max_streams=1 server.
//
// Thread-safety: the stream runs on its own thread; Release() from any thread.
#ifndef BOTM_TESTS_DICOM_HELD_STREAM_H_
#define BOTM_TESTS_DICOM_HELD_STREAM_H_

#include <memory>
#include <string>
#include <thread>

#include <grpcpp/channel.h>

#include "absl/synchronization/notification.h"
#include "botm/v1/segmentation.grpc.pb.h"

namespace botm::dicom::testing {

class HeldStream {
 public:
  // Blocks until the server answered the stream's first frame.
  explicit HeldStream(const std::string& address);
  ~HeldStream();  // Releases and joins.
  void Release();

 private:
  void Run();

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<botm::v1::SegmentationService::Stub> stub_;
  absl::Notification admitted_, released_;
  std::thread thread_;
};

}  // namespace botm::dicom::testing

#endif  // BOTM_TESTS_DICOM_HELD_STREAM_H_
