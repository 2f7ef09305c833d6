#include "client/dicom/store_scp.h"

#include <algorithm>
#include <deque>
#include <filesystem>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "client/dicom/dicom_init.h"
#include "client/dicom/privacy.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmnet/diutil.h"
#include "dcmtk/dcmnet/dul.h"
#include "dcmtk/dcmnet/scpthrd.h"
#include "spdlog/spdlog.h"

namespace botm::dicom {
namespace {

struct ScpContext {
  StoreScpOptions options;
  Spool* spool = nullptr;
  std::function<void()> on_received;
};

bool Allowed(const std::vector<std::string>& list, const OFString& value) {
  return list.empty() || std::find(list.begin(), list.end(), value.c_str()) != list.end();
}

// One association (a fresh object each time): receives into incoming/, commits to the inbox,
// then answers. Its destructor frees the association however it ended.
class Handler : public DcmThreadSCP {
 public:
  explicit Handler(const ScpContext* context) : context_(context) {}

 protected:
  OFBool checkCallingAETitleAccepted(const OFString& ae) override {
    const bool ok = Allowed(context_->options.allowed_calling_aes, ae);
    if (!ok)
      spdlog::warn("dicom-scp: association refused: calling AE '{}' not allowed", ae.c_str());
    return ok;
  }
  OFBool checkCallingHostAccepted(const OFString& /*called address in 3.6.7*/) override {
    const OFString peer = getPeerIP();
    const bool ok = Allowed(context_->options.allowed_calling_hosts, peer);
    if (!ok) spdlog::warn("dicom-scp: association refused: host {} not allowed", peer.c_str());
    return ok;
  }
  OFCondition handleIncomingCommand(T_DIMSE_Message* message,
                                    const DcmPresentationContextInfo& info) override {
    if (message->CommandField != DIMSE_C_STORE_RQ) {
      return DcmThreadSCP::handleIncomingCommand(message, info);
    }
    T_DIMSE_C_StoreRQ& request = message->msg.CStoreRQ;
    Spool* spool = context_->spool;
    const std::string part = spool->NewIncomingPath();
    OFCondition c = receiveSTORERequest(request, info.presentationContextID, part.c_str());
    const std::string uid = HashUid(request.AffectedSOPInstanceUID);
    if (c.bad()) {
      spool->Discard(part);
      spdlog::error("dicom-scp: receiving {} failed: {}", uid, c.text());
      return c;
    }
    const Uint16 status = Commit(part, uid);
    c = sendSTOREResponse(info.presentationContextID, request, status);
    if (status == STATUS_Success && context_->on_received) context_->on_received();
    return c;
  }

 private:
  Uint16 Commit(const std::string& part, const std::string& uid) {
    Spool* spool = context_->spool;
    if (spool->InboxSize() >= context_->options.max_pending_objects) {
      spool->Discard(part);
      spdlog::warn("dicom-scp: refused {}: inbox full ({} objects)", uid,
                   context_->options.max_pending_objects);
      return STATUS_STORE_Refused_OutOfResources;
    }
    std::error_code ec;
    const std::uintmax_t bytes = std::filesystem::file_size(part, ec);
    absl::StatusOr<std::string> id = spool->CommitIncoming(part);
    if (!id.ok()) {
      spool->Discard(part);
      spdlog::error("dicom-scp: cannot spool {}: {}", uid, id.status().ToString());
      return STATUS_STORE_Refused_OutOfResources;
    }
    spdlog::info("dicom-scp: received {} as {} ({} bytes)", uid, *id, bytes);
    return STATUS_Success;
  }

  const ScpContext* context_;
};

void DropAssociation(T_ASC_Association** assoc) {
  ASC_dropSCPAssociation(*assoc);
  ASC_destroyAssociation(assoc);
}

}  // namespace

// How long an association waits for a worker before it is refused as "local limit exceeded".
constexpr absl::Duration kIdleWorkerWait = absl::Seconds(2);

class StoreScp::Impl {
 public:
  Impl(ScpContext context, const DcmSCPConfig& config)
      : context_(std::move(context)), config_(config) {}

  absl::Status Run() {
    dcmDisableGethostbyaddr.set(OFTrue);  // peer addresses as IPs, no DNS lookups
    T_ASC_Network* network = nullptr;
    const OFCondition c = ASC_initializeNetwork(NET_ACCEPTOR, context_.options.port,
                                                context_.options.timeout_s, &network);
    if (c.bad()) {
      return absl::UnavailableError(
          absl::StrCat("SCP: cannot listen on port ", context_.options.port, ": ", c.text()));
    }
    std::vector<std::thread> workers;
    workers.reserve(context_.options.max_associations);
    for (int i = 0; i < context_.options.max_associations; ++i) {
      workers.emplace_back([this] { Serve(); });
    }
    while (!stopping()) Accept(network);
    {
      absl::MutexLock lock(&mu_);
      stop_workers_ = true;
    }
    for (std::thread& t : workers) t.join();
    ASC_dropNetwork(&network);
    return absl::OkStatus();
  }

  void Stop() {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }

 private:
  bool stopping() {
    absl::MutexLock lock(&mu_);
    return stopping_;
  }

