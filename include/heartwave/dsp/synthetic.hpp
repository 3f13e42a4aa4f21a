// Seeded synthetic ECG with known beats, for testing detectors at any
// sampling rate and benchmarking long recordings. Each beat is a sum of
// Gaussian P, Q, R, S and T waves (the morphology of McSharry et al., "A
// dynamical model for generating synthetic electrocardiogram signals", IEEE
// TBME 50(3), 2003, written in closed form rather than by integrating the
// ODE), placed in seconds, so the waveform is the same at every rate. See
// docs/noise-models.md.
#pragma once
#include <cstdint>
#include <vector>

namespace heartwave {

struct SyntheticBeat {
  std::int64_t r;  // sample of the R extremum (a PVC: its main deflection) in lead 0
  char label;      // 'N' or 'V'
};

struct SyntheticEcg {
  double fs;
  std::vector<std::vector<double>> leads;  // mV, leads[l].size() == round(seconds * fs)
  std::vector<SyntheticBeat> beats;        // in time order, r inside the record
};

struct SyntheticOptions {
  double fs = 360;
  double seconds = 60;
  int leads = 2;
  double heart_rate_bpm = 70;
  double rr_jitter = 0.05;       // relative SD of the RR intervals (Gaussian, cut at 3 SD), <= 0.25
  double pvc_fraction = 0;       // share of beats that are PVCs, 0..0.5 (never two in a row)
  bool invert = false;           // every lead's sign flipped
  double amplitude_mv = 1.0;     // lead 0's R peak of a normal beat
  std::uint64_t seed = 1;
};

// Lead 0 looks like MLII (tall R, small S, upright T), the last lead like V1
// (small r, deep S); leads between are mixtures of the two views. A PVC
// comes at 0.6 of the RR interval after a normal beat, is followed by a full
// compensatory pause (the next normal beat two RR after the previous one),
// has no P wave, a ~140 ms QRS of opposite polarity and a discordant T.
// Memory: the output vectors only; time: O(samples + beats). Throws
// InvalidArgument for out-of-range options.
SyntheticEcg synthetic_ecg(const SyntheticOptions& options);

}  // namespace heartwave
