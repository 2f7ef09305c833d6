// What the SEG and SR writers share: the algorithm identity stamped into every output, the
// creator's equipment identity, and the description of a written object.
//
// Thread-safety: plain values.
#ifndef BOTM_CLIENT_DICOM_DERIVED_OBJECT_H_
#define BOTM_CLIENT_DICOM_DERIVED_OBJECT_H_

#include <string>

namespace botm::dicom {

// The marking every output carries (SEG Image Comments and Series Description, SR text, JSON).
inline constexpr char kResearchUseOnly[] =
    "RESEARCH USE ONLY - not a medical device, not for clinical decisions";

// The model that produced the masks, as the service reports it (botm.v1.ModelIdentity).
struct AlgorithmIdentity {
  std::string name;
  std::string version;
  std::string weights_sha256;
};

// Equipment attributes of the objects this software creates (General Equipment Module).
struct CreatorInfo {
  std::string manufacturer = "BOTM project";
  std::string model_name = "botm-dicom";
  std::string device_serial_number = "1";
  std::string software_version = "0.1.0";
  int seg_series_number = 9001;  // Series Number of SEG series
  int sr_series_number = 9002;   // Series Number of SR series
};

struct DerivedObject {
  std::string path;
  std::string sop_class_uid;
  std::string sop_instance_uid;
  std::string series_instance_uid;
};

}  // namespace botm::dicom

#endif  // BOTM_CLIENT_DICOM_DERIVED_OBJECT_H_
