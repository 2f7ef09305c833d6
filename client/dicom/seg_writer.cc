#include "client/dicom/seg_writer.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "client/dicom/coded_concepts.h"
#include "client/dicom/dicom_init.h"
#include "client/dicom/uid.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcsequen.h"
#include "dcmtk/dcmfg/fgderimg.h"
#include "dcmtk/dcmfg/fgfracon.h"
#include "dcmtk/dcmiod/iodreferences.h"
#include "dcmtk/dcmseg/segdoc.h"
#include "dcmtk/dcmseg/segment.h"

namespace botm::dicom {
namespace {

CodeSequenceMacro Coded(const Code& c) { return CodeSequenceMacro(c.value, c.scheme, c.meaning); }

absl::Status Check(const OFCondition& c, const char* what) {
  if (c.good()) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("SEG: ", what, ": ", c.text()));
}

absl::Status AddSegment(DcmSegmentation* seg, const SegmentConcept& concept,
                        const AlgorithmIdentity& algorithm) {
  DcmSegment* segment = nullptr;
  if (absl::Status s = Check(DcmSegment::create(segment, concept.name, Coded(kAnatomicalStructure),
                                                Coded(concept.type), DcmSegTypes::SAT_AUTOMATIC,
                                                algorithm.name.c_str()),
                             "segment");
      !s.ok()) {
    return s;
  }
  std::unique_ptr<DcmSegment> owned(segment);
  segment->setSegmentDescription(concept.description);
  segment->setRecommendedDisplayGrayscaleValue(static_cast<Uint16>(concept.display_grey));
  segment->getGeneralAnatomyCode().getAnatomicRegion() =
      Coded(concept.region_is_lv ? kLeftVentricle : kHeart);
  AlgorithmIdentificationMacro& id = segment->getSegmentationAlgorithmIdentification();
  id.getAlgorithmFamilyCode() = Coded(kArtificialIntelligence);
  id.setAlgorithmName(algorithm.name.c_str());
  id.setAlgorithmVersion(algorithm.version.c_str());
  id.setAlgorithmParameters(
      absl::StrCat("weights_sha256=", algorithm.weights_sha256, "; ", kResearchUseOnly).c_str());
  Uint16 number = 0;
  if (absl::Status s = Check(seg->addSegment(owned.get(), number), "addSegment"); !s.ok()) {
    return s;
  }
  static_cast<void>(owned.release());  // the segmentation owns it now
  if (number != concept.label) return absl::InternalError("SEG: segment numbering out of order");
  return absl::OkStatus();
}

// Adds one frame per source frame for segment `label`: the set pixels are mask == label.
absl::Status AddFrames(DcmSegmentation* seg, const UltrasoundClip& source,
                       const std::vector<cv::Mat>& labels, int label) {
  ImageSOPInstanceReferenceMacro ref;
  ref.setReferencedSOPClassUID(source.source.sop_class_uid.c_str());
  ref.setReferencedSOPInstanceUID(source.source.sop_instance_uid.c_str());
  std::unique_ptr<FGDerivationImage> derivation(DcmSegmentation::createDerivationImageFG(
      OFVector<ImageSOPInstanceReferenceMacro>(1, ref), "BOTM model inference"));
  if (derivation == nullptr) return absl::InternalError("SEG: derivation image group");
  cv::Mat bits;
  for (size_t f = 0; f < labels.size(); ++f) {
    FGFrameContent content;
    content.setDimensionIndexValues(static_cast<Uint32>(label), 0);
    content.setDimensionIndexValues(static_cast<Uint32>(f + 1), 1);
    content.setTemporalPositionIndex(static_cast<Uint32>(f + 1));
    cv::compare(labels[f], label, bits, cv::CMP_EQ);
    OFVector<FGBase*> groups;
    groups.push_back(derivation.get());
    groups.push_back(&content);
    if (absl::Status s =
            Check(seg->addFrame(bits.data, static_cast<Uint16>(label), groups), "addFrame");
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

// Work-around: inserts Referenced Frame Number (1-based source frame) into each per-frame
// Derivation Image / Source Image item; frames are ordered segment-major.
absl::Status InsertReferencedFrameNumbers(DcmDataset* ds, size_t num_source_frames) {
  DcmSequenceOfItems* per_frame = nullptr;
  if (ds->findAndGetSequence(DCM_PerFrameFunctionalGroupsSequence, per_frame).bad()) {
    return absl::InternalError("SEG: no Per-frame Functional Groups Sequence");
  }
  for (unsigned long i = 0; i < per_frame->card(); ++i) {
    DcmItem* source_item = nullptr;
    DcmItem* derivation = nullptr;
    if (per_frame->getItem(i)
            ->findAndGetSequenceItem(DCM_DerivationImageSequence, derivation)
            .bad() ||
        derivation->findAndGetSequenceItem(DCM_SourceImageSequence, source_item).bad()) {
      return absl::InternalError("SEG: per-frame item without a Source Image Sequence");
    }
    const std::string frame = std::to_string(i % num_source_frames + 1);
    source_item->putAndInsertString(DCM_ReferencedFrameNumber, frame.c_str());
  }
  return absl::OkStatus();
}

// Fixes what DCMTK writes for a source without Frame of Reference: Patient Orientation (type 2C
// in the General Image Module when there is no Image Orientation) is copied from the source or
// left empty, and the Frame of Reference module's empty Position Reference Indicator is removed.
// Lossy Image Compression follows the source (DCMTK always writes "00").
void FixUltrasoundAttributes(DcmDataset* ds, const UltrasoundClip& source) {
  DcmDataset* header = const_cast<DcmDataset*>(source.header.get());
  OFString orientation;
  header->findAndGetOFStringArray(DCM_PatientOrientation, orientation);
  ds->putAndInsertString(DCM_PatientOrientation, orientation.c_str());
  delete ds->remove(DCM_PositionReferenceIndicator);
  if (!source.source.lossy) return;
  OFString method, ratio;
  header->findAndGetOFStringArray(DCM_LossyImageCompressionMethod, method);
  header->findAndGetOFStringArray(DCM_LossyImageCompressionRatio, ratio);
  ds->putAndInsertString(DCM_LossyImageCompression, "01");
  ds->putAndInsertString(DCM_LossyImageCompressionMethod,
                         method.empty() ? "ISO_10918_1" : method.c_str());
  if (!ratio.empty()) ds->putAndInsertString(DCM_LossyImageCompressionRatio, ratio.c_str());
}

absl::Status Describe(DcmSegmentation* seg, const UltrasoundClip& source,
                      const AlgorithmIdentity& algorithm, const CreatorInfo& creator,
                      DerivedObject* out) {
  DcmDataset header(*source.header);
  if (absl::Status s = Check(seg->importFromSourceImage(header), "import patient/study"); !s.ok()) {
    return s;
  }
  out->series_instance_uid = NewUid();
  out->sop_instance_uid = NewUid();
  seg->getSeries().setSeriesInstanceUID(out->series_instance_uid.c_str());
  seg->getSeries().setSeriesNumber(std::to_string(creator.seg_series_number).c_str());
  seg->getSeries().setSeriesDescription("BOTM segmentation - RESEARCH USE ONLY");
  seg->getSOPCommon().setSOPInstanceUID(out->sop_instance_uid.c_str());
  seg->getGeneralImage().setImageComments(absl::StrCat(kResearchUseOnly, ". Model ", algorithm.name,
                                                       " ", algorithm.version, ", weights sha256 ",
                                                       algorithm.weights_sha256, ".")
                                              .c_str());
  IODReferences references;
  OFString patient_id;
  header.findAndGetOFString(DCM_PatientID, patient_id);
  references.add(new IODImageReference(patient_id, source.source.study_instance_uid.c_str(),
                                       source.source.series_instance_uid.c_str(),
                                       source.source.sop_instance_uid.c_str(),
                                       source.source.sop_class_uid.c_str()));
  seg->getCommonInstanceReference().addReferences(references);
  const OFString dimensions = NewUid().c_str();
  IODMultiframeDimensionModule& dims = seg->getDimensions();
  if (absl::Status s = Check(dims.addDimensionIndex(DCM_ReferencedSegmentNumber, dimensions,
                                                    DCM_SegmentIdentificationSequence, "Segment"),
                             "dimension");
      !s.ok()) {
    return s;
  }
  return Check(dims.addDimensionIndex(DCM_TemporalPositionIndex, dimensions,
                                      DCM_FrameContentSequence, "Source frame"),
               "dimension");
}

}  // namespace

absl::StatusOr<DerivedObject> WriteSegmentation(const UltrasoundClip& source,
                                                const std::vector<cv::Mat>& labels,
                                                const AlgorithmIdentity& algorithm,
                                                const CreatorInfo& creator,
                                                const std::string& path) {
  if (absl::Status s = InitDicom(); !s.ok()) return s;
  if (labels.size() != source.frames.size() || labels.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("SEG: ", labels.size(), " masks for ",
                                                   source.frames.size(), " source frames"));
  }
  for (const cv::Mat& m : labels) {
    if (m.type() != CV_8UC1 || m.rows != source.rows || m.cols != source.columns) {
      return absl::InvalidArgumentError("SEG: a mask does not match the source frame size");
    }
  }
  DcmSegmentation* raw = nullptr;
  const IODGeneralEquipmentModule::EquipmentInfo equipment(
      creator.manufacturer.c_str(), creator.model_name.c_str(),
      creator.device_serial_number.c_str(), creator.software_version.c_str());
  const ContentIdentificationMacro content("1", "BOTM_SEG", "BOTM echo segmentation", "");
  if (absl::Status s = Check(DcmSegmentation::createBinarySegmentation(
                                 raw, static_cast<Uint16>(source.rows),
                                 static_cast<Uint16>(source.columns), equipment, content),
                             "create");
      !s.ok()) {
    return s;
  }
  std::unique_ptr<DcmSegmentation> seg(raw);
  DerivedObject out;
  out.path = path;
  out.sop_class_uid = UID_SegmentationStorage;
  if (absl::Status s = Describe(seg.get(), source, algorithm, creator, &out); !s.ok()) return s;
  for (const SegmentConcept& concept : kSegments) {
    if (absl::Status s = AddSegment(seg.get(), concept, algorithm); !s.ok()) return s;
  }
  for (const SegmentConcept& concept : kSegments) {
    if (absl::Status s = AddFrames(seg.get(), source, labels, concept.label); !s.ok()) return s;
  }
  // Work-around 1: no Frame of Reference for ultrasound sources.
  IODRule* frame_of_reference = seg->getRules()->getByTag(DCM_FrameOfReferenceUID);
  if (frame_of_reference == nullptr) return absl::InternalError("SEG: no Frame of Reference rule");
  frame_of_reference->setType("1C");
  DcmFileFormat file;
  DcmDataset* ds = file.getDataset();
  if (absl::Status s = Check(seg->writeDataset(*ds), "write"); !s.ok()) return s;
  if (absl::Status s = InsertReferencedFrameNumbers(ds, labels.size()); !s.ok()) return s;
  FixUltrasoundAttributes(ds, source);
  if (absl::Status s = Check(file.saveFile(path.c_str(), EXS_LittleEndianExplicit), "save");
      !s.ok()) {
    return s;
  }
  return out;
}

}  // namespace botm::dicom
