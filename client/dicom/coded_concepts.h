// The coded concepts the DICOM outputs use, in one place, each with where it comes from.
//
// Segment anatomy (PS3.3 C.8.20.4 Segment Description Macro; PS3.16 CID 7150 "Segmentation
// Property Categories", CID 7151/7152 "Segmentation Property Types" / cardiac structures):
//   category  (123037004, SCT, "Anatomical Structure")
//   LV cavity (87878005,  SCT, "Left ventricle"): the blood pool inside the endocardium. The
//             chamber concept is used for the cavity mask, as the DICOM segmentation master list
//             mappings (e.g. TotalSegmentator's) do for chamber masks; label and description say
//             "LV cavity" / blood pool, so the mask is not mistaken for cavity + wall
//   LV myocardium (74281007, SCT, "Myocardium") with anatomic region Left ventricle (87878005)
//   LA        (82471001,  SCT, "Left atrium")
//   anatomic region of all segments: (80891009, SCT, "Heart")
// Algorithm family: (123110, DCM, "Artificial Intelligence") (PS3.16 CID 7162).
// Measurement report (PS3.16 TID 1500/1501/300):
//   procedure reported (40701008, SCT, "Echocardiography")
//   area (42798000, SCT, "Area") = CID 7469 Area, finding site Left ventricle (87878005)
//   LV EF (10230-1, LN, "Left ventricular Ejection fraction")
//   method (125205, DCM, "Area-Length Single Plane") (PS3.16 CID 12227)
//   units (mm2, UCUM, "mm2"), (%, UCUM, "%")
//
// Thread-safety: constants only.
#ifndef BOTM_CLIENT_DICOM_CODED_CONCEPTS_H_
#define BOTM_CLIENT_DICOM_CODED_CONCEPTS_H_

namespace botm::dicom {

struct Code {
  const char* value;
  const char* scheme;
  const char* meaning;
};

inline constexpr Code kAnatomicalStructure = {"123037004", "SCT", "Anatomical Structure"};
inline constexpr Code kLeftVentricle = {"87878005", "SCT", "Left ventricle"};
inline constexpr Code kMyocardium = {"74281007", "SCT", "Myocardium"};
inline constexpr Code kLeftAtrium = {"82471001", "SCT", "Left atrium"};
inline constexpr Code kHeart = {"80891009", "SCT", "Heart"};
inline constexpr Code kArtificialIntelligence = {"123110", "DCM", "Artificial Intelligence"};
inline constexpr Code kEchocardiography = {"40701008", "SCT", "Echocardiography"};
inline constexpr Code kArea = {"42798000", "SCT", "Area"};
inline constexpr Code kLvEjectionFraction = {"10230-1", "LN", "Left ventricular Ejection fraction"};
inline constexpr Code kAreaLengthSinglePlane = {"125205", "DCM", "Area-Length Single Plane"};
inline constexpr Code kSquareMillimetre = {"mm2", "UCUM", "mm2"};
inline constexpr Code kPercent = {"%", "UCUM", "%"};

// One segment per model class (label values of the masks, botm.v1.ClassResult.label).
struct SegmentConcept {
  int label;         // 1 LV cavity, 2 LV myocardium, 3 left atrium
  const char* name;  // Segment Label
  const char* description;
  Code type;
  bool region_is_lv;  // anatomic region Left ventricle instead of Heart
  int display_grey;   // Recommended Display Grayscale Value
};

inline constexpr SegmentConcept kSegments[] = {
    {1, "LV cavity", "left ventricular blood pool (inside the endocardial border)", kLeftVentricle,
     false, 0xFFFF},
    {2, "LV myocardium", "left ventricular myocardium", kMyocardium, true, 0xAAAA},
    {3, "Left atrium", "left atrial blood pool", kLeftAtrium, false, 0x5555},
};
inline constexpr int kNumSegments = 3;

}  // namespace botm::dicom

#endif  // BOTM_CLIENT_DICOM_CODED_CONCEPTS_H_
