#include "client/dicom/dicom_init.h"

#include <mutex>

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdict.h"
#include "dcmtk/dcmdata/dcrledrg.h"
#include "dcmtk/dcmdata/dcrleerg.h"
#include "dcmtk/dcmimage/diregist.h"  // colour support for the JPEG encoder
#include "dcmtk/dcmjpeg/djdecode.h"
#include "dcmtk/dcmjpeg/djencode.h"
#include "dcmtk/dcmjpls/djdecode.h"
#include "dcmtk/oflog/oflog.h"

namespace botm::dicom {

absl::Status InitDicom() {
  static std::once_flag once;
  std::call_once(once, [] {
    // DCMTK logs warnings that may contain attribute values (patient data); only fatal ones
    // are let through. The project's own logs carry hashed UIDs instead.
    OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
    // Colour JPEG comes back as RGB (YCbCr converted), always colour-by-pixel.
    DJDecoderRegistration::registerCodecs(EDC_photometricInterpretation, EUC_never,
                                          EPC_colorByPixel);
    DJLSDecoderRegistration::registerCodecs();
    DcmRLEDecoderRegistration::registerCodecs();
    // Fixtures are created lossy, not converted: they keep their SOP Instance UID.
    DJEncoderRegistration::registerCodecs(ECC_lossyYCbCr, EUC_never);
    DcmRLEEncoderRegistration::registerCodecs();
  });
  if (!dcmDataDict.isDictionaryLoaded()) {
    return absl::FailedPreconditionError(
        "DCMTK data dictionary not loaded (set DCMDICTPATH or install libdcmtk17)");
  }
  return absl::OkStatus();
}

}  // namespace botm::dicom
