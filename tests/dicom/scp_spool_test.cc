// The C-STORE SCP in-process (what it accepts, refuses and bounds) and the spool's crash
// recovery rules.
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "client/dicom/spool.h"
#include "client/dicom/store_scp.h"
#include "client/dicom/store_scu.h"
#include "client/dicom/synthetic_us.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmnet/scu.h"
#include "tests/client/subprocess.h"
#include "tests/dicom/dicom_test_util.h"

namespace botm::dicom {
namespace {

namespace fs = std::filesystem;

class ScpTest : public ::testing::Test {
 protected:
  void Start(StoreScpOptions options) {
    dir_ =
        botm::testing::MakeTempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    spool_ = *Spool::Open(dir_ + "/spool");
    options.port = port_ = botm::testing::PickFreePort();
    scp_ = *StoreScp::Create(options, spool_.get(), [this] { ++received_; });
    thread_ = std::thread([this] { ASSERT_TRUE(scp_->Run().ok()); });
    FixtureOptions fixture;
    fixture.frames = 2;
    fixture_ = *WriteSyntheticUltrasound(fixture, dir_ + "/us.dcm");
    // C-ECHO (any calling AE unless restricted: ECHOSCU is allowed below) until it listens.
    for (int i = 0; i < 100 && !testing::Echo("BOTMLISTEN", port_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  void TearDown() override {
    if (scp_ != nullptr) scp_->Stop();
    if (thread_.joinable()) thread_.join();
  }
  StoreDestination Destination(const std::string& calling_ae = "TESTSCU") const {
    StoreDestination d;
    d.called_ae = "BOTMLISTEN";
    d.host = "127.0.0.1";
    d.port = port_;
    d.calling_ae = calling_ae;
    d.timeout_s = 5;
    return d;
  }
  absl::Status Send(const StoreDestination& d) { return StoreFiles(d, {fixture_.path}); }

  std::string dir_;
  int port_ = 0;
  std::unique_ptr<Spool> spool_;
  std::unique_ptr<StoreScp> scp_;
  std::thread thread_;
  Fixture fixture_;
  std::atomic<int> received_{0};
};

TEST_F(ScpTest, StoresIntoTheInboxBeforeAnswering) {
  Start(StoreScpOptions());
  ASSERT_TRUE(Send(Destination()).ok());
  const std::vector<std::string> inbox = spool_->Inbox();
  ASSERT_EQ(inbox.size(), 1u);
  EXPECT_EQ(received_.load(), 1);
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile(spool_->InboxPath(inbox.front()).c_str()).good());
  OFString uid;
  file.getDataset()->findAndGetOFString(DCM_SOPInstanceUID, uid);
  EXPECT_EQ(std::string(uid.c_str()), fixture_.sop_instance_uid);
}

TEST_F(ScpTest, RefusesCallingAeTitlesNotAllowed) {
  StoreScpOptions options;
  options.allowed_calling_aes = {"ORTHANC", "ECHOSCU"};
  Start(options);
  const absl::Status s = Send(Destination("INTRUDER"));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_TRUE(spool_->Inbox().empty());
  EXPECT_TRUE(Send(Destination("ORTHANC")).ok());
}

TEST_F(ScpTest, BoundsConcurrentAssociations) {
  StoreScpOptions options;
  options.max_associations = 1;
  Start(options);
  DcmSCU held;
  held.setAETitle("HOLDER");
  held.setPeerAETitle("BOTMLISTEN");
  held.setPeerHostName("127.0.0.1");
  held.setPeerPort(static_cast<Uint16>(port_));
  OFList<OFString> syntaxes;
  syntaxes.push_back(UID_LittleEndianImplicitTransferSyntax);
  held.addPresentationContext(UID_VerificationSOPClass, syntaxes);
  ASSERT_TRUE(held.initNetwork().good());
  ASSERT_TRUE(held.negotiateAssociation().good());
  const absl::Status busy = StoreFiles(Destination(), {fixture_.path});
  EXPECT_EQ(busy.code(), absl::StatusCode::kUnavailable) << busy;
  held.releaseAssociation();
  EXPECT_TRUE(Send(Destination()).ok());
  EXPECT_EQ(spool_->Inbox().size(), 1u);
}

TEST_F(ScpTest, FullInboxAnswersOutOfResources) {
  StoreScpOptions options;
  options.max_pending_objects = 1;
  Start(options);
  ASSERT_TRUE(Send(Destination()).ok());
  const absl::Status full = StoreFiles(Destination(), {fixture_.path});
  EXPECT_EQ(full.code(), absl::StatusCode::kUnavailable) << full;
  EXPECT_TRUE(absl::StrContains(full.message(), "0xA700")) << full;
  EXPECT_EQ(spool_->Inbox().size(), 1u);
  EXPECT_TRUE(fs::is_empty(dir_ + "/spool/incoming"));
}

void Touch(const std::string& path) { std::ofstream(path) << "x"; }

TEST(Spool, RecoveryKeepsExactlyOneCopyOfEveryObject) {
  const std::string root = botm::testing::MakeTempDir("spool_recovery") + "/spool";
  std::unique_ptr<Spool> spool = *Spool::Open(root);
  const std::string part = spool->NewIncomingPath();
  Touch(part);
  const std::string done = *spool->CommitIncoming(part);  // results committed, input left over
  const std::string waiting = *spool->CommitIncoming((Touch(part + "2"), part + "2"));
  const std::string results = *spool->NewResultsDir(done);
  Touch(results + "/seg.dcm");
  ASSERT_TRUE(DurableRename(results, spool->OutboxDir(done)).ok());  // "crash" before cleanup
  Touch(spool->InboxPath(done));
  const std::string half_written = *spool->NewResultsDir(waiting);  // "crash" while writing
  Touch(half_written + "/seg.dcm");
  Touch(spool->NewIncomingPath());  // "crash" while receiving

  spool = *Spool::Open(root);  // restart
  EXPECT_EQ(spool->Inbox(), std::vector<std::string>{waiting});
  EXPECT_EQ(spool->Outbox(), std::vector<std::string>{done});
  EXPECT_TRUE(fs::is_empty(root + "/incoming"));
  EXPECT_FALSE(fs::exists(half_written));
}

TEST(Spool, QuarantineKeepsTheObjectAndTheReason) {
  const std::string root = botm::testing::MakeTempDir("spool_quarantine") + "/spool";
  std::unique_ptr<Spool> spool = *Spool::Open(root);
  const std::string part = spool->NewIncomingPath();
  Touch(part);
  const std::string id = *spool->CommitIncoming(part);
  ASSERT_TRUE(spool->Quarantine(id, "INVALID_ARGUMENT: no Pixel Data").ok());
  EXPECT_TRUE(spool->Inbox().empty());
  EXPECT_EQ(spool->Quarantined(), std::vector<std::string>{id});
  std::ifstream reason(root + "/quarantine/" + id + ".error.txt");
  std::string line;
  std::getline(reason, line);
  EXPECT_EQ(line, "INVALID_ARGUMENT: no Pixel Data");
}

}  // namespace
}  // namespace botm::dicom
