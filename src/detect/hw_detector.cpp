#include "hw_detector.hpp"

#include <algorithm>
#include <cmath>

#include "heartwave/dsp/filter.hpp"

namespace heartwave::detect {

Biquad::Biquad(const std::vector<double>& b, const std::vector<double>& a) {
  // butter() returns a[0] == 1.
  b0_ = b[0], b1_ = b[1], b2_ = b[2], a1_ = a[1], a2_ = a[2];
}

void Biquad::prime(double x) {
  // Steady state of the transposed direct form for a constant input.
  const double gain = (b0_ + b1_ + b2_) / (1 + a1_ + a2_);
  const double y = gain * x;
  s2_ = b2_ * x - a2_ * y;
  s1_ = y - b0_ * x;
}

namespace {

Biquad section(double hz, FilterType type, double fs) {
  const double cutoff[] = {std::min(hz, 0.45 * fs)};
  const FilterCoefficients f = butter(2, cutoff, type, fs);
  return Biquad(f.b, f.a);
}

int samples(double seconds, double fs) { return std::max(1, static_cast<int>(std::lround(seconds * fs))); }

}  // namespace

HwDetector::HwDetector(double fs, const HwParams& params) : fs_(fs), p_(params) {
  high_ = section(p_.band_low_hz, FilterType::highpass, fs);
  low_ = section(p_.band_high_hz, FilterType::lowpass, fs);
  refine_ = section(p_.refine_high_pass_hz, FilterType::highpass, fs);
  integration_ = samples(p_.integration_s, fs);
  derivative_ = std::max(1, samples(0.004, fs));
  refractory_ = samples(p_.refractory_s, fs);
  t_wave_ = samples(p_.t_wave_s, fs);
  hold_ = samples(p_.peak_hold_s, fs);
  refine_half_ = samples(p_.refine_half_window_s, fs);
  learning_ = samples(p_.learning_s, fs);
  merge_ = samples(p_.merge_s, fs);
  // The rings reach back over a candidate's hold, integration window and
  // refinement window.
  std::size_t ring = 1;
  while (ring < kChunk + static_cast<std::size_t>(merge_ + hold_ + 2 * integration_ + 4 * refine_half_ + derivative_ + 16)) ring <<= 1;
  mask_ = ring - 1;
  y_ring_.assign(ring, 0.0);
  r_ring_.assign(ring, 0.0);
  d_ring_.assign(ring, 0.0);
  e_ring_.assign(ring, 0.0);
  m_ring_.assign(ring, 0.0);
}

double HwDetector::delay_seconds() const { return p_.max_delay_s; }

void HwDetector::push(std::span<const double> block, std::vector<std::int64_t>& beats) {
  for (std::size_t at = 0; at < block.size(); at += kChunk) {
    const std::size_t len = std::min(kChunk, block.size() - at);
    filter(block.subspan(at, len));
    track(len, beats);
  }
}

void HwDetector::finish(std::vector<std::int64_t>& beats) {
  if (!learned_) {
    // A recording shorter than the learning span yields no beats.
    learn_candidates_.clear();
    return;
  }
  if (rising_ && cur_max_ > 0) on_candidate(describe(cur_pos_, cur_max_), beats);  // a complex cut by the end
  cur_max_ = 0;
  report(beats);
}

void HwDetector::filter(std::span<const double> x) {
  // The filters of a chunk, ahead of the tracking (the rings hold kChunk
  // samples more than the tracking reads back), with their state in locals
  // so that the loop keeps it in registers.
  if (!started_ && !x.empty()) {
    const double x0 = std::isfinite(x[0]) ? x[0] : 0.0;
    high_.prime(x0);
    low_.prime(0.0);
    refine_.prime(x0);
    last_x_ = x0;
    started_ = true;
  }
  Biquad high = high_, low = low_, refine = refine_;
  double last = last_x_, sum = window_sum_;
  std::int64_t t = n_;
  for (double v : x) {
    // Gaps (NaN, infinities) hold the last valid value: a flat stretch has
    // no slope, so it gives no candidates.
    if (!std::isfinite(v)) v = last;
    last = v;
    const double y = low.step(high.step(v));
    const std::size_t i = static_cast<std::size_t>(t) & mask_;
    y_ring_[i] = y;
    r_ring_[i] = refine.step(v);
    // Before the first samples the rings hold zeros.
    const double d = y - y_ring_[static_cast<std::size_t>(t - derivative_) & mask_];
    d_ring_[i] = std::abs(d);
    const double e = d * d;
    const std::size_t old = static_cast<std::size_t>(t - integration_) & mask_;
    sum += e - e_ring_[old];
    e_ring_[i] = e;
    if ((t & 0xFFFF) == 0xFFFF) {
      // Re-add the window now and then, so rounding cannot build up over a
      // long recording.
      sum = 0;
      for (int k = 0; k < integration_ && k <= t; ++k) sum += e_ring_[static_cast<std::size_t>(t - k) & mask_];
    }
    m_ring_[i] = std::max(0.0, sum);
    ++t;
  }
  high_ = high, low_ = low, refine_ = refine;
  last_x_ = last, window_sum_ = sum;
}

void HwDetector::track(std::size_t count, std::vector<std::int64_t>& beats) {
  if (!learned_) {
    // Only the learning span's own samples, whatever the block sizes.
    const auto span = static_cast<std::size_t>(std::clamp<std::int64_t>(learning_ - n_, 0, static_cast<std::int64_t>(count)));
    for (std::size_t k = 0; k < span; ++k) {
      const double m = m_ring_[static_cast<std::size_t>(n_ + static_cast<std::int64_t>(k)) & mask_];
      learn_max_ = std::max(learn_max_, m);
      learn_sum_ += m;
    }
  }
  for (std::size_t k = 0; k < count; ++k) {
    const double m = m_ring_[static_cast<std::size_t>(n_) & mask_];
    // Candidate peaks: the maximum of each rise, once the signal has fallen
    // to half of it (or stayed below it for the hold time).
    if (rising_) {
      if (m > cur_max_) {
        cur_max_ = m;
        cur_pos_ = n_;
      } else if (cur_max_ > 0 && (m < 0.5 * cur_max_ || n_ - cur_pos_ >= hold_)) {
        const Candidate c = describe(cur_pos_, cur_max_);
        if (learned_) {
          on_candidate(c, beats);
        } else if (learn_candidates_.size() < 64) {
          learn_candidates_.push_back(c);
        }
        rising_ = false;
        cur_max_ = 0;
      }
    } else if (m > prev_m_) {
      rising_ = true;
      cur_max_ = m;
      cur_pos_ = n_;
    }
    prev_m_ = m;
    ++n_;
    if (n_ >= next_event_) events(beats);
  }
}

void HwDetector::wake() {
  next_event_ = std::min(next_event_, deadline_);
  if (!last_reported_) next_event_ = std::min(next_event_, report_time());
}

std::int64_t HwDetector::report_time() const {
  // No later candidate can replace the last beat once this is past.
  return last_.peak + t_wave_ + hold_ + integration_ + 1;
}

void HwDetector::events(std::vector<std::int64_t>& beats) {
  if (!learned_ && n_ >= learning_) {
    learn();
    for (const Candidate& c : learn_candidates_) on_candidate(c, beats);
    learn_candidates_.clear();
  }
  if (learned_ && n_ >= deadline_) search_back(beats);
  if (!last_reported_ && n_ >= report_time()) report(beats);
  // The next sample at which one of these is due.
  next_event_ = learned_ ? deadline_ : learning_;
  if (!last_reported_) next_event_ = std::min(next_event_, report_time());
  next_event_ = std::max(next_event_, n_ + 1);
}

HwDetector::Candidate HwDetector::describe(std::int64_t peak, double amplitude) const {
  Candidate c;
  c.peak = peak;
  c.amplitude = amplitude;
  // The QRS lies within the integration window ending at the peak: its
  // steepest slope anchors the R peak search.
  const std::int64_t oldest = std::max<std::int64_t>(0, n_ - static_cast<std::int64_t>(mask_));
  const std::int64_t from = std::max(oldest, peak - integration_ + 1);
  std::int64_t steepest = peak;
  for (std::int64_t t = from; t <= peak; ++t) {
    const double s = d_ring_[static_cast<std::size_t>(t) & mask_];
    if (s > c.slope) c.slope = s, steepest = t;
  }
  // The band-pass lags the high-passed signal by about its group delay.
  const std::int64_t anchor = steepest - static_cast<std::int64_t>(std::lround(0.012 * fs_));
  const std::int64_t lo = std::max(oldest, anchor - refine_half_);
  const std::int64_t hi = std::min(n_ - 1, anchor + refine_half_);
  double mean = 0;
  for (std::int64_t t = lo; t <= hi; ++t) mean += r_ring_[static_cast<std::size_t>(t) & mask_];
  mean /= static_cast<double>(std::max<std::int64_t>(1, hi - lo + 1));
  c.r = std::clamp(anchor, lo, hi);
  std::int64_t up = c.r, down = c.r;
  double top = 0, bottom = 0;
  for (std::int64_t t = lo; t <= hi; ++t) {
    const double dev = r_ring_[static_cast<std::size_t>(t) & mask_] - mean;
    if (dev > top) top = dev, up = t;
    if (-dev > bottom) bottom = -dev, down = t;
  }
  // The earlier of the two lobes when it is at least refine_ratio of the
  // other (an R before a deeper S, a PVC's first deflection), else the other.
  const std::int64_t first = std::min(up, down), second = std::max(up, down);
  const double a = first == up ? top : bottom, b = first == up ? bottom : top;
  c.r = a >= p_.refine_ratio * b ? first : second;
  return c;
}

void HwDetector::learn() {
  learned_ = true;
  spk_ = 0.5 * learn_max_;
  npk_ = 0.5 * learn_sum_ / static_cast<double>(std::max(1, learning_));
  update_threshold();
  deadline_ = n_ + static_cast<std::int64_t>(std::lround(p_.search_back_ratio * 1.0 * fs_));
  wake();
}

void HwDetector::update_threshold() { threshold_ = npk_ + p_.threshold_ratio * (spk_ - npk_); }

double HwDetector::mean_rr() const {
  if (rr_count_ == 0) return 1.0 * fs_;
  double s = 0;
  for (int k = 0; k < rr_count_; ++k) s += rr_[static_cast<std::size_t>(k)];
  return s / rr_count_;
}

std::int64_t HwDetector::deadline() const {
  const double rr = std::min(mean_rr(), p_.max_rr_s * fs_);
  return last_.peak + static_cast<std::int64_t>(std::lround(p_.search_back_ratio * rr));
}

void HwDetector::on_candidate(const Candidate& c, std::vector<std::int64_t>& beats) {
  if (have_beat_ && c.r - last_.r < t_wave_ && c.amplitude > threshold_) {
    // Right after the last beat: the same complex, or the QRS whose P wave
    // (or artefact) was taken for a beat. A much steeper or larger one
    // replaces the last beat while it is not yet reported.
    const bool steeper = c.slope * p_.t_wave_slope_ratio > last_.slope ||
                         (c.slope > p_.p_wave_slope * last_.slope && c.amplitude > p_.p_wave_amp * last_.amplitude);
    const bool same = c.r - last_.r < refractory_ || same_complex(c);
    if (!last_reported_ && (steeper || (same && c.amplitude > last_.amplitude))) {
      replace_last(c);
      return;
    }
    if (same) return;
  } else if (have_beat_ && (c.r - last_.r < refractory_ || same_complex(c))) {
    return;
  }
  if (c.amplitude > threshold_ && threshold_ > 0) {
    const bool t_wave = have_beat_ && c.r - last_.r < t_wave_ && c.slope < p_.t_wave_slope_ratio * last_.slope;
    if (!t_wave) {
      accept(c, false, beats);
      return;
    }
  }
  noise(c);
}

bool HwDetector::same_complex(const Candidate& c) const {
  // The integrated signal never fell back near its baseline since the last
  // beat: a second hump of the same wide complex.
  if (c.peak - last_.peak >= merge_ || n_ - last_.peak >= static_cast<std::int64_t>(mask_)) return false;
  double trough = last_.amplitude;
  for (std::int64_t t = last_.peak; t <= c.peak; ++t) trough = std::min(trough, m_ring_[static_cast<std::size_t>(t) & mask_]);
  return trough > p_.merge_trough * std::min(last_.amplitude, c.amplitude);
}

void HwDetector::replace_last(const Candidate& c) {
  last_ = c;
  if (rr_count_ > 0 && have_prev_) rr_[static_cast<std::size_t>((rr_next_ + 7) % 8)] = static_cast<double>(c.r - prev_r_);
  spk_ = 0.125 * c.amplitude + 0.875 * spk_;
  update_threshold();
  deadline_ = deadline();
  wake();
}

void HwDetector::report(std::vector<std::int64_t>& beats) {
  // Never a duplicate or a zero RR: the refractory check keeps beats apart.
  if (have_beat_ && !last_reported_ && (beats.empty() || last_.r > beats.back())) beats.push_back(last_.r);
  last_reported_ = true;
}

void HwDetector::noise(const Candidate& c) {
  npk_ = 0.125 * c.amplitude + 0.875 * npk_;
  update_threshold();
  if (pending_count_ == kMaxPending) {
    // Keep the largest: drop the smallest of the list.
    int smallest = 0;
    for (int k = 1; k < kMaxPending; ++k)
      if (pending_[static_cast<std::size_t>(k)].amplitude < pending_[static_cast<std::size_t>(smallest)].amplitude)
        smallest = k;
    if (pending_[static_cast<std::size_t>(smallest)].amplitude >= c.amplitude) return;
    std::copy(pending_.begin() + smallest + 1, pending_.end(), pending_.begin() + smallest);
    --pending_count_;
  }
  pending_[static_cast<std::size_t>(pending_count_++)] = c;
}

void HwDetector::accept(const Candidate& c, bool searched, std::vector<std::int64_t>& beats) {
  report(beats);
  if (have_beat_) {
    rr_[static_cast<std::size_t>(rr_next_)] = static_cast<double>(c.r - last_.r);
    rr_next_ = (rr_next_ + 1) % static_cast<int>(rr_.size());
    rr_count_ = std::min(rr_count_ + 1, static_cast<int>(rr_.size()));
    prev_r_ = last_.r;
    have_prev_ = true;
  }
  if (searched) {
    spk_ = 0.25 * c.amplitude + 0.75 * spk_;
  } else {
    spk_ = 0.125 * c.amplitude + 0.875 * spk_;
  }
  update_threshold();
  have_beat_ = true;
  last_ = c;
  last_reported_ = false;
  // Candidates before the new beat or within its refractory span are spent.
  int kept = 0;
  for (int k = 0; k < pending_count_; ++k)
    if (pending_[static_cast<std::size_t>(k)].r - c.r >= refractory_) pending_[static_cast<std::size_t>(kept++)] = pending_[static_cast<std::size_t>(k)];
  pending_count_ = kept;
  deadline_ = deadline();
  wake();
}

void HwDetector::search_back(std::vector<std::int64_t>& beats) {
  // Candidates too old to be reported within the stated delay are dropped.
  const auto oldest = n_ - static_cast<std::int64_t>(p_.max_delay_s * fs_) + 2;
  int kept = 0;
  for (int k = 0; k < pending_count_; ++k)
    if (pending_[static_cast<std::size_t>(k)].r >= oldest) pending_[static_cast<std::size_t>(kept++)] = pending_[static_cast<std::size_t>(k)];
  pending_count_ = kept;
  int best = -1;
  for (int k = 0; k < pending_count_; ++k)
    if (best < 0 || pending_[static_cast<std::size_t>(k)].amplitude > pending_[static_cast<std::size_t>(best)].amplitude) best = k;
  if (best >= 0 && pending_[static_cast<std::size_t>(best)].amplitude > p_.search_back_threshold * threshold_) {
    const Candidate c = pending_[static_cast<std::size_t>(best)];
    // The candidates after it were judged against the beat before it:
    // judge them again after it, in order (at most kMaxPending of them).
    std::array<Candidate, kMaxPending> later{};
    int count = 0;
    for (int k = best + 1; k < pending_count_; ++k) later[static_cast<std::size_t>(count++)] = pending_[static_cast<std::size_t>(k)];
    accept(c, true, beats);
    pending_count_ = 0;
    for (int k = 0; k < count; ++k) on_candidate(later[static_cast<std::size_t>(k)], beats);
    return;
  }
  // Nothing large enough: the signal level may have dropped (a change of
  // gain, the end of an artefact), so lower the peak level and look again
  // one RR later; the candidates stay (the largest kMaxPending of them).
  spk_ *= 0.5;
  update_threshold();
  const double rr = std::min(mean_rr(), p_.max_rr_s * fs_);
  deadline_ = n_ + static_cast<std::int64_t>(std::lround(rr));
  wake();
}

}  // namespace heartwave::detect
