// botm-dicom: the DICOM bridge's command line (see client/dicom/README.md).
//   botm-dicom segment FILE --server ADDR --out DIR [--send AE@HOST:PORT] [--stow_url URL]
//   botm-dicom listen --spool_dir DIR --send AE@HOST:PORT [--port 11112 --ae_title BOTMLISTEN ...]
//   botm-dicom make-fixture --out FILE [--frames N --encoding jpeg-baseline --colour rgb ...]
//   botm-dicom info FILE
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_split.h"
#include "client/dicom/dicom_commands.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "botm-server address");
ABSL_FLAG(std::string, tls_ca, "", "PEM CA of the server certificate (TLS when set)");
ABSL_FLAG(std::string, tls_cert, "", "PEM client certificate (mutual TLS)");
ABSL_FLAG(std::string, tls_key, "", "PEM client key (mutual TLS)");
ABSL_FLAG(int64_t, connect_timeout_ms, 5000, "Wait for the service connection, ms");
ABSL_FLAG(int64_t, stream_deadline_ms, 300000, "Deadline of one clip's stream, ms");
ABSL_FLAG(bool, cleanup, false, "Server-side mask clean-up");
ABSL_FLAG(int, max_frames, 2000, "Most frames per object");
ABSL_FLAG(int64_t, max_frame_pixels, 16777216, "Largest Rows x Columns");
ABSL_FLAG(std::string, out, "", "segment: results folder; make-fixture: output file");
ABSL_FLAG(std::string, send, "", "C-STORE destination AE@HOST:PORT");
ABSL_FLAG(std::string, stow_url, "", "DICOMweb root for STOW-RS (e.g. http://h:8042/dicom-web)");
ABSL_FLAG(std::string, calling_ae, "BOTMDICOM", "Our AE title when sending");
ABSL_FLAG(std::string, ae_title, "BOTMLISTEN", "listen: our AE title");
ABSL_FLAG(int, port, 11112, "listen: DICOM port");
ABSL_FLAG(std::string, allowed_calling_aes, "", "listen: comma-separated AE titles (empty = any)");
ABSL_FLAG(std::string, allowed_calling_hosts, "", "listen: comma-separated peer IPs (empty = any)");
ABSL_FLAG(int, max_associations, 4, "listen: concurrent associations");
ABSL_FLAG(int, max_pending_objects, 100, "listen: inbox size before C-STOREs are refused");
ABSL_FLAG(std::string, spool_dir, "", "listen: spool folder (kept across restarts)");
ABSL_FLAG(int, processing_threads, 2, "listen: objects segmented at once");
ABSL_FLAG(std::string, summary_dir, "", "listen: keep each delivered summary.json here");
ABSL_FLAG(int64_t, initial_backoff_ms, 1000, "listen: first retry delay, ms");
ABSL_FLAG(int64_t, max_backoff_ms, 60000, "listen: longest retry delay, ms");
ABSL_FLAG(int, dimse_timeout_s, 30, "Network timeouts, seconds");
ABSL_FLAG(int, frames, 12, "make-fixture: frames");
ABSL_FLAG(uint64_t, seed, 7, "make-fixture: synthetic clip seed");
ABSL_FLAG(int, sector_px, 128, "make-fixture: sector size, pixels");
ABSL_FLAG(std::string, colour, "mono", "make-fixture: mono | rgb");
ABSL_FLAG(std::string, encoding, "jpeg-baseline",
          "make-fixture: explicit | implicit | jpeg-baseline | jpeg-lossless | rle");
ABSL_FLAG(std::string, timing, "frame-time",
          "make-fixture: frame-time | frame-time-vector | cine-rate | none");
ABSL_FLAG(bool, regions, true, "make-fixture: write the Sequence of Ultrasound Regions");
ABSL_FLAG(bool, calibrated, true, "make-fixture: regions in cm");
ABSL_FLAG(bool, colour_flow, false, "make-fixture: add a Color Flow region");
ABSL_FLAG(bool, single_frame, false, "make-fixture: Ultrasound Image Storage, one frame");

