#include "client/dicom/sr_writer.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/dicom/coded_concepts.h"
#include "client/dicom/dicom_init.h"
#include "client/dicom/uid.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmsr/cmr/tid1500.h"
#include "dcmtk/dcmsr/codes/dcm.h"
#include "dcmtk/dcmsr/dsrdoc.h"

namespace botm::dicom {
namespace {

using Group = CMR_TID1501_in_TID1500;

DSRCodedEntryValue Coded(const Code& c) { return DSRCodedEntryValue(c.value, c.scheme, c.meaning); }

absl::Status Check(const OFCondition& c, const char* what) {
  if (c.good()) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("SR: ", what, ": ", c.text()));
}

DSRImageReferenceValue SourceFrames(const UltrasoundClip& source,
                                    std::initializer_list<int> frames) {
  DSRImageReferenceValue image(source.source.sop_class_uid.c_str(),
                               source.source.sop_instance_uid.c_str());
  for (int f : frames) image.getFrameList().addItem(static_cast<Sint32>(f + 1));
  return image;
}

// A stable Device Observer UID per model: the first 128 bits of its weights digest.
std::string DeviceUid(const AlgorithmIdentity& model) {
  if (model.weights_sha256.size() < 32) return NewUid();
  const uint64_t high = std::strtoull(model.weights_sha256.substr(0, 16).c_str(), nullptr, 16);
  const uint64_t low = std::strtoull(model.weights_sha256.substr(16, 16).c_str(), nullptr, 16);
  return UidFromUuid(high, low);
}

absl::Status AddAreaGroup(TID1500_MeasurementReport& report, const UltrasoundClip& source,
                          const ClipSegmentation& result, const char* phase, int frame) {
  report.addIndividualMeasurements();
  Group& group = report.getIndividualMeasurements();
  group.setTrackingIdentifier(
      absl::StrCat("LV cavity at ", phase, " (frame ", frame + 1, ")").c_str());
  group.setTrackingUniqueIdentifier(NewUid().c_str());
  group.setFinding(Coded(kLeftVentricle));
  const std::string value = absl::StrFormat("%.1f", result.area_mm2[frame][1]);
  if (absl::Status s =
          Check(group.addMeasurement(
                    CMR_CID7469(CMR_CID7469::Area),
                    Group::MeasurementValue(value.c_str(), CMR_CID7181::SquareMillimeter)),
                "area");
      !s.ok()) {
    return s;
  }
  Group::TID300_Measurement& m = group.getMeasurement();
  m.setEquivalentMeaningOfConceptName(absl::StrCat("LV cavity area at ", phase).c_str());
  return Check(m.addImage(CODE_DCM_SourceOfMeasurement, SourceFrames(source, {frame})), "image");
}

absl::Status AddEjectionFractionGroup(TID1500_MeasurementReport& report,
                                      const UltrasoundClip& source,
                                      const ClipSegmentation& result) {
  report.addIndividualMeasurements();
  Group& group = report.getIndividualMeasurements();
  group.setTrackingIdentifier("LV ejection fraction");
  group.setTrackingUniqueIdentifier(NewUid().c_str());
  group.setFinding(Coded(kLeftVentricle));
  const std::string value = absl::StrFormat("%.1f", result.ejection_fraction_pct);
  if (absl::Status s =
          Check(group.addMeasurement(CMR_CID7469(Coded(kLvEjectionFraction)),
                                     Group::MeasurementValue(value.c_str(), CMR_CID7181::Percent)),
                "EF");
      !s.ok()) {
    return s;
  }
  Group::TID300_Measurement& m = group.getMeasurement();
  m.setMeasurementMethod(CMR_CID6147(Coded(kAreaLengthSinglePlane)));
  return Check(m.addImage(CODE_DCM_SourceOfMeasurement,
                          SourceFrames(source, {result.ef_ed_frame, result.ef_es_frame})),
               "image");
}

absl::Status BuildReport(TID1500_MeasurementReport& report, const UltrasoundClip& source,
                         const ClipSegmentation& result, const CreatorInfo& creator) {
  report.setLanguage(CID5000_Languages::English);
  const AlgorithmIdentity& model = result.model;
  report.getObservationContext().addDeviceObserver(
      DeviceUid(model).c_str(), absl::StrCat(model.name, " ", model.version).c_str(),
      creator.manufacturer.c_str(), model.name.c_str(), model.weights_sha256.c_str());
  report.addProcedureReported(CMR_CID100(Coded(kEchocardiography)));
  DcmDataset header(*source.header);
  report.getImageLibrary().addImageGroup();
  report.getImageLibrary().addImageEntry(header, TID1600_ImageLibrary::withoutDescriptors);
  if (absl::Status s = AddAreaGroup(report, source, result, "end-diastole", result.ef_ed_frame);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = AddAreaGroup(report, source, result, "end-systole", result.ef_es_frame);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = AddEjectionFractionGroup(report, source, result); !s.ok()) return s;
  return Check(
      report.addQualitativeEvaluation(
          CODE_DCM_Comment, absl::StrCat(kResearchUseOnly, ". Model ", model.name, " ",
                                         model.version, ", weights sha256 ", model.weights_sha256,
                                         ". EF: single-plane area-length from the LV cavity masks.")
                                .c_str()),
      "comment");
}

// Patient and study attributes are copied from the source so that the report files with it.
void CopyPatientAndStudy(const DcmDataset& source, DcmDataset* ds) {
  static const DcmTagKey kTags[] = {DCM_SpecificCharacterSet,
                                    DCM_PatientName,
                                    DCM_PatientID,
                                    DCM_IssuerOfPatientID,
                                    DCM_PatientBirthDate,
                                    DCM_PatientSex,
                                    DCM_PatientAge,
                                    DCM_StudyInstanceUID,
                                    DCM_StudyDate,
                                    DCM_StudyTime,
                                    DCM_StudyID,
                                    DCM_AccessionNumber,
                                    DCM_ReferringPhysicianName,
                                    DCM_StudyDescription};
  DcmDataset& header = const_cast<DcmDataset&>(source);
  for (const DcmTagKey& tag : kTags) {
    DcmElement* element = nullptr;
    if (header.findAndGetElement(tag, element).good() && element != nullptr) {
      ds->insert(static_cast<DcmElement*>(element->clone()), OFTrue);
    }
  }
}

}  // namespace

