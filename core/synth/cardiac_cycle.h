// A physiological left-ventricular volume curve over one cardiac cycle (ejection, isovolumic
// relaxation, early filling, diastasis, atrial kick) and the mitral leaflet opening that goes
// with it. Phase 0 is end-diastole (the volume maximum).
//
// Thread-safety: plain values and pure functions.
#ifndef BOTM_CORE_SYNTH_CARDIAC_CYCLE_H_
#define BOTM_CORE_SYNTH_CARDIAC_CYCLE_H_

namespace botm::synth {

struct CycleShape {
  double ejection_fraction = 0.6;    // stroke volume / end-diastolic volume, 0..1
  double systole_fraction = 0.33;    // ejection duration / RR; end-systole is at this phase
  double ivr_fraction = 0.07;        // isovolumic relaxation duration / RR
  double early_fill_fraction = 0.2;  // rapid filling duration / RR
  double early_fill_share = 0.75;    // share of the stroke volume refilled by early filling
  double atrial_start = 0.85;        // phase at which the atrial kick starts
};

// Returns a cycle shape for a heart rate: systole takes a larger share of RR when the heart
// beats faster. `variation` in [-1, 1] perturbs the timings within physiological ranges.
CycleShape MakeCycleShape(double ejection_fraction, double heart_rate_bpm, double variation);

// Returns V(phase) / V_ed for phase in [0, 1) (wrapped otherwise); min is 1 - EF at
// phase = systole_fraction, max is 1 at phase 0.
double VolumeFraction(const CycleShape& c, double phase);

// Returns the mitral opening, 0 = closed .. 1 = wide open, at a phase.
double MitralOpening(const CycleShape& c, double phase);

}  // namespace botm::synth

#endif  // BOTM_CORE_SYNTH_CARDIAC_CYCLE_H_
