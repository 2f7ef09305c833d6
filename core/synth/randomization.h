// Domain randomisation for the generator's randomised family (Difficulty::kRandomized and the
// robustness bins): the sector's layout in the frame and the acquisition/display appearance,
// drawn far wider than real echo so that no appearance shortcut survives training (after
// SynthSeg: Billot et al., "SynthSeg: Segmentation of brain MRI scans of any contrast and
// resolution without retraining", Medical Image Analysis 2023). Each robustness bin then pushes
// one factor to or past the edge of the training ranges (docs/SYNTH.md lists them).
//
// Thread-safety: plain values and pure functions of the Rng passed in.
#ifndef BOTM_CORE_SYNTH_RANDOMIZATION_H_
#define BOTM_CORE_SYNTH_RANDOMIZATION_H_

#include "core/synth/acquisition.h"
#include "core/synth/echo_generator.h"
#include "core/synth/echo_renderer.h"
#include "core/synth/prng.h"

namespace botm::synth {

// Where the sector sits in the frame. The frame spans sector_width / width_fraction
// horizontally and depth / depth_fraction vertically; the apex is at apex_x_fraction of the
// free horizontal margin (-1 left .. 1 right, 0 centred) and top_margin_fraction of the frame
// height below the top edge. All 1 / 0 = the sector fills the frame (the standard bins).
struct SectorLayout {
  double sector_angle_deg = 82.5;
  double depth_cm = 15;
  double width_fraction = 1, depth_fraction = 1;
  double apex_x_fraction = 0, top_margin_fraction = 0;
};

// Draws the layout of a randomised-family clip (kPaddedSector: 35-50 % of the width, off centre;
// kRealLike: ~62-78 %; kRandomized: full frames for 45 % of clips, else 50-100 %).
SectorLayout SampleLayout(Rng& rng, Difficulty difficulty);

// Returns the renderer geometry of a layout for a width x height frame (polar grid scaled to the
// sector's share of the frame).
SectorGeometry MakeSectorGeometry(const SectorLayout& layout, int width, int height);

// Draws the acquisition of a randomised-family clip: per-tissue levels from near-black cavities
// to cavities almost as bright as tissue and from bright to invisible walls, speckle grain, soft
// borders, blur, gain, gamma, TGC, lateral gain, dynamic range, clutter and haze, with the bin's
// shift applied last.
AcquisitionParams SampleRandomizedAcquisition(Rng& rng, Difficulty difficulty, double depth_cm,
                                              double half_angle_rad);

}  // namespace botm::synth

#endif  // BOTM_CORE_SYNTH_RANDOMIZATION_H_
