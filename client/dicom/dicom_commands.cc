#include "client/dicom/dicom_commands.h"

#include <signal.h>

#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "client/dicom/privacy.h"
#include "client/dicom/results.h"
#include "spdlog/spdlog.h"

namespace botm::dicom {
namespace {

int Fail(const absl::Status& status, const char* what) {
  std::cerr << "botm-dicom: " << what << ": " << status.ToString() << "\n";
  return kExitFailure;
}

int Send(const SegmentCommand& command, const ResultSet& results) {
  if (command.send) {
    if (absl::Status s = StoreFiles(*command.send, results.dicom_files()); !s.ok()) {
      return Fail(s, "C-STORE");
    }
    std::cout << "sent " << results.dicom_files().size() << " object(s) to "
              << command.send->ToString() << "\n";
  }
  if (command.stow) {
    if (absl::Status s = StowFiles(*command.stow, results.dicom_files()); !s.ok()) {
      return Fail(s, "STOW-RS");
    }
    std::cout << "stored " << results.dicom_files().size() << " object(s) at "
              << command.stow->base_url << "\n";
  }
  return kExitOk;
}

}  // namespace

int RunSegment(const SegmentCommand& command) {
  absl::StatusOr<UltrasoundClip> clip = ReadUltrasoundFile(command.input, command.reader);
  if (!clip.ok()) {
    std::cerr << "botm-dicom: input rejected: " << clip.status().ToString() << "\n";
    return kExitBadInput;
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = client::Connect(command.channel);
  if (!channel.ok()) return Fail(channel.status(), "service");
  ServiceOptions service = command.service;
  service.client_tag = HashUid(clip->source.sop_instance_uid);
  absl::StatusOr<ClipSegmentation> result = SegmentThroughService(*channel, *clip, service);
  if (!result.ok()) return Fail(result.status(), "segmentation");
  std::error_code ec;
  std::filesystem::create_directories(command.out_dir, ec);
  absl::StatusOr<ResultSet> results =
      WriteResults(*clip, *result, command.creator, command.out_dir);
  if (!results.ok()) return Fail(results.status(), "writing results");
  std::cout << "segmented " << clip->frames.size() << " frame(s): " << results->seg.path;
  if (results->sr.has_value()) std::cout << ", " << results->sr->path;
  std::cout << ", " << results->summary_path;
  if (!results->sr.has_value()) std::cout << " (no SR: " << results->sr_skipped_reason << ")";
  std::cout << "\n";
  return Send(command, *results);
}

int RunListen(const ListenerOptions& options) {
  // Signals are taken by sigwait below, so every thread started afterwards blocks them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  absl::StatusOr<std::unique_ptr<Listener>> listener = Listener::Create(options);
  if (!listener.ok()) return Fail(listener.status(), "listener");
  if (absl::Status s = (*listener)->Start(); !s.ok()) return Fail(s, "listener");
  int signal = 0;
  sigwait(&signals, &signal);
  spdlog::info("dicom-listen: signal {}, stopping (spooled objects are kept)", signal);
  (*listener)->Stop();
  const absl::Status scp = (*listener)->scp_status();
  return scp.ok() ? kExitOk : Fail(scp, "listener");
}

int RunMakeFixture(const FixtureOptions& options, const std::string& out) {
  absl::StatusOr<Fixture> fixture = WriteSyntheticUltrasound(options, out);
  if (!fixture.ok()) return Fail(fixture.status(), "fixture");
  std::cout << fixture->sop_instance_uid << "\n";
  return kExitOk;
}

int RunInfo(const std::string& input, const ReaderOptions& reader) {
  absl::StatusOr<UltrasoundClip> clip = ReadUltrasoundFile(input, reader);
  if (!clip.ok()) {
    std::cerr << "botm-dicom: input rejected: " << clip.status().ToString() << "\n";
    return kExitBadInput;
  }
  nlohmann::json j = {
      {"sop_class_uid", clip->source.sop_class_uid},
      {"transfer_syntax_uid", clip->source.transfer_syntax_uid},
      {"photometric_interpretation", clip->source.photometric},
      {"rows", clip->rows},
      {"columns", clip->columns},
      {"frames", clip->frames.size()},
      {"frame_rate_hz", clip->frame_rate_hz},
      {"timing_source", clip->timing_source},
      {"has_region", clip->has_region},
      {"tissue_region", {clip->region.x, clip->region.y, clip->region.width, clip->region.height}},
      {"calibrated", clip->calibration.known()},
      {"pixel_spacing_mm", {clip->calibration.spacing_mm_x, clip->calibration.spacing_mm_y}}};
  std::cout << j.dump(2) << "\n";
  return kExitOk;
}

}  // namespace botm::dicom
