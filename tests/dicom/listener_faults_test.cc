// Faults around `botm-dicom listen` with the real botm-server and a real Orthanc: the listener
// is SIGKILLed with an object accepted but not delivered and restarted (results arrive exactly
// once); the service unreachable or refusing with a retry hint (the object waits in the spool
// and is retried); the destination PACS down (results wait and are sent when it is back);
// malformed objects (quarantined with the reason, the listener keeps serving).
#include <signal.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/channel.h"
#include "client/dicom/results.h"
#include "client/dicom/service_segmenter.h"
#include "client/dicom/store_scu.h"
#include "client/dicom/us_reader.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "tests/dicom/dicom_test_util.h"
#include "tests/dicom/held_stream.h"
#include "tests/dicom/orthanc_process.h"
#include "tests/dicom/service_process.h"

namespace botm::dicom {
namespace {

using botm::testing::MakeTempDir;
using botm::testing::PickFreePort;

constexpr absl::Duration kWait = absl::Seconds(60);

absl::Status SendToListener(int port, const std::string& file) {
  StoreDestination d;
  d.called_ae = "BOTMLISTEN";
  d.host = "127.0.0.1";
  d.port = port;
  d.calling_ae = "BOTMTEST";
  return StoreFiles(d, {file});
}

std::vector<std::string> ListenerFlags(const std::string& server, int orthanc_dicom_port) {
  return {"--server=" + server,
          absl::StrCat("--send=ORTHANC@127.0.0.1:", orthanc_dicom_port),
          "--allowed_calling_aes=BOTMTEST,ECHOSCU",
          "--connect_timeout_ms=300",
          "--initial_backoff_ms=200",
          "--max_backoff_ms=1000"};
}

absl::StatusOr<Fixture> MakeFixture(const std::string& dir) {
  FixtureOptions options;
  options.frames = 10;
  options.encoding = FixtureEncoding::kJpegBaseline;
  return WriteSyntheticUltrasound(options, dir + "/us.dcm");
}

std::unique_ptr<testing::Orthanc> StartOrthanc(int dicom_port, int listener_port) {
  testing::OrthancOptions o;
  o.dir = MakeTempDir(absl::StrCat("orthanc_", dicom_port));
  o.dicom_port = dicom_port;
  o.listener_port = listener_port;
  absl::StatusOr<std::unique_ptr<testing::Orthanc>> orthanc = testing::Orthanc::Start(o);
  EXPECT_TRUE(orthanc.ok()) << orthanc.status();
  return orthanc.ok() ? *std::move(orthanc) : nullptr;
}

// Waits until the study holds one SEG and one SR and the listener logged the delivery, then
// checks that it holds exactly one of each.
void ExpectDeliveredOnce(const testing::Orthanc& orthanc, const std::string& study,
                         const std::string& log) {
  ASSERT_TRUE(orthanc.WaitForInstances(study, "SEG", 1, kWait).ok())
      << client::ReadFileToString(log).value_or("");
  ASSERT_TRUE(orthanc.WaitForInstances(study, "SR", 1, kWait).ok());
  ASSERT_TRUE(testing::WaitForLog(log, " done ", kWait));
  EXPECT_EQ(orthanc.Instances(study, "SEG")->size(), 1u);
  EXPECT_EQ(orthanc.Instances(study, "SR")->size(), 1u);
}

TEST(ListenerFaults, KilledWhileTheServiceIsDownThenRestartedDeliversOnce) {
  const std::string dir = MakeTempDir("kill_service");
  const int server_port = PickFreePort(), listener_port = PickFreePort();
  std::unique_ptr<testing::Orthanc> orthanc = StartOrthanc(PickFreePort(), listener_port);
  ASSERT_NE(orthanc, nullptr);
  const std::string server = absl::StrCat("127.0.0.1:", server_port);
  const std::vector<std::string> flags = ListenerFlags(server, orthanc->dicom_port());
  absl::StatusOr<testing::ListenerProcess> listener =
      testing::StartListener(dir + "/spool", listener_port, dir + "/listen1.log", flags);
  ASSERT_TRUE(listener.ok()) << listener.status();
  absl::StatusOr<Fixture> fixture = MakeFixture(dir);
  ASSERT_TRUE(fixture.ok());
  ASSERT_TRUE(SendToListener(listener_port, fixture->path).ok());
  // Accepted and spooled, but the service is unreachable: retried, never dropped.
  ASSERT_TRUE(testing::WaitForLog(dir + "/listen1.log", "will retry", kWait));
  EXPECT_EQ(testing::SpoolFiles(dir + "/spool", "inbox").size(), 1u);
  listener->process->Signal(SIGKILL);
  ASSERT_TRUE(listener->process->Wait(absl::Seconds(10)).ok());

  absl::StatusOr<testing::ServerProcess> service = testing::StartServer(dir, {}, server_port);
  ASSERT_TRUE(service.ok()) << service.status();
  listener = testing::StartListener(dir + "/spool", listener_port, dir + "/listen2.log", flags);
  ASSERT_TRUE(listener.ok()) << listener.status();
  ExpectDeliveredOnce(*orthanc, fixture->study_instance_uid, dir + "/listen2.log");
  EXPECT_TRUE(testing::SpoolFiles(dir + "/spool", "inbox").empty());
  EXPECT_TRUE(testing::SpoolFiles(dir + "/spool", "outbox").empty());
}

std::string SopInstanceUid(const std::string& path) {
  DcmFileFormat file;
  OFString uid;
  if (file.loadFile(path.c_str()).good()) {
    file.getDataset()->findAndGetOFString(DCM_SOPInstanceUID, uid);
  }
  return uid.c_str();
}

TEST(ListenerFaults, DestinationDownResultsWaitThroughAKillAndAreSentOnce) {
  const std::string dir = MakeTempDir("kill_destination");
  absl::StatusOr<testing::ServerProcess> service = testing::StartServer(dir, {});
  ASSERT_TRUE(service.ok()) << service.status();
  const int orthanc_port = PickFreePort(), listener_port = PickFreePort();
  const std::vector<std::string> flags = ListenerFlags(service->address, orthanc_port);
  absl::StatusOr<testing::ListenerProcess> listener =
      testing::StartListener(dir + "/spool", listener_port, dir + "/listen1.log", flags);
  ASSERT_TRUE(listener.ok()) << listener.status();
  absl::StatusOr<Fixture> fixture = MakeFixture(dir);
  ASSERT_TRUE(fixture.ok());
  ASSERT_TRUE(SendToListener(listener_port, fixture->path).ok());
  ASSERT_TRUE(
      testing::WaitForLog(dir + "/listen1.log", "delivery (cstore) failed, will retry", kWait));
  const std::vector<std::string> outbox = testing::SpoolFiles(dir + "/spool", "outbox");
  ASSERT_EQ(outbox.size(), 1u);
  const std::string seg_uid =
      SopInstanceUid(dir + "/spool/outbox/" + outbox.front() + "/" + kSegFile);
  ASSERT_FALSE(seg_uid.empty());
  listener->process->Signal(SIGKILL);
  ASSERT_TRUE(listener->process->Wait(absl::Seconds(10)).ok());

  std::unique_ptr<testing::Orthanc> orthanc = StartOrthanc(orthanc_port, listener_port);
  ASSERT_NE(orthanc, nullptr);
  listener = testing::StartListener(dir + "/spool", listener_port, dir + "/listen2.log", flags);
  ASSERT_TRUE(listener.ok()) << listener.status();
  ExpectDeliveredOnce(*orthanc, fixture->study_instance_uid, dir + "/listen2.log");
  // The spooled results were sent, not made again.
  const std::vector<std::string> seg = *orthanc->Instances(fixture->study_instance_uid, "SEG");
  ASSERT_EQ(seg.size(), 1u);
  ASSERT_TRUE(orthanc->Download(seg.front(), dir + "/seg.dcm").ok());
  EXPECT_EQ(SopInstanceUid(dir + "/seg.dcm"), seg_uid);
  EXPECT_FALSE(absl::StrContains(*client::ReadFileToString(dir + "/listen2.log"), "segmented"));
}

TEST(ListenerFaults, ServiceRefusingWithRetryHintIsRetriedAfterTheHint) {
  const std::string dir = MakeTempDir("refusing");
  absl::StatusOr<testing::ServerProcess> service = testing::StartServer(dir, {"--max_streams=1"});
  ASSERT_TRUE(service.ok()) << service.status();
  const int listener_port = PickFreePort();
  std::unique_ptr<testing::Orthanc> orthanc = StartOrthanc(PickFreePort(), listener_port);
  ASSERT_NE(orthanc, nullptr);
  testing::HeldStream held(service->address);

  // The refusal carries the server's hint through the client library.
  absl::StatusOr<Fixture> fixture = MakeFixture(dir);
  ASSERT_TRUE(fixture.ok());
  absl::StatusOr<UltrasoundClip> clip = ReadUltrasoundFile(fixture->path, ReaderOptions());
  ASSERT_TRUE(clip.ok());
  client::ChannelOptions channel;
  channel.address = service->address;
  absl::StatusOr<ClipSegmentation> refused =
      SegmentThroughService(*client::Connect(channel), *clip, ServiceOptions());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted) << refused.status();
  EXPECT_EQ(client::RetryAfterMs(refused.status()), 1000);

