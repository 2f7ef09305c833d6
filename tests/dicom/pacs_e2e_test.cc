// End to end with a real PACS: a JPEG-baseline YBR_FULL_422 cine with sentinel patient data is
// pushed into Orthanc with storescu, routed by Orthanc's REST API to `botm-dicom listen`, which
// segments it through the real botm-server and sends SEG + SR back by C-STORE. Checked through
// Orthanc: both arrived, reference the source, pass dciodvfy, and the SEG masks equal the
// service's masks for the same frames; no log line carries the sentinel patient data.
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/channel.h"
#include "client/dicom/seg_writer.h"
#include "client/dicom/service_segmenter.h"
#include "client/dicom/us_reader.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcsequen.h"
#include "tests/dicom/dicom_test_util.h"
#include "tests/dicom/orthanc_process.h"
#include "tests/dicom/service_process.h"

namespace botm::dicom {
namespace {

using botm::testing::MakeTempDir;

std::string Get(DcmItem* item, const DcmTagKey& tag) {
  OFString value;
  item->findAndGetOFStringArray(tag, value);
  return value.c_str();
}

// The SOP Instance UIDs every SEG frame's Source Image item references.
std::vector<std::string> SegSourceReferences(const std::string& path) {
  std::vector<std::string> refs;
  DcmFileFormat file;
  if (file.loadFile(path.c_str()).bad()) return refs;
  DcmSequenceOfItems* per_frame = nullptr;
  file.getDataset()->findAndGetSequence(DCM_PerFrameFunctionalGroupsSequence, per_frame);
  for (unsigned long i = 0; per_frame != nullptr && i < per_frame->card(); ++i) {
    DcmItem* derivation = nullptr;
    DcmItem* source = nullptr;
    if (per_frame->getItem(i)
            ->findAndGetSequenceItem(DCM_DerivationImageSequence, derivation)
            .good() &&
        derivation->findAndGetSequenceItem(DCM_SourceImageSequence, source).good()) {
      refs.push_back(Get(source, DCM_ReferencedSOPInstanceUID));
    }
  }
  return refs;
}

std::string SrEvidence(const std::string& path) {
  DcmFileFormat file;
  DcmItem* study = nullptr;
  DcmItem* series = nullptr;
  DcmItem* instance = nullptr;
  if (file.loadFile(path.c_str()).bad() ||
      file.getDataset()
          ->findAndGetSequenceItem(DCM_CurrentRequestedProcedureEvidenceSequence, study)
          .bad() ||
      study->findAndGetSequenceItem(DCM_ReferencedSeriesSequence, series).bad() ||
      series->findAndGetSequenceItem(DCM_ReferencedSOPSequence, instance).bad()) {
    return "";
  }
  return Get(instance, DCM_ReferencedSOPInstanceUID);
}

void ExpectValid(const std::string& path) {
  absl::StatusOr<testing::Validation> v = testing::Validate(path);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->errors.empty()) << path << ":\n" << absl::StrJoin(v->errors, "\n");
}

absl::StatusOr<ClipSegmentation> SegmentDirectly(const std::string& path,
                                                 const std::string& address) {
  absl::StatusOr<UltrasoundClip> clip = ReadUltrasoundFile(path, ReaderOptions());
  if (!clip.ok()) return clip.status();
  client::ChannelOptions channel;
  channel.address = address;
  absl::StatusOr<std::shared_ptr<grpc::Channel>> connected = client::Connect(channel);
  if (!connected.ok()) return connected.status();
  return SegmentThroughService(*connected, *clip, ServiceOptions());
}

// Every SEG frame equals the service's mask for its source frame, and the model found the
// heart in some of them.
void ExpectSameMasks(const std::string& seg_path, const ClipSegmentation& direct) {
  absl::StatusOr<std::vector<cv::Mat>> stored = ReadSegmentationLabels(seg_path);
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_EQ(stored->size(), direct.labels.size());
  int segmented = 0;
  for (size_t i = 0; i < stored->size(); ++i) {
    EXPECT_EQ(cv::norm(stored->at(i), direct.labels[i], cv::NORM_INF), 0) << "frame " << i;
    segmented += cv::countNonZero(direct.labels[i]) > 0;
  }
  EXPECT_GT(segmented, 0);
}

void ExpectNoPatientData(const std::string& logs, const FixtureOptions& options,
                         const Fixture& fixture) {
  for (const std::string& secret :
       {options.patient_name, options.patient_id, std::string("SENTINELACC1"),
        std::string("BOTMPATIENT"), fixture.sop_instance_uid, fixture.study_instance_uid}) {
    EXPECT_FALSE(absl::StrContains(logs, secret)) << "a log line contains " << secret;
  }
}

TEST(PacsEndToEnd, OrthancRoutesACineThroughTheListenerAndStoresSegAndSr) {
  const std::string dir = MakeTempDir("e2e");
  absl::StatusOr<testing::ServerProcess> server = testing::StartServer(dir, {});
  ASSERT_TRUE(server.ok()) << server.status();
  const int listener_port = botm::testing::PickFreePort();
  testing::OrthancOptions orthanc_options;
  orthanc_options.dir = MakeTempDir("e2e_orthanc");
  orthanc_options.listener_port = listener_port;
  absl::StatusOr<std::unique_ptr<testing::Orthanc>> orthanc =
      testing::Orthanc::Start(orthanc_options);
  ASSERT_TRUE(orthanc.ok()) << orthanc.status();
  const std::string log = dir + "/listener.log";
  absl::StatusOr<testing::ListenerProcess> listener = testing::StartListener(
      dir + "/spool", listener_port, log,
      {"--server=" + server->address,
       absl::StrCat("--send=ORTHANC@127.0.0.1:", (*orthanc)->dicom_port()),
       "--allowed_calling_aes=ORTHANC,ECHOSCU", "--allowed_calling_hosts=127.0.0.1",
       "--summary_dir=" + dir + "/summaries"});
  ASSERT_TRUE(listener.ok()) << listener.status();

  FixtureOptions options;
  options.frames = 16;
  options.colour = FixtureColour::kRgb;
  options.encoding = FixtureEncoding::kJpegBaseline;
  absl::StatusOr<Fixture> fixture = WriteSyntheticUltrasound(options, dir + "/us.dcm");
  ASSERT_TRUE(fixture.ok()) << fixture.status();
  absl::StatusOr<botm::testing::CommandResult> push =
      botm::testing::RunCommand({"/usr/bin/storescu", "-xy", "-aec", "ORTHANC", "127.0.0.1",
                                 std::to_string((*orthanc)->dicom_port()), fixture->path},
                                absl::Seconds(60));
  ASSERT_TRUE(push.ok() && push->exit_code == 0) << (push.ok() ? push->output : "");
  const std::string study = fixture->study_instance_uid;
  absl::StatusOr<std::vector<std::string>> us =
      (*orthanc)->WaitForInstances(study, "US", 1, absl::Seconds(30));
  ASSERT_TRUE(us.ok()) << us.status();
  const nlohmann::json route = {{"Resources", {us->front()}}, {"Synchronous", true}};
  ASSERT_TRUE((*orthanc)->Post("/modalities/botm/store", route.dump()).ok());

  absl::StatusOr<std::vector<std::string>> seg =
      (*orthanc)->WaitForInstances(study, "SEG", 1, absl::Seconds(120));
  ASSERT_TRUE(seg.ok()) << seg.status() << "\n" << client::ReadFileToString(log).value_or("");
  absl::StatusOr<std::vector<std::string>> sr =
      (*orthanc)->WaitForInstances(study, "SR", 1, absl::Seconds(30));
  ASSERT_TRUE(sr.ok()) << sr.status();
  EXPECT_EQ(seg->size(), 1u);
  EXPECT_EQ(sr->size(), 1u);
  ASSERT_TRUE((*orthanc)->Download(seg->front(), dir + "/seg.dcm").ok());
  ASSERT_TRUE((*orthanc)->Download(sr->front(), dir + "/sr.dcm").ok());
  ExpectValid(dir + "/seg.dcm");
  ExpectValid(dir + "/sr.dcm");
  const std::vector<std::string> refs = SegSourceReferences(dir + "/seg.dcm");
  EXPECT_EQ(refs.size(), 3u * options.frames);
  for (const std::string& r : refs) EXPECT_EQ(r, fixture->sop_instance_uid);
  EXPECT_EQ(SrEvidence(dir + "/sr.dcm"), fixture->sop_instance_uid);

  // The same frames through the service directly: the SEG holds exactly those masks.
  absl::StatusOr<ClipSegmentation> direct = SegmentDirectly(fixture->path, server->address);
  ASSERT_TRUE(direct.ok()) << direct.status();
  ExpectSameMasks(dir + "/seg.dcm", *direct);
  ASSERT_TRUE(testing::WaitForLog(log, "done", absl::Seconds(30)));
  ExpectNoPatientData(client::ReadFileToString(log).value_or("") +
                          client::ReadFileToString(server->log_path).value_or(""),
                      options, *fixture);
  EXPECT_TRUE(testing::SpoolFiles(dir + "/spool", "inbox").empty());
  EXPECT_TRUE(testing::SpoolFiles(dir + "/spool", "outbox").empty());
  // The JSON summary for non-DICOM consumers: same EF as the direct run, no patient data.
  const std::vector<std::string> kept = testing::SpoolFiles(dir, "summaries");
  ASSERT_EQ(kept.size(), 1u);
  const std::string text = *client::ReadFileToString(dir + "/summaries/" + kept.front());
  const nlohmann::json summary = nlohmann::json::parse(text);
  EXPECT_EQ(summary["source"]["sop_instance_uid"], fixture->sop_instance_uid);
  EXPECT_EQ(summary["model"]["weights_sha256"], direct->model.weights_sha256);
  EXPECT_TRUE(absl::StrContains(summary["notice"].get<std::string>(), "RESEARCH USE ONLY"));
  // The partner the service decoded with is on record, as the service reported it.
  EXPECT_GE(direct->partner_offset, 1);
  EXPECT_EQ(summary["partner"]["offset_frames"], direct->partner_offset);
  if (direct->has_ejection_fraction) {
    EXPECT_DOUBLE_EQ(summary["ejection_fraction"]["percent"].get<double>(),
                     direct->ejection_fraction_pct);
  }
  EXPECT_FALSE(absl::StrContains(text, options.patient_name));
  EXPECT_FALSE(absl::StrContains(text, options.patient_id));
}

// The auto-routing script README.md recommends (deploy/orthanc/route-ultrasound-to-botm.lua):
// a cine pushed into Orthanc comes back segmented without any REST call.
TEST(PacsEndToEnd, OrthancLuaScriptRoutesNewCinesToTheListener) {
  const std::string dir = MakeTempDir("lua");
  absl::StatusOr<testing::ServerProcess> server = testing::StartServer(dir, {});
  ASSERT_TRUE(server.ok()) << server.status();
  const int listener_port = botm::testing::PickFreePort();
  testing::OrthancOptions orthanc_options;
  orthanc_options.dir = MakeTempDir("lua_orthanc");
  orthanc_options.listener_port = listener_port;
  orthanc_options.lua_script = BOTM_SOURCE_DIR "/deploy/orthanc/route-ultrasound-to-botm.lua";
  absl::StatusOr<std::unique_ptr<testing::Orthanc>> orthanc =
      testing::Orthanc::Start(orthanc_options);
  ASSERT_TRUE(orthanc.ok()) << orthanc.status();
  absl::StatusOr<testing::ListenerProcess> listener =
      testing::StartListener(dir + "/spool", listener_port, dir + "/listener.log",
                             {"--server=" + server->address,
                              absl::StrCat("--send=ORTHANC@127.0.0.1:", (*orthanc)->dicom_port())});
  ASSERT_TRUE(listener.ok()) << listener.status();
  FixtureOptions options;
  options.frames = 8;
  options.encoding = FixtureEncoding::kJpegBaseline;
  absl::StatusOr<Fixture> fixture = WriteSyntheticUltrasound(options, dir + "/us.dcm");
  ASSERT_TRUE(fixture.ok());
  absl::StatusOr<botm::testing::CommandResult> push =
      botm::testing::RunCommand({"/usr/bin/storescu", "-xy", "-aec", "ORTHANC", "127.0.0.1",
                                 std::to_string((*orthanc)->dicom_port()), fixture->path},
                                absl::Seconds(60));
  ASSERT_TRUE(push.ok() && push->exit_code == 0);
  const std::string study = fixture->study_instance_uid;
  EXPECT_TRUE((*orthanc)->WaitForInstances(study, "SEG", 1, absl::Seconds(60)).ok())
      << (*orthanc)->log();
  EXPECT_TRUE((*orthanc)->WaitForInstances(study, "SR", 1, absl::Seconds(30)).ok());
  EXPECT_EQ((*orthanc)->Instances(study, "US")->size(), 1u);  // results are not routed again
}

TEST(PacsEndToEnd, SegmentCommandStoresResultsByStowRs) {
  const std::string dir = MakeTempDir("stow");
  absl::StatusOr<testing::ServerProcess> server = testing::StartServer(dir, {});
  ASSERT_TRUE(server.ok()) << server.status();
  testing::OrthancOptions orthanc_options;
  orthanc_options.dir = MakeTempDir("stow_orthanc");
  absl::StatusOr<std::unique_ptr<testing::Orthanc>> orthanc =
      testing::Orthanc::Start(orthanc_options);
  ASSERT_TRUE(orthanc.ok()) << orthanc.status();
  FixtureOptions options;
  options.frames = 10;
  absl::StatusOr<Fixture> fixture = WriteSyntheticUltrasound(options, dir + "/us.dcm");
  ASSERT_TRUE(fixture.ok());
  absl::StatusOr<botm::testing::CommandResult> run = botm::testing::RunCommand(
      {BOTM_DICOM_BIN, "segment", fixture->path, "--server=" + server->address,
       "--out=" + dir + "/out", "--stow_url=" + (*orthanc)->url() + "/dicom-web"},
      absl::Seconds(120));
  ASSERT_TRUE(run.ok());
  ASSERT_EQ(run->exit_code, 0) << run->output;
  const std::string study = fixture->study_instance_uid;
  EXPECT_TRUE((*orthanc)->WaitForInstances(study, "SEG", 1, absl::Seconds(10)).ok());
  EXPECT_TRUE((*orthanc)->WaitForInstances(study, "SR", 1, absl::Seconds(10)).ok());
  EXPECT_FALSE(absl::StrContains(run->output, options.patient_name));
}

}  // namespace
}  // namespace botm::dicom
