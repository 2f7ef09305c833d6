#include "client/dicom/store_scu.h"

#include <map>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/dicom/dicom_init.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmnet/scu.h"

namespace botm::dicom {
namespace {

struct FileInfo {
  std::string path;
  std::string sop_class;
  std::string transfer_syntax;
};

absl::StatusOr<FileInfo> Inspect(const std::string& path) {
  DcmFileFormat file;
  // Only the meta header and the first attributes are needed; Pixel Data stays on disk.
  if (OFCondition c = file.loadFile(path.c_str(), EXS_Unknown, EGL_noChange, 4096); c.bad()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read ", path, ": ", c.text()));
  }
  OFString sop_class, xfer;
  file.getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPClassUID, sop_class);
  file.getMetaInfo()->findAndGetOFString(DCM_TransferSyntaxUID, xfer);
  if (sop_class.empty() || xfer.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, " has no SOP class or transfer syntax"));
  }
  return FileInfo{path, sop_class.c_str(), xfer.c_str()};
}

absl::Status Propose(DcmSCU* scu, const std::vector<FileInfo>& files) {
  std::map<std::string, std::set<std::string>> contexts;
  for (const FileInfo& f : files) contexts[f.sop_class].insert(f.transfer_syntax);
  for (const auto& [sop_class, syntaxes] : contexts) {
    OFList<OFString> xfers;
    for (const std::string& ts : syntaxes) xfers.push_back(ts.c_str());
    for (const char* ts :
         {UID_LittleEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax}) {
      if (syntaxes.count(ts) == 0) xfers.push_back(ts);
    }
    if (OFCondition c = scu->addPresentationContext(sop_class.c_str(), xfers); c.bad()) {
      return absl::InternalError(absl::StrCat("presentation context: ", c.text()));
    }
  }
  return absl::OkStatus();
}

absl::Status StatusFor(Uint16 status, const std::string& path) {
  if (status == 0 || (status & 0xF000) == 0xB000) return absl::OkStatus();
  const std::string text = absl::StrFormat("C-STORE of %s answered status 0x%04X", path, status);
  if ((status & 0xFF00) == 0xA700) return absl::UnavailableError(text + " (out of resources)");
  return absl::AbortedError(text);
}

}  // namespace

std::string StoreDestination::ToString() const {
  return absl::StrCat(called_ae, "@", host, ":", port);
}

absl::StatusOr<StoreDestination> ParseDestination(absl::string_view spec) {
  const size_t at = spec.find('@');
  const size_t colon = spec.rfind(':');
  StoreDestination d;
  if (at == absl::string_view::npos || colon == absl::string_view::npos || colon < at || at == 0 ||
      at > 16 || !absl::SimpleAtoi(spec.substr(colon + 1), &d.port) || d.port < 1 ||
      d.port > 65535 || colon == at + 1) {
    return absl::InvalidArgumentError(absl::StrCat("destination '", spec, "' is not AE@HOST:PORT"));
  }
  d.called_ae = std::string(spec.substr(0, at));
  d.host = std::string(spec.substr(at + 1, colon - at - 1));
  return d;
}

absl::Status StoreFiles(const StoreDestination& destination,
                        const std::vector<std::string>& paths) {
  if (absl::Status s = InitDicom(); !s.ok()) return s;
  std::vector<FileInfo> files;
  for (const std::string& p : paths) {
    absl::StatusOr<FileInfo> info = Inspect(p);
    if (!info.ok()) return info.status();
    files.push_back(*info);
  }
  if (files.empty()) return absl::OkStatus();
  DcmSCU scu;
  scu.setAETitle(destination.calling_ae.c_str());
  scu.setPeerAETitle(destination.called_ae.c_str());
  scu.setPeerHostName(destination.host.c_str());
  scu.setPeerPort(static_cast<Uint16>(destination.port));
  scu.setConnectionTimeout(destination.timeout_s);
  scu.setACSETimeout(destination.timeout_s);
  scu.setDIMSETimeout(destination.timeout_s);
  scu.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
  scu.setDatasetConversionMode(OFTrue);  // converts when the peer chose another syntax
  if (absl::Status s = Propose(&scu, files); !s.ok()) return s;
  const std::string peer = destination.ToString();
  if (OFCondition c = scu.initNetwork(); c.bad()) {
    return absl::InternalError(absl::StrCat("network init: ", c.text()));
  }
  if (OFCondition c = scu.negotiateAssociation(); c.bad()) {
    return absl::UnavailableError(absl::StrCat("association with ", peer, " failed: ", c.text()));
  }
  absl::Status result;
  for (const FileInfo& f : files) {
    const T_ASC_PresentationContextID id =
        scu.findAnyPresentationContextID(f.sop_class.c_str(), f.transfer_syntax.c_str());
    if (id == 0) {
      result = absl::FailedPreconditionError(
          absl::StrCat(peer, " accepted no presentation context for SOP class ", f.sop_class));
      break;
    }
    Uint16 status = 0;
    if (OFCondition c = scu.sendSTORERequest(id, f.path.c_str(), nullptr, status); c.bad()) {
      result = absl::UnavailableError(absl::StrCat("C-STORE to ", peer, " failed: ", c.text()));
      break;
    }
    result = StatusFor(status, f.path);
    if (!result.ok()) break;
  }
  if (result.ok()) {
    scu.releaseAssociation();
  } else {
    scu.abortAssociation();
  }
  return result;
}

}  // namespace botm::dicom