bool CanWriteMeasurementReport(const ClipSegmentation& result) {
  const int n = static_cast<int>(result.area_mm2.size());
  return result.calibrated && result.has_ejection_fraction && result.ef_ed_frame >= 0 &&
         result.ef_es_frame >= 0 && result.ef_ed_frame < n && result.ef_es_frame < n;
}

absl::StatusOr<DerivedObject> WriteMeasurementReport(const UltrasoundClip& source,
                                                     const ClipSegmentation& result,
                                                     const CreatorInfo& creator,
                                                     const std::string& path) {
  if (absl::Status s = InitDicom(); !s.ok()) return s;
  if (!CanWriteMeasurementReport(result)) {
    return absl::FailedPreconditionError("SR needs a calibrated source and an ED/ES pair");
  }
  TID1500_MeasurementReport report(CMR_CID7021::ImagingMeasurementReport);
  if (absl::Status s = BuildReport(report, source, result, creator); !s.ok()) return s;
  DSRDocument doc;
  if (absl::Status s = Check(
          doc.setTreeFromRootTemplate(report, OFTrue /* expand included templates */), "tree");
      !s.ok())
    return s;
  DerivedObject out;
  out.path = path;
  out.series_instance_uid = NewUid();
  out.sop_instance_uid = NewUid();
  doc.createNewSeriesInStudy(source.source.study_instance_uid.c_str());
  doc.setSeriesNumber(std::to_string(creator.sr_series_number).c_str());
  doc.setSeriesDescription("BOTM measurements - RESEARCH USE ONLY");
  doc.setManufacturer(creator.manufacturer.c_str());
  doc.setManufacturerModelName(creator.model_name.c_str());
  doc.setDeviceSerialNumber(creator.device_serial_number.c_str());
  doc.setSoftwareVersions(creator.software_version.c_str());
  doc.getCurrentRequestedProcedureEvidence().addItem(
      source.source.study_instance_uid.c_str(), source.source.series_instance_uid.c_str(),
      source.source.sop_class_uid.c_str(), source.source.sop_instance_uid.c_str());
  DcmFileFormat file;
  DcmDataset* ds = file.getDataset();
  if (absl::Status s = Check(doc.write(*ds), "write"); !s.ok()) return s;
  CopyPatientAndStudy(*source.header, ds);
  // DSRDocument makes its UIDs under DCMTK's root; the project's own (2.25) UIDs replace them.
  ds->putAndInsertString(DCM_SeriesInstanceUID, out.series_instance_uid.c_str());
  ds->putAndInsertString(DCM_SOPInstanceUID, out.sop_instance_uid.c_str());
  OFString sop_class;
  ds->findAndGetOFString(DCM_SOPClassUID, sop_class);
  out.sop_class_uid = sop_class.c_str();
  if (absl::Status s = Check(file.saveFile(path.c_str(), EXS_LittleEndianExplicit), "save");
      !s.ok()) {
    return s;
  }
  return out;
}

}  // namespace botm::dicom
