// The subcommands of botm-dicom, callable without flags (dicom_main.cc parses the flags).
//
// Thread-safety: each command runs on the calling thread (listen starts its own threads).
#ifndef BOTM_CLIENT_DICOM_DICOM_COMMANDS_H_
#define BOTM_CLIENT_DICOM_DICOM_COMMANDS_H_

#include <optional>
#include <string>

#include "client/channel.h"
#include "client/dicom/listener.h"
#include "client/dicom/service_segmenter.h"
#include "client/dicom/store_scu.h"
#include "client/dicom/stow_client.h"
#include "client/dicom/synthetic_us.h"
#include "client/dicom/us_reader.h"

namespace botm::dicom {

// Exit codes: 0 ok, 1 failure (service, network, write), 2 the input was rejected (not a
// usable ultrasound object), 64 usage.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitUsage = 64;

struct SegmentCommand {
  std::string input;
  std::string out_dir;
  client::ChannelOptions channel;
  ServiceOptions service;
  ReaderOptions reader;
  CreatorInfo creator;
  std::optional<StoreDestination> send;
  std::optional<StowOptions> stow;
};

// Reads the file, segments it through the service, writes seg.dcm/sr.dcm/summary.json into
// out_dir and sends them when asked. Prints one summary line (no patient data) to stdout.
int RunSegment(const SegmentCommand& command);

// Runs the listener until SIGINT or SIGTERM, then stops gracefully (exit 0).
int RunListen(const ListenerOptions& options);

// Writes a synthetic ultrasound object (fixtures, demos) and prints its SOP Instance UID.
int RunMakeFixture(const FixtureOptions& options, const std::string& out);

// Prints what the reader makes of a file as JSON (no patient data); exit 2 when rejected.
int RunInfo(const std::string& input, const ReaderOptions& reader);

}  // namespace botm::dicom

#endif  // BOTM_CLIENT_DICOM_DICOM_COMMANDS_H_
