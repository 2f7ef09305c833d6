#include "client/dicom/us_regions.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcitem.h"
#include "dcmtk/dcmdata/dcsequen.h"

namespace botm::dicom {
namespace {

// PS3.3 C.8.5.5.1.1 Region Spatial Format and C.8.5.5.1.2 Region Data Type codes.
constexpr Uint16 kSpatial2D = 1;
constexpr Uint16 kDataTissue = 1;
constexpr Uint16 kDataColorFlow = 2;
// PS3.3 C.8.5.5.1.15 Physical Units X/Y Direction: 3 = cm.
constexpr Uint16 kUnitsCm = 3;
// A pixel larger than this (mm) is not a plausible B-mode calibration and is ignored.
constexpr double kMaxPlausibleSpacingMm = 10.0;

struct Region {
  Uint16 spatial_format = 0;
  Uint16 data_type = 0;
  Uint32 min_x = 0, min_y = 0, max_x = 0, max_y = 0;
  Uint16 units_x = 0, units_y = 0;
  Float64 delta_x = 0, delta_y = 0;
};

Region ReadRegion(DcmItem* item) {
  Region r;
  item->findAndGetUint16(DCM_RegionSpatialFormat, r.spatial_format);
  item->findAndGetUint16(DCM_RegionDataType, r.data_type);
  item->findAndGetUint32(DCM_RegionLocationMinX0, r.min_x);
  item->findAndGetUint32(DCM_RegionLocationMinY0, r.min_y);
  item->findAndGetUint32(DCM_RegionLocationMaxX1, r.max_x);
  item->findAndGetUint32(DCM_RegionLocationMaxY1, r.max_y);
  item->findAndGetUint16(DCM_PhysicalUnitsXDirection, r.units_x);
  item->findAndGetUint16(DCM_PhysicalUnitsYDirection, r.units_y);
  item->findAndGetFloat64(DCM_PhysicalDeltaX, r.delta_x);
  item->findAndGetFloat64(DCM_PhysicalDeltaY, r.delta_y);
  return r;
}

int64_t Area(const Region& r) {
  if (r.max_x < r.min_x || r.max_y < r.min_y) return -1;
  return (static_cast<int64_t>(r.max_x) - r.min_x + 1) *
         (static_cast<int64_t>(r.max_y) - r.min_y + 1);
}

Calibration CalibrationOf(const Region& r) {
  Calibration c;
  const double x_mm = std::fabs(r.delta_x) * 10.0;  // cm -> mm
  const double y_mm = std::fabs(r.delta_y) * 10.0;
  const bool plausible = std::isfinite(x_mm) && std::isfinite(y_mm) && x_mm > 0 && y_mm > 0 &&
                         x_mm < kMaxPlausibleSpacingMm && y_mm < kMaxPlausibleSpacingMm;
  if (r.units_x == kUnitsCm && r.units_y == kUnitsCm && plausible) {
    c.spacing_mm_x = x_mm;
    c.spacing_mm_y = y_mm;
  }
  return c;
}

absl::StatusOr<TissueRegion> FromRegion(const Region& r, int rows, int columns) {
  if (Area(r) < 0) {
    return absl::InvalidArgumentError(absl::StrCat("ultrasound tissue region has min > max (",
                                                   r.min_x, ",", r.min_y, ")-(", r.max_x, ",",
                                                   r.max_y, ")"));
  }
  if (r.min_x >= static_cast<Uint32>(columns) || r.min_y >= static_cast<Uint32>(rows)) {
    return absl::InvalidArgumentError(absl::StrCat("ultrasound tissue region (", r.min_x, ",",
                                                   r.min_y, ") lies outside the ", columns, "x",
                                                   rows, " image"));
  }
  TissueRegion out;
  out.has_region = true;
  const int max_x = static_cast<int>(std::min<Uint32>(r.max_x, columns - 1));
  const int max_y = static_cast<int>(std::min<Uint32>(r.max_y, rows - 1));
  out.rect = cv::Rect(static_cast<int>(r.min_x), static_cast<int>(r.min_y),
                      max_x - static_cast<int>(r.min_x) + 1, max_y - static_cast<int>(r.min_y) + 1);
  out.calibration = CalibrationOf(r);
  return out;
}

}  // namespace

absl::StatusOr<TissueRegion> ReadTissueRegion(DcmItem& dataset, int rows, int columns) {
  DcmSequenceOfItems* sequence = nullptr;
  if (dataset.findAndGetSequence(DCM_SequenceOfUltrasoundRegions, sequence).bad() ||
      sequence == nullptr || sequence->card() == 0) {
    TissueRegion whole;
    whole.rect = cv::Rect(0, 0, columns, rows);
    return whole;
  }
  std::vector<std::string> seen;
  const Region* best = nullptr;
  std::vector<Region> regions;
  regions.reserve(sequence->card());
  for (unsigned long i = 0; i < sequence->card(); ++i) {
    regions.push_back(ReadRegion(sequence->getItem(i)));
  }
  for (const Region& r : regions) {
    if (r.data_type == kDataColorFlow) {
      return absl::UnimplementedError(
          "colour Doppler loop (a Color Flow region in the Sequence of Ultrasound Regions): "
          "only B-mode (2D tissue) loops are segmented");
    }
    seen.push_back(absl::StrCat("format ", r.spatial_format, "/type ", r.data_type));
    if (r.spatial_format == kSpatial2D && r.data_type == kDataTissue &&
        (best == nullptr || Area(r) > Area(*best))) {
      best = &r;
    }
  }
  if (best == nullptr) {
    return absl::UnimplementedError(
        absl::StrCat("no 2D tissue region in the Sequence of Ultrasound Regions (regions: ",
                     absl::StrJoin(seen, ", "), "): only B-mode loops are segmented"));
  }
  return FromRegion(*best, rows, columns);
}

}  // namespace botm::dicom