namespace botm::dicom {
namespace {

std::vector<std::string> List(const std::string& csv) {
  return absl::StrSplit(csv, ',', absl::SkipEmpty());
}

client::ChannelOptions Channel() {
  client::ChannelOptions c;
  c.address = absl::GetFlag(FLAGS_server);
  c.tls_ca_path = absl::GetFlag(FLAGS_tls_ca);
  c.tls_cert_path = absl::GetFlag(FLAGS_tls_cert);
  c.tls_key_path = absl::GetFlag(FLAGS_tls_key);
  c.connect_timeout_ms = absl::GetFlag(FLAGS_connect_timeout_ms);
  return c;
}

// Fills the shared destination and service options; false (after a message) on bad flags.
bool Common(std::optional<StoreDestination>* send, std::optional<StowOptions>* stow,
            ServiceOptions* service, ReaderOptions* reader) {
  if (!absl::GetFlag(FLAGS_send).empty()) {
    absl::StatusOr<StoreDestination> d = ParseDestination(absl::GetFlag(FLAGS_send));
    if (!d.ok()) {
      std::cerr << d.status().message() << "\n";
      return false;
    }
    d->calling_ae = absl::GetFlag(FLAGS_calling_ae);
    d->timeout_s = absl::GetFlag(FLAGS_dimse_timeout_s);
    *send = *d;
  }
  if (!absl::GetFlag(FLAGS_stow_url).empty()) {
    StowOptions o;
    o.base_url = absl::GetFlag(FLAGS_stow_url);
    *stow = o;
  }
  service->deadline_ms = absl::GetFlag(FLAGS_stream_deadline_ms);
  service->cleanup = absl::GetFlag(FLAGS_cleanup);
  reader->max_frames = absl::GetFlag(FLAGS_max_frames);
  reader->max_frame_pixels = absl::GetFlag(FLAGS_max_frame_pixels);
  return true;
}

int Listen() {
  ListenerOptions o;
  if (!Common(&o.store_destination, &o.stow_destination, &o.service, &o.reader)) return kExitUsage;
  o.scp.ae_title = absl::GetFlag(FLAGS_ae_title);
  o.scp.port = absl::GetFlag(FLAGS_port);
  o.scp.allowed_calling_aes = List(absl::GetFlag(FLAGS_allowed_calling_aes));
  o.scp.allowed_calling_hosts = List(absl::GetFlag(FLAGS_allowed_calling_hosts));
  o.scp.max_associations = absl::GetFlag(FLAGS_max_associations);
  o.scp.max_pending_objects = static_cast<size_t>(absl::GetFlag(FLAGS_max_pending_objects));
  o.scp.timeout_s = absl::GetFlag(FLAGS_dimse_timeout_s);
  o.spool_dir = absl::GetFlag(FLAGS_spool_dir);
  o.service_channel = Channel();
  o.processing_threads = absl::GetFlag(FLAGS_processing_threads);
  o.summary_dir = absl::GetFlag(FLAGS_summary_dir);
  o.initial_backoff_ms = absl::GetFlag(FLAGS_initial_backoff_ms);
  o.max_backoff_ms = absl::GetFlag(FLAGS_max_backoff_ms);
  return RunListen(o);
}

int Segment(const std::string& input) {
  SegmentCommand c;
  if (!Common(&c.send, &c.stow, &c.service, &c.reader)) return kExitUsage;
  c.input = input;
  c.out_dir = absl::GetFlag(FLAGS_out);
  c.channel = Channel();
  if (c.out_dir.empty()) {
    std::cerr << "segment needs --out DIR\n";
    return kExitUsage;
  }
  return RunSegment(c);
}

template <typename T>
bool Pick(const std::map<std::string, T>& choices, const std::string& name, T* out) {
  const auto it = choices.find(name);
  if (it == choices.end()) {
    std::cerr << "unknown value '" << name << "'\n";
    return false;
  }
  *out = it->second;
  return true;
}

int MakeFixture() {
  FixtureOptions o;
  o.frames = absl::GetFlag(FLAGS_frames);
  o.seed = absl::GetFlag(FLAGS_seed);
  o.sector_px = absl::GetFlag(FLAGS_sector_px);
  o.regions = absl::GetFlag(FLAGS_regions);
  o.calibrated = absl::GetFlag(FLAGS_calibrated);
  o.colour_flow_region = absl::GetFlag(FLAGS_colour_flow);
  o.multiframe = !absl::GetFlag(FLAGS_single_frame);
  const bool ok =
      Pick<FixtureColour>({{"mono", FixtureColour::kMonochrome2}, {"rgb", FixtureColour::kRgb}},
                          absl::GetFlag(FLAGS_colour), &o.colour) &&
      Pick<FixtureEncoding>({{"explicit", FixtureEncoding::kExplicitLittle},
                             {"implicit", FixtureEncoding::kImplicitLittle},
                             {"jpeg-baseline", FixtureEncoding::kJpegBaseline},
                             {"jpeg-lossless", FixtureEncoding::kJpegLossless},
                             {"rle", FixtureEncoding::kRle}},
                            absl::GetFlag(FLAGS_encoding), &o.encoding) &&
      Pick<FixtureTiming>({{"frame-time", FixtureTiming::kFrameTime},
                           {"frame-time-vector", FixtureTiming::kFrameTimeVector},
                           {"cine-rate", FixtureTiming::kCineRate},
                           {"none", FixtureTiming::kNone}},
                          absl::GetFlag(FLAGS_timing), &o.timing);
  if (!ok || absl::GetFlag(FLAGS_out).empty()) return kExitUsage;
  return RunMakeFixture(o, absl::GetFlag(FLAGS_out));
}

}  // namespace
}  // namespace botm::dicom

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "botm-dicom segment FILE --server ADDR --out DIR [--send AE@HOST:PORT] [--stow_url URL]\n"
      "botm-dicom listen --spool_dir DIR (--send AE@HOST:PORT | --stow_url URL) [--port ...]\n"
      "botm-dicom make-fixture --out FILE [--frames N --encoding E --colour C]\n"
      "botm-dicom info FILE");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");
  const std::string command = args.size() > 1 ? args[1] : "";
  const std::string file = args.size() > 2 ? args[2] : "";
  if (command == "segment" && args.size() == 3) return botm::dicom::Segment(file);
  if (command == "listen" && args.size() == 2) return botm::dicom::Listen();
  if (command == "make-fixture" && args.size() == 2) return botm::dicom::MakeFixture();
  if (command == "info" && args.size() == 3) {
    botm::dicom::ReaderOptions reader;
    return botm::dicom::RunInfo(file, reader);
  }
  std::cerr << absl::ProgramUsageMessage() << "\n";
  return botm::dicom::kExitUsage;
}