  // Waits up to a second for an association; hands it to an idle worker or rejects it.
  void Accept(T_ASC_Network* network) {
    T_ASC_Association* assoc = nullptr;
    const OFCondition c = ASC_receiveAssociation(network, &assoc, ASC_DEFAULTMAXPDU, nullptr,
                                                 nullptr, OFFalse, DUL_NOBLOCK, 1);
    if (c.bad()) {
      if (c != DUL_NOASSOCIATIONREQUEST) spdlog::warn("dicom-scp: bad association: {}", c.text());
      DropAssociation(&assoc);
      return;
    }
    absl::MutexLock lock(&mu_);
    // A worker that has just answered a release is a moment from idle again: wait briefly for
    // one before refusing, so back-to-back associations within the limit are not refused.
    if (mu_.AwaitWithTimeout(absl::Condition(
                                 +[](Impl* impl) ABSL_EXCLUSIVE_LOCKS_REQUIRED(impl->mu_) {
                                   return impl->pending_.size() < static_cast<size_t>(impl->idle_);
                                 },
                                 this),
                             kIdleWorkerWait)) {
      pending_.push_back(assoc);
      return;
    }
    spdlog::warn("dicom-scp: association rejected: all {} association(s) busy",
                 context_.options.max_associations);
    T_ASC_RejectParameters reject = {ASC_RESULT_REJECTEDTRANSIENT,
                                     ASC_SOURCE_SERVICEPROVIDER_PRESENTATION_RELATED,
                                     ASC_REASON_SP_PRES_LOCALLIMITEXCEEDED};
    ASC_rejectAssociation(assoc, &reject);
    DropAssociation(&assoc);
  }

  // Worker thread: serves one association at a time until the accept loop ends.
  void Serve() {
    while (true) {
      T_ASC_Association* assoc = nullptr;
      DcmSharedSCPConfig config;
      {
        absl::MutexLock lock(&mu_);
        ++idle_;
        mu_.Await(absl::Condition(
            +[](Impl* impl) ABSL_EXCLUSIVE_LOCKS_REQUIRED(impl->mu_) {
              return impl->stop_workers_ || !impl->pending_.empty();
            },
            this));
        --idle_;
        if (pending_.empty()) return;
        assoc = pending_.front();
        pending_.pop_front();
        config = config_;
      }
      Handler handler(&context_);
      handler.setSharedConfig(config);
      handler.run(assoc);
    }
  }

  const ScpContext context_;
  absl::Mutex mu_;
  DcmSharedSCPConfig config_ ABSL_GUARDED_BY(mu_);
  std::deque<T_ASC_Association*> pending_ ABSL_GUARDED_BY(mu_);
  int idle_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_workers_ ABSL_GUARDED_BY(mu_) = false;
};

std::vector<std::string> AcceptedTransferSyntaxes() {
  return {UID_JPEGProcess1TransferSyntax,
          UID_JPEGProcess2_4TransferSyntax,
          UID_JPEGProcess14SV1TransferSyntax,
          UID_JPEGProcess14TransferSyntax,
          UID_JPEGLSLosslessTransferSyntax,
          UID_JPEGLSLossyTransferSyntax,
          UID_RLELosslessTransferSyntax,
          UID_LittleEndianExplicitTransferSyntax,
          UID_LittleEndianImplicitTransferSyntax,
          UID_BigEndianExplicitTransferSyntax,
          UID_DeflatedExplicitVRLittleEndianTransferSyntax};
}

absl::StatusOr<std::unique_ptr<StoreScp>> StoreScp::Create(const StoreScpOptions& options,
                                                           Spool* spool,
                                                           std::function<void()> on_received) {
  if (absl::Status s = InitDicom(); !s.ok()) return s;
  if (options.port < 1 || options.port > 65535 || options.max_associations < 1 ||
      options.ae_title.empty() || options.ae_title.size() > 16) {
    return absl::InvalidArgumentError("SCP: bad port, AE title or max_associations");
  }
  DcmSCPConfig config;
  config.setAETitle(options.ae_title.c_str());
  config.setPort(static_cast<Uint16>(options.port));
  config.setACSETimeout(options.timeout_s);
  config.setDIMSETimeout(options.timeout_s);
  config.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
  config.setHostLookupEnabled(OFFalse);
  OFList<OFString> syntaxes;
  for (const std::string& ts : AcceptedTransferSyntaxes()) syntaxes.push_back(ts.c_str());
  OFList<OFString> uncompressed;
  uncompressed.push_back(UID_LittleEndianExplicitTransferSyntax);
  uncompressed.push_back(UID_LittleEndianImplicitTransferSyntax);
  for (const char* sop : {UID_UltrasoundMultiframeImageStorage, UID_UltrasoundImageStorage}) {
    if (config.addPresentationContext(sop, syntaxes).bad()) {
      return absl::InternalError("SCP: cannot configure presentation contexts");
    }
  }
  config.addPresentationContext(UID_VerificationSOPClass, uncompressed);
  return std::unique_ptr<StoreScp>(new StoreScp(
      std::make_unique<Impl>(ScpContext{options, spool, std::move(on_received)}, config)));
}

StoreScp::StoreScp(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StoreScp::~StoreScp() = default;
absl::Status StoreScp::Run() { return impl_->Run(); }
void StoreScp::Stop() { impl_->Stop(); }

}  // namespace botm::dicom
