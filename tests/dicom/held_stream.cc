#include "tests/dicom/held_stream.h"

#include <opencv2/core.hpp>

#include "client/channel.h"
#include "client/stream_client.h"

namespace botm::dicom::testing {

HeldStream::HeldStream(const std::string& address) {
  client::ChannelOptions options;
  options.address = address;
  channel_ = *client::Connect(options);
  stub_ = botm::v1::SegmentationService::NewStub(channel_);
  thread_ = std::thread([this] { Run(); });
  admitted_.WaitForNotification();
}

HeldStream::~HeldStream() {
  Release();
  thread_.join();
}

void HeldStream::Release() {
  if (!released_.HasBeenNotified()) released_.Notify();
}

void HeldStream::Run() {
  client::StreamOptions options;
  int sent = 0;
  const cv::Mat image(64, 64, CV_8UC1, cv::Scalar(60));
  client::RunStream(
      stub_.get(), options,
      [&](botm::v1::Frame* frame) -> absl::StatusOr<bool> {
        if (sent++ == 0) return client::FillFrame(image, client::WireEncoding::kRaw, frame).ok();
        released_.WaitForNotification();
        return false;
      },
      [&](const botm::v1::FrameResult&, double) {
        if (!admitted_.HasBeenNotified()) admitted_.Notify();
      })
      .IgnoreError();
}

}  // namespace botm::dicom::testing
