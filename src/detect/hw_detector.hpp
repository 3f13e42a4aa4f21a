// heartwave's own QRS detector ("hw"): a Pan-Tompkins / Hamilton-Tompkins
// style energy detector with adaptive thresholds, a bounded search-back,
// T-wave and P-wave rejection, then R-peak refinement. Private to
// src/detect: callers use make_qrs_detector() (qrs.hpp). docs/detection.md
// describes each step and how its settings were chosen.
//
//   1. band-pass 5..18 Hz (two 2nd-order Butterworth sections), designed
//      for the sampling rate, so no retuning is needed at any rate;
//   2. derivative, squared, moving-window integration (150 ms);
//   3. candidate peaks of the integrated signal (the maximum of each rise,
//      reported when the signal has fallen to half of it or 300 ms later);
//   4. a candidate is a beat when it exceeds NPK + 0.2 (SPK - NPK) of the
//      running signal and noise peak levels, is 200 ms after the last beat
//      and not a second hump of its complex, and, within 360 ms of it, has
//      at least half its steepest slope (else it is a T wave); a much
//      steeper one within 360 ms replaces the last beat (its P wave);
//   5. search-back: with no beat for 1.5 times the mean of the last 8 RR
//      intervals, the largest candidate since the last beat above 0.4 of
//      the threshold is taken; candidates are kept in a fixed-size list, so
//      the search never rescans the signal and the time per sample is bounded;
//   6. the R peak: of the largest positive and negative deviations of the
//      1 Hz high-passed signal around the steepest slope, the earlier when
//      it is at least half the other, either polarity.
//
// References: J. Pan, W. J. Tompkins, "A real-time QRS detection
// algorithm", IEEE Trans. Biomed. Eng. 32(3), 1985; P. S. Hamilton,
// W. J. Tompkins, "Quantitative investigation of QRS detection rules using
// the MIT/BIH arrhythmia database", IEEE Trans. Biomed. Eng. 33(12), 1986.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "heartwave/detect/qrs.hpp"

namespace heartwave::detect {

// Every time constant of the detector, in seconds or as a ratio: the
// sampling rate turns them into samples.
struct HwParams {
  double band_low_hz = 5.0, band_high_hz = 18.0;
  double refine_high_pass_hz = 1.0;
  double integration_s = 0.15;
  double refractory_s = 0.2;
  double t_wave_s = 0.36;
  double t_wave_slope_ratio = 0.5;
  double peak_hold_s = 0.3;
  double threshold_ratio = 0.2;     // TH = NPK + ratio (SPK - NPK)
  double search_back_ratio = 1.5;   // of the mean RR
  double search_back_threshold = 0.4;  // of TH
  double max_rr_s = 1.8;            // the mean RR used for the search-back deadline is capped here
  double learning_s = 2.0;
  // Every beat is reported at most this long after its R peak: search-back
  // looks no further back, and the learning span is shorter.
  double max_delay_s = 3.5;
  double refine_half_window_s = 0.03;  // the R peak is looked for this far either side of the steepest slope
  double refine_ratio = 0.5;           // the earlier lobe is the R peak when at least this share of the later
  // A second hump within merge_s whose trough since the last beat stays
  // above merge_trough of the smaller peak is the same complex.
  double merge_s = 0.35, merge_trough = 0.25;
  // A candidate within t_wave_s this much steeper (and larger) than the last
  // beat replaces it (the last was its P wave).
  double p_wave_slope = 1.5, p_wave_amp = 2.0;
};

class Biquad {
 public:
  Biquad() = default;
  Biquad(const std::vector<double>& b, const std::vector<double>& a);
  double step(double x) {
    const double y = b0_ * x + s1_;
    s1_ = b1_ * x - a1_ * y + s2_;
    s2_ = b2_ * x - a2_ * y;
    return y;
  }
  void prime(double x);  // the state of a constant input x, held forever

 private:
  double b0_ = 1, b1_ = 0, b2_ = 0, a1_ = 0, a2_ = 0, s1_ = 0, s2_ = 0;
};

class HwDetector final : public QrsDetector {
 public:
  HwDetector(double fs, const HwParams& params = {});
  void push(std::span<const double> block, std::vector<std::int64_t>& beats) override;
  void finish(std::vector<std::int64_t>& beats) override;
  double delay_seconds() const override;
  std::string name() const override { return "hw"; }

 private:
  struct Candidate {
    std::int64_t peak = 0;  // where the integrated signal peaked
    std::int64_t r = 0;     // the refined R peak
    double amplitude = 0;   // the integrated signal's peak value
    double slope = 0;       // the steepest |derivative| of its QRS
  };
  void filter(std::span<const double> x);
  void track(std::size_t count, std::vector<std::int64_t>& beats);
  void events(std::vector<std::int64_t>& beats);
  void wake();
  std::int64_t report_time() const;  // brings the next event forward to a new deadline or report time
  static constexpr std::size_t kChunk = 256;
  Candidate describe(std::int64_t peak, double amplitude) const;
  void on_candidate(const Candidate& c, std::vector<std::int64_t>& beats);
  void accept(const Candidate& c, bool searched, std::vector<std::int64_t>& beats);
  void noise(const Candidate& c);
  bool same_complex(const Candidate& c) const;
  void replace_last(const Candidate& c);
  void report(std::vector<std::int64_t>& beats);
  void search_back(std::vector<std::int64_t>& beats);
  void learn();
  void update_threshold();
  double mean_rr() const;
  std::int64_t deadline() const;

  double fs_;
  HwParams p_;
  Biquad high_, low_, refine_;
  // Ring buffers of the last `ring_` samples (a power of two).
  std::size_t mask_ = 0;
  std::vector<double> y_ring_, r_ring_, d_ring_, e_ring_, m_ring_;
  std::int64_t n_ = 0;  // samples fed
  double last_x_ = 0;
  bool started_ = false;
  double window_sum_ = 0;
  int merge_ = 0, integration_ = 1, derivative_ = 2, refractory_ = 0, t_wave_ = 0, hold_ = 0, refine_half_ = 0, learning_ = 0;
  // Peak tracking of the integrated signal.
  bool rising_ = true;
  double prev_m_ = 0, cur_max_ = 0;
  std::int64_t cur_pos_ = 0;
  // Learning span: the integrated signal's maximum and candidates seen.
  bool learned_ = false;
  double learn_max_ = 0, learn_sum_ = 0;
  std::vector<Candidate> learn_candidates_;
  // Detection state.
  double spk_ = 0, npk_ = 0, threshold_ = 0;
  bool have_beat_ = false, last_reported_ = true, have_prev_ = false;
  Candidate last_;  // the last beat, reported once no later complex can replace it
  std::int64_t prev_r_ = 0;
  std::array<double, 8> rr_{};
  int rr_count_ = 0, rr_next_ = 0;
  std::int64_t deadline_ = 0, next_event_ = 0;
  static constexpr int kMaxPending = 16;
  std::array<Candidate, kMaxPending> pending_{};  // noise candidates since the last beat, oldest first
  int pending_count_ = 0;
};

}  // namespace heartwave::detect