  const std::string log = dir + "/listen.log";
  absl::StatusOr<testing::ListenerProcess> listener = testing::StartListener(
      dir + "/spool", listener_port, log, ListenerFlags(service->address, orthanc->dicom_port()));
  ASSERT_TRUE(listener.ok()) << listener.status();
  ASSERT_TRUE(SendToListener(listener_port, fixture->path).ok());
  // Backoff alone would wait 200 ms; the server's hint (1000 ms) wins.
  ASSERT_TRUE(testing::WaitForLog(log, "retry 1 in 1000 ms", kWait))
      << client::ReadFileToString(log).value_or("");
  // ... and stays the delay when the exponential backoff has grown past it (attempt 4 would
  // back off 1600 ms): a refused object is retried when the server says it can take it.
  ASSERT_TRUE(testing::WaitForLog(log, "retry 4 in 1000 ms", kWait))
      << client::ReadFileToString(log).value_or("");
  EXPECT_TRUE(absl::StrContains(*client::ReadFileToString(log), "RESOURCE_EXHAUSTED"));
  EXPECT_EQ(testing::SpoolFiles(dir + "/spool", "inbox").size(), 1u);
  held.Release();
  ExpectDeliveredOnce(*orthanc, fixture->study_instance_uid, log);
}

TEST(ListenerFaults, MalformedObjectsAreQuarantinedAndTheListenerKeepsServing) {
  const std::string dir = MakeTempDir("quarantine");
  const std::string log = dir + "/listen.log";
  // No service and no PACS are needed: the reader rejects these before either is used.
  absl::StatusOr<testing::ListenerProcess> listener = testing::StartListener(
      dir + "/spool", PickFreePort(), log,
      ListenerFlags(absl::StrCat("127.0.0.1:", PickFreePort()), PickFreePort()));
  ASSERT_TRUE(listener.ok()) << listener.status();
  using testing::Malformation;
  const std::vector<Malformation> kinds = {
      Malformation::kTruncatedPixelData, Malformation::kWrongVr, Malformation::kHugeDimensions,
      Malformation::kMissingPixelData, Malformation::kColourDoppler};
  std::vector<std::string> phrases;
  for (size_t i = 0; i < kinds.size(); ++i) {
    const std::string path = absl::StrCat(dir, "/bad", i, ".dcm");
    absl::StatusOr<std::string> phrase = testing::WriteMalformed(kinds[i], path);
    ASSERT_TRUE(phrase.ok()) << phrase.status();
    phrases.push_back(*phrase);
    ASSERT_TRUE(SendToListener(listener->port, path).ok()) << i;
  }
  const absl::Time deadline = absl::Now() + kWait;
  while (testing::SpoolFiles(dir + "/spool", "quarantine").size() < 2 * kinds.size() &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  std::string reasons;
  for (const std::string& f : testing::SpoolFiles(dir + "/spool", "quarantine")) {
    if (absl::EndsWith(f, ".error.txt")) {
      reasons += *client::ReadFileToString(dir + "/spool/quarantine/" + f);
    }
  }
  for (const std::string& phrase : phrases) {
    EXPECT_TRUE(absl::StrContains(reasons, phrase)) << phrase << " missing in\n" << reasons;
  }
  EXPECT_TRUE(listener->process->running());
  EXPECT_TRUE(SendToListener(listener->port, dir + "/bad0.dcm").ok());  // still accepting
  const std::string logs = *client::ReadFileToString(log);
  EXPECT_FALSE(absl::StrContains(logs, "SENTINEL")) << logs;
}

}  // namespace
}  // namespace botm::dicom
