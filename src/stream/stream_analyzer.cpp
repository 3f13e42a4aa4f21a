#include "heartwave/stream/stream_analyzer.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "heartwave/core/error.hpp"
#include "heartwave/decision/class_weights.hpp"
#include "heartwave/features/morphology.hpp"
#include "heartwave/infer/analyze.hpp"

namespace heartwave {

const char* stage_name(BeatStage s) { return s == BeatStage::provisional ? "provisional" : "final"; }

namespace {

constexpr std::int32_t kN = 0, kS = 1, kV = 2, kQ = 4;
constexpr std::size_t kPLen = kPRegionLength;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// The detector's refractory period (no two beats closer): bounds the beats
// the history must hold.
constexpr double kMaxBeatsPerSecond = 5.0;

std::size_t pow2_at_least(std::size_t n) { return std::bit_ceil(std::max<std::size_t>(n, 1)); }

// The upper median (v[n/2] of the sorted values), as rhythm_stats takes it.
double upper_median(std::vector<double>& v) {
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

// rr_features (beats/rr.hpp) of beat i of a sequence of which `n` beats
// are known, `r(k)` the k-th's R sample: the same formulas, computed from
// the beats around i only.
template <class R>
RRFeatures rr_at(R&& r, std::int64_t i, std::int64_t n, double fs, double fixed_mean = 0) {
  const double mean = fixed_mean > 0 ? fixed_mean : n >= 2 ? static_cast<double>(r(n - 1) - r(0)) / fs / static_cast<double>(n - 1) : 1.0;
  double pre = i > 0 ? static_cast<double>(r(i) - r(i - 1)) / fs : -1.0;
  double post = i + 1 < n ? static_cast<double>(r(i + 1) - r(i)) / fs : -1.0;
  if (pre < 0 && post < 0) pre = post = mean;
  else if (pre < 0) pre = post;
  else if (post < 0) post = pre;
  double local = pre;
  if (i >= 2) {
    const std::int64_t hi = i - 1;
    const std::int64_t lo = hi >= kLocalRRBeats - 1 ? hi - (kLocalRRBeats - 1) + 1 : 1;
    const double sum = static_cast<double>(r(hi) - r(lo - 1)) / fs;
    local = (sum + pre) / static_cast<double>(hi - lo + 2);
  }
  return {pre, post, local, mean, pre / local, post / local, pre / mean, post / mean};
}

}  // namespace

struct StreamAnalyzer::Impl {
  struct Beat {
    std::int64_t r = 0;
    std::int64_t c = -1;            // index among classified beats (-1: not classified)
    bool cut = false;               // window taken (or found not to fit)
    bool final_done = false;
    std::int32_t prov_pred = kQ, final_pred = kQ;  // the class weights' decisions (before the rhythm step)
    float p_wave = 0;               // tpl_corr_p against the dominant beat known when last classified
    double p_energy = 0;            // energy of the detrended P region
    bool p_usable = false;          // P region finite
  };

  StreamAnalyzer& self;
  const BeatPipeline& pipe;
  const Preprocessing& pre;
  StreamOptions opt;
  RhythmStep gate;
  ClassWeights weights;
  std::unique_ptr<QrsDetector> detector;
  ZeroPhaseFilter filter;
  int L = 0;                  // leads in the stream
  std::size_t lead1 = 0, lead2 = 1;
  bool two = false;           // the model reads the second lead
  std::size_t W = 0;          // window length
  int before = 0, after = 0;
  std::int64_t delay = 0;     // final delay, samples
  std::int64_t one_second = 0;

  // Carry: the frames of the chunk being filled.
  std::vector<double> carry;  // kStreamChunk x L
  std::int64_t carry_frames = 0;
  std::int64_t pos = 0;       // samples processed (chunk boundary)
  bool finished = false;

  // Sample rings (the leads the model reads), as float like extract_windows.
  std::vector<float> ring1, ring2;
  std::size_t ring_mask = 0;
  std::vector<double> det_in;
  std::vector<std::int64_t> found;

  // Beat history ring.
  std::vector<Beat> beats;
  std::vector<float> raw;     // slot x (W per lead read)
  std::vector<float> preg;    // slot x kPLen, detrended P regions (lead 1, filtered)
  std::size_t beat_cap = 0, beat_cap_max = 0;
  std::int64_t count = 0;      // beats detected
  std::int64_t next_cut = 0;   // next beat whose window is to be cut / provisional
  std::int64_t next_final = 0;
  std::int64_t classified = 0;  // classified beats so far
  std::int64_t lead_unclassified = 0;  // unclassified beats before the first classified one

  // Dominant beat reservoir: every step-th classified beat's filtered windows.
  std::vector<float> res1, res2;
  std::size_t res_n = 0;
  std::int64_t res_step = 1;
  std::size_t res_added_since = 0;
  std::vector<float> tmpl1, tmpl2;
  bool tmpl_valid = false;

  // Record adaptation sums over the final per-beat decisions, per class (N, S):
  // count, and per input sum and sum of squares; input 1 (pre / record mean)
  // is kept as pre-RR seconds, divided by the current mean when fitted.
  struct AdaptSums {
    double n = 0;
    std::array<double, 3> s{}, ss{};
  };
  std::array<AdaptSums, 2> sums{};

  // Scratch.
  std::vector<double> w1, w2, f1, scratch;
  std::vector<float> fw1, fw2;
  std::vector<double> rr_v, diffs, pw;

  Impl(StreamAnalyzer& s, const BeatPipeline& p, double fs, int num_leads, StreamOptions o)
      : self(s), pipe(p), pre(p.preprocessing()), opt(std::move(o)), gate(p.rhythm_step()), filter(p.preprocessing().coefficients()) {
    if (num_leads < 1) throw InvalidArgument("stream: the number of leads must be at least 1, got " + std::to_string(num_leads));
    if (!(fs > 0) || !std::isfinite(fs)) throw InvalidArgument("stream: the sampling rate must be positive");
    if (fs != pre.fs)
      throw UnsupportedError("stream: the model works at " + std::to_string(pre.fs) + " Hz and the stream is at " + std::to_string(fs) +
                             " Hz; streaming analysis needs samples at the model's rate (resample them first)");
    if (!(opt.final_delay_s > 0) || opt.final_delay_s > kMaxFinalDelay)
      throw InvalidArgument("stream: the final delay must be in (0, " + std::to_string(static_cast<int>(kMaxFinalDelay)) + "] s, got " +
                            std::to_string(opt.final_delay_s));
    if (opt.template_beats < 1) throw InvalidArgument("stream: template_beats must be at least 1");
    if (opt.template_refresh < 1) throw InvalidArgument("stream: template_refresh must be at least 1");
    L = num_leads;
    two = pre.second_lead;
    if (!opt.lead_names.empty()) {
      if (opt.lead_names.size() != static_cast<std::size_t>(L))
        throw InvalidArgument("stream: " + std::to_string(opt.lead_names.size()) + " lead names for " + std::to_string(L) + " leads");
      Recording names;
      names.name = "stream";
      names.leads = opt.lead_names;
      lead1 = analysis_lead(names, opt.lead, pre.lead_name);
    } else if (!opt.lead.empty()) {
      throw InvalidArgument("stream: lead '" + opt.lead + "' asked for, but the stream's leads have no names (give the lead names)");
    } else {
      lead1 = 0;
    }
    if (two) {
      if (L < 2)
        throw InvalidArgument("stream: the model reads two leads and the stream has one; give two leads, or use a one-lead model");
      lead2 = L;
      for (std::size_t i = 0; i < opt.lead_names.size() && lead2 == static_cast<std::size_t>(L); ++i)
        if (i != lead1 && opt.lead_names[i] == "V1") lead2 = i;
      for (std::size_t i = 0; i < static_cast<std::size_t>(L) && lead2 == static_cast<std::size_t>(L); ++i)
        if (i != lead1) lead2 = i;
    }
    weights = opt.use_weights ? pipe.class_weights() : ClassWeights{1, 1, 1, 1, 1};
    if (!opt.use_rhythm_step) gate = RhythmStep{};
    detector = make_qrs_detector(opt.detector, fs);
    W = static_cast<std::size_t>(pre.window.length());
    before = pre.window.before;
    after = pre.window.after;
    if (before + kPRegionBegin < 0 || before + kPRegionEnd > static_cast<int>(W))
      throw UnsupportedError("stream: the model's window does not hold the P region the rhythm step reads");
    delay = std::max<std::int64_t>(1, std::llround(opt.final_delay_s * fs));
    one_second = std::llround(fs);
    carry.assign(static_cast<std::size_t>(kStreamChunk * L), 0.0);
    det_in.resize(static_cast<std::size_t>(kStreamChunk));
    // The rings hold a window around any beat the detector can still report.
    const auto ring_len = pow2_at_least(static_cast<std::size_t>(std::ceil(detector->delay_seconds() * fs)) + W + 4 * kStreamChunk + 64);
    ring_mask = ring_len - 1;
    ring1.assign(ring_len, 0.0f);
    if (two) ring2.assign(ring_len, 0.0f);
    // Beats still needed: those within the final delay, the detector's
    // delay and the window, plus the gate's and the local RR's look-back.
    const double span_s = opt.final_delay_s + detector->delay_seconds() + 1.0;
    const std::size_t h = gate.enabled ? static_cast<std::size_t>(gate.half_window) : 0;
    beat_cap_max = pow2_at_least(static_cast<std::size_t>(std::ceil(span_s * kMaxBeatsPerSecond)) + 2 * h + 2 * kLocalRRBeats + 16);
    grow_beats(std::min<std::size_t>(beat_cap_max, 64));
    tmpl1.assign(W, 0.0f);
    if (two) tmpl2.assign(W, 0.0f);
    w1.resize(W);
    w2.resize(W);
    f1.resize(W);
    fw1.resize(W);
    fw2.resize(W);
  }

  std::size_t lanes() const { return two ? 2 : 1; }
  Beat& beat(std::int64_t g) { return beats[static_cast<std::size_t>(g) & (beat_cap - 1)]; }
  float* raw_of(std::int64_t g) { return raw.data() + (static_cast<std::size_t>(g) & (beat_cap - 1)) * W * lanes(); }
  float* preg_of(std::int64_t g) { return preg.data() + (static_cast<std::size_t>(g) & (beat_cap - 1)) * kPLen; }
  std::int64_t r_of(std::int64_t g) { return beat(g).r; }
  // Classified beat c's global index.
  std::int64_t g_of(std::int64_t c) const { return c + lead_unclassified; }

  // The oldest beat still needed.
  std::int64_t oldest_needed() const {
    const std::int64_t back = (gate.enabled ? gate.half_window : 0) + kLocalRRBeats + 4;
    return std::max<std::int64_t>(0, std::min(next_final, next_cut) - back);
  }

  void grow_beats(std::size_t cap) {
    std::vector<Beat> nb(cap);
    std::vector<float> nraw(cap * W * lanes()), npreg(cap * kPLen);
    for (std::int64_t g = oldest_needed(); g < count; ++g) {
      const std::size_t from = static_cast<std::size_t>(g) & (beat_cap - 1), to = static_cast<std::size_t>(g) & (cap - 1);
      nb[to] = beats[from];
      std::copy_n(raw.data() + from * W * lanes(), W * lanes(), nraw.data() + to * W * lanes());
      std::copy_n(preg.data() + from * kPLen, kPLen, npreg.data() + to * kPLen);
    }
    beats.swap(nb);
    raw.swap(nraw);
    preg.swap(npreg);
    beat_cap = cap;
  }

  // ---- input ----

  void push_frames(const double* data, std::int64_t frames, std::int64_t stride_frame, std::int64_t stride_lead) {
    if (finished) throw InvalidArgument("stream: samples pushed after finish()");
    std::int64_t f = 0;
    while (f < frames) {
      const std::int64_t take = std::min(kStreamChunk - carry_frames, frames - f);
      for (std::int64_t k = 0; k < take; ++k)
        for (int l = 0; l < L; ++l)
          carry[static_cast<std::size_t>((carry_frames + k) * L + l)] = data[(f + k) * stride_frame + l * stride_lead];
      carry_frames += take;
      f += take;
      self.counts_.samples += take;
      if (carry_frames == kStreamChunk) process_chunk();
    }
  }

  void process_chunk() {
    const auto n = static_cast<std::size_t>(carry_frames);
    for (std::size_t k = 0; k < n; ++k) {
      const double v1 = carry[k * static_cast<std::size_t>(L) + lead1];
      det_in[k] = v1;
      const std::size_t at = static_cast<std::size_t>(pos + static_cast<std::int64_t>(k)) & ring_mask;
      // Gaps read 0 in the windows, as the batch path conditions the lead.
      ring1[at] = std::isfinite(v1) ? static_cast<float>(v1) : 0.0f;
      if (two) {
        const double v2 = carry[k * static_cast<std::size_t>(L) + lead2];
        ring2[at] = std::isfinite(v2) ? static_cast<float>(v2) : 0.0f;
      }
    }
    found.clear();
    detector->push(std::span<const double>(det_in.data(), n), found);
    pos += carry_frames;
    carry_frames = 0;
    add_beats();
    schedule();
  }

  void add_beats() {
    for (const std::int64_t r : found) {
      if (count > 0 && r <= beat(count - 1).r) continue;  // never happens: the detector's beats increase
      if (static_cast<std::size_t>(count - oldest_needed()) + 1 > beat_cap) {
        if (beat_cap < beat_cap_max) {
          grow_beats(beat_cap * 2);
        } else {
          // Cannot happen with the detector's refractory period; finalise
          // early rather than overwrite a beat still needed.
          while (static_cast<std::size_t>(count - oldest_needed()) + 1 > beat_cap && next_final < next_cut) finalize(next_final);
        }
      }
      Beat& b = beat(count);
      b = Beat{};
      b.r = r;
      ++count;
      ++self.counts_.beats;
    }
  }

  // ---- events ----

  void schedule() {
    while (next_cut < count) {
      Beat& b = beat(next_cut);
      if (b.r - before >= 0 && b.r + after > pos && !finished) break;  // window not complete yet
      cut(next_cut);
      provisional(next_cut);
      ++next_cut;
    }
    while (next_final < next_cut && (finished || beat(next_final).r + delay < pos + kStreamChunk)) finalize(next_final);
  }

  void cut(std::int64_t g) {
    Beat& b = beat(g);
    b.cut = true;
    if (b.r - before < 0 || b.r + after > pos) {  // does not fit: at the stream's start, or its end
      if (classified == 0) ++lead_unclassified;
      return;
    }
    b.c = classified++;
    float* out = raw_of(g);
    const std::int64_t start = b.r - before;
    for (std::size_t j = 0; j < W; ++j) out[j] = ring1[static_cast<std::size_t>(start + static_cast<std::int64_t>(j)) & ring_mask];
    if (two)
      for (std::size_t j = 0; j < W; ++j) out[W + j] = ring2[static_cast<std::size_t>(start + static_cast<std::int64_t>(j)) & ring_mask];
    // The filtered windows (as finish_beats makes them): the reservoir's and the P region's.
    filtered(out, fw1);
    if (two) filtered(out + W, fw2);
    p_region(g, fw1);
    reservoir_add(b.c);
  }

  void filtered(const float* in, std::vector<float>& out) {
    for (std::size_t j = 0; j < W; ++j) w1[j] = in[j];
    if (pre.filter_beats) {
      filter.apply(w1, f1, scratch);
      std::transform(f1.begin(), f1.end(), out.begin(), [](double v) { return static_cast<float>(v); });
    } else {
      std::transform(w1.begin(), w1.end(), out.begin(), [](double v) { return static_cast<float>(v); });
    }
  }

  // The beat's detrended P region (as the coherence measure detrends it).
  void p_region(std::int64_t g, const std::vector<float>& fw) {
    Beat& b = beat(g);
    float* x = preg_of(g);
    const float* r = fw.data() + before + kPRegionBegin;
    double tt = 0, mean = 0, slope = 0;
    bool usable = true;
    for (std::size_t j = 0; j < kPLen; ++j) {
      const double t = static_cast<double>(j) - static_cast<double>(kPLen - 1) / 2;
      tt += t * t;
      usable = usable && std::isfinite(r[j]);
      mean += r[j];
      slope += t * r[j];
    }
    b.p_usable = usable;
    b.p_energy = 0;
    if (!usable) return;
    mean /= static_cast<double>(kPLen);
    slope /= tt;
    for (std::size_t j = 0; j < kPLen; ++j) {
      const double t = static_cast<double>(j) - static_cast<double>(kPLen - 1) / 2;
      const double v = r[j] - mean - slope * t;
      x[j] = static_cast<float>(v);
      b.p_energy += v * v;
    }
  }

  void reservoir_add(std::int64_t c) {
    if (c % res_step != 0) return;
    const std::size_t cap = opt.template_beats;
    if (res1.size() < (res_n + 1) * W) {
      const std::size_t want = std::min(cap, std::max<std::size_t>(16, 2 * res_n)) * W;
      res1.resize(std::max(want, (res_n + 1) * W));
      if (two) res2.resize(res1.size());
    }
    std::copy(fw1.begin(), fw1.end(), res1.begin() + static_cast<std::ptrdiff_t>(res_n * W));
    if (two) std::copy(fw2.begin(), fw2.end(), res2.begin() + static_cast<std::ptrdiff_t>(res_n * W));
    ++res_n;
    ++res_added_since;
    if (res_n > cap) {
      // Keep every other beat (those at multiples of the doubled step).
      res_step *= 2;
      std::size_t kept = 0;
      for (std::size_t i = 0; i < res_n; i += 2, ++kept) {
        std::copy_n(res1.begin() + static_cast<std::ptrdiff_t>(i * W), W, res1.begin() + static_cast<std::ptrdiff_t>(kept * W));
        if (two) std::copy_n(res2.begin() + static_cast<std::ptrdiff_t>(i * W), W, res2.begin() + static_cast<std::ptrdiff_t>(kept * W));
      }
      res_n = kept;
    }
    if (!tmpl_valid || res_n < static_cast<std::size_t>(opt.template_refresh) ||
        res_added_since >= static_cast<std::size_t>(opt.template_refresh))
      refresh_template();
  }

  void refresh_template() {
    tmpl1 = median_template(std::span<const float>(res1.data(), res_n * W), W);
    if (two) tmpl2 = median_template(std::span<const float>(res2.data(), res_n * W), W);
    if (opt.fixed_dominant.size() == W) tmpl1 = opt.fixed_dominant;
    if (two && opt.fixed_dominant2.size() == W) tmpl2 = opt.fixed_dominant2;
    tmpl_valid = true;
    res_added_since = 0;
  }

  // The beat's probabilities with the context known now.
  std::array<float, 5> classify(std::int64_t g) {
    const float* rw = raw_of(g);
    for (std::size_t j = 0; j < W; ++j) w1[j] = rw[j];
    if (two)
      for (std::size_t j = 0; j < W; ++j) w2[j] = rw[W + j];
    const RRFeatures rr = rr_at([&](std::int64_t k) { return r_of(k); }, g, count, pre.fs, opt.fixed_mean_rr_s);
    const auto p = two ? pipe.classify_beat(w1, rr, tmpl1, w2, tmpl2) : pipe.classify_beat(w1, rr, tmpl1);
    if (gate.enabled && gate.p_measure == PMeasure::tpl_corr_p) {
      // tpl_corr_p (template feature 2) against the current dominant beat.
      std::array<float, kNumTemplateFeatures> tf{};
      filtered(rw, fw1);
      template_features(fw1, tmpl1, before, tf);
      beat(g).p_wave = tf[2];
    }
    return p;
  }

  // The rhythm step's per-beat decision of classified beat c (global g),
  // with the neighbours known now; `af` is set to the gate's verdict.
  struct StepInputs {
    double pre_ratio = 1, pre_local = 1, post_local = 1;
    bool af = false;
  };

  StepInputs step_inputs(std::int64_t c, std::int64_t self_g, std::int32_t self_pred) {
    StepInputs s;
    const auto rc = [&](std::int64_t k) { return r_of(g_of(k)); };
    const RRFeatures rr = rr_at(rc, c, classified, pre.fs, opt.fixed_mean_rr_s);
    s.pre_ratio = rr[kRRPreOverRecord];
    s.pre_local = rr[kRRPreOverLocal];
    s.post_local = rr[kRRPostOverLocal];
    const auto pred = [&](std::int64_t k) {
      const std::int64_t g = g_of(k);
      if (g == self_g) return self_pred;
      const Beat& b = beat(g);
      return b.final_done ? b.final_pred : b.prov_pred;
    };
    const auto h = static_cast<std::int64_t>(gate.half_window);
    const std::int64_t lo = std::max<std::int64_t>(0, c - h), hi = std::min(classified - 1, c + h);
    // Irregularity, as rhythm_stats.
    rr_v.clear();
    diffs.clear();
    double prev = -1;
    for (std::int64_t j = lo + 1; j <= hi; ++j) {
      const std::int32_t a = pred(j), b = pred(j - 1);
      const bool usable = gate.irregularity_n_only ? a == kN && b == kN : a != kV && b != kV;
      const double v = usable ? static_cast<double>(rc(j) - rc(j - 1)) / pre.fs : -1;
      if (usable) {
        rr_v.push_back(v);
        if (prev >= 0) diffs.push_back(std::abs(v - prev));
      }
      prev = v;
    }
    double irregularity = kNaN;
    if (diffs.size() >= static_cast<std::size_t>(gate.min_differences)) irregularity = upper_median(diffs) / upper_median(rr_v);
    double p = kNaN;
    if (gate.p_measure == PMeasure::coherence) {
      std::array<double, kPLen> sum{};
      double energy = 0, m = 0;
      for (std::int64_t j = lo; j <= hi; ++j) {
        const std::int64_t g = g_of(j);
        const Beat& b = beat(g);
        if (pred(j) == kV || !b.p_usable) continue;
        const float* x = preg_of(g);
        for (std::size_t t = 0; t < kPLen; ++t) sum[t] += x[t];
        energy += b.p_energy;
        m += 1;
      }
      if (m >= static_cast<double>(std::max(gate.min_differences, 2)) && energy / m > 0) {
        double avg = 0;
        for (std::size_t t = 0; t < kPLen; ++t) avg += (sum[t] / m) * (sum[t] / m);
        p = std::clamp(avg / (energy / m), 0.0, 1.0);
      }
    } else {
      pw.clear();
      for (std::int64_t j = lo; j <= hi; ++j) pw.push_back(beat(g_of(j)).p_wave);
      p = upper_median(pw);
    }
    s.af = irregularity > gate.irregularity && p < gate.p_wave;  // NaN: no verdict
    return s;
  }

  std::int32_t per_beat_step(const StepInputs& s, std::int32_t d) const {
    if (d == kN && s.pre_ratio < gate.premature) return s.af && gate.premature_gated ? kN : kS;
    return d == kS && s.af ? kN : d;
  }

  double adapt_x(const StepInputs& s, const Beat& b, std::size_t f) const {
    if (f == 0) return s.pre_local;
    if (f == 1) return s.pre_ratio;
    return gate.adapt_third == AdaptInput::rr_post_local ? s.post_local : b.p_wave;
  }

  // The record adaptation's verdict on a beat (decision d after the
  // per-beat step), fitted on the sums so far; the record mean RR now is
  // `mean` (the sums' input 1 is in seconds).
  std::int32_t adapt(const StepInputs& s, const Beat& b, std::int32_t d, double mean) const {
    if (gate.adapt_min_beats <= 0 || (d != kN && d != kS)) return d;
    const auto& N = sums[0];
    const auto& S = sums[1];
    const double need = static_cast<double>(gate.adapt_min_beats);
    if (N.n < need || S.n < need) return d;
    const std::size_t F = gate.adapt_third == AdaptInput::none ? 2 : 3;
    double score = gate.adapt_equal_priors ? 0.0 : std::log(S.n) - std::log(N.n);
    for (std::size_t f = 0; f < F; ++f) {
      const double k = f == 1 ? 1.0 / mean : 1.0;  // seconds to ratios
      const double mN = N.s[f] * k / N.n, mS = S.s[f] * k / S.n;
      const double var = ((N.ss[f] * k * k - N.n * mN * mN) + (S.ss[f] * k * k - S.n * mS * mS)) / (N.n + S.n - 2) + 1e-12;
      const double x = adapt_x(s, b, f);
      score += 0.5 * ((x - mN) * (x - mN) - (x - mS) * (x - mS)) / var;
    }
    const bool says_s = score > 0;
    if (d == kN && !(gate.premature_gated && s.af) && says_s) return kS;
    if (d == kS && gate.adapt_take_back && !says_s) return kN;
    return d;
  }

  double classified_mean() {
    if (opt.fixed_mean_rr_s > 0) return opt.fixed_mean_rr_s;
    return classified >= 2 ? static_cast<double>(r_of(g_of(classified - 1)) - r_of(g_of(0))) / pre.fs / static_cast<double>(classified - 1)
                           : 1.0;
  }

  // Beat g's event at this stage: classified (when it has a window) and
  // decided by the class weights into `pred`, before the rhythm step.
  StreamBeat event(std::int64_t g, BeatStage stage, std::int32_t& pred) {
    const Beat& b = beat(g);
    StreamBeat e;
    e.stage = stage;
    e.sample = b.r;
    e.emitted_at = pos;
    if (b.c >= 0) {
      e.classified = true;
      e.proba = classify(g);
      pred = decide_row(e.proba.data(), weights);
      e.cls = pred;
    }
    return e;
  }

  void provisional(std::int64_t g) {
    Beat& b = beat(g);
    StreamBeat e = event(g, BeatStage::provisional, b.prov_pred);
    if (e.classified) {
      if (gate.enabled) {
        const StepInputs s = step_inputs(b.c, g, b.prov_pred);
        e.cls = adapt(s, b, per_beat_step(s, b.prov_pred), classified_mean());
      }
    }
    e.late = e.emitted_at - e.sample > one_second;
    ++self.counts_.provisional;
    if (e.late) ++self.counts_.late;
    if (opt.provisional) self.emit(e);
    self.on_provisional(e);
  }

  void finalize(std::int64_t g) {
    Beat& b = beat(g);
    StreamBeat e = event(g, BeatStage::final, b.final_pred);
    if (e.classified) {
      if (gate.enabled) {
        const StepInputs s = step_inputs(b.c, g, b.final_pred);
        const std::int32_t d = per_beat_step(s, b.final_pred);
        if (d == kN || d == kS) {
          auto& a = sums[static_cast<std::size_t>(d)];
          a.n += 1;
          for (std::size_t f = 0; f < 3; ++f) {
            const double x = f == 1 ? s.pre_ratio * classified_mean() : adapt_x(s, b, f);
            a.s[f] += x;
            a.ss[f] += x * x;
          }
        }
        e.cls = adapt(s, b, d, classified_mean());
        e.af = s.af;
      }
    }
    b.final_done = true;
    ++next_final;
    ++self.counts_.final;
    ++self.counts_.final_classes[static_cast<std::size_t>(e.cls)];
    self.emit(e);
    self.on_final(e);
    if (self.episodes_) {
      self.episodes_->push(e.sample, e.cls, e.af);
      self.emit_episodes(e.emitted_at);
    }
  }

  void finish() {
    if (finished) return;
    if (carry_frames > 0) process_chunk();  // the partial last chunk
    found.clear();
    detector->finish(found);
    add_beats();
    finished = true;
    // The beats' windows are all cut at the end: the dominant beat from them all.
    while (next_cut < count) {
      cut(next_cut);
      provisional(next_cut);
      ++next_cut;
    }
    if (res_added_since > 0) refresh_template();
    schedule();
    if (self.episodes_) {
      self.episodes_->finish();
      self.emit_episodes(pos);
    }
  }

  std::size_t bytes() const {
    return (carry.capacity() + det_in.capacity() + w1.capacity() + w2.capacity() + f1.capacity() + scratch.capacity() + rr_v.capacity() +
            diffs.capacity() + pw.capacity()) * sizeof(double) +
           (ring1.capacity() + ring2.capacity() + raw.capacity() + preg.capacity() + res1.capacity() + res2.capacity() +
            tmpl1.capacity() + tmpl2.capacity() + fw1.capacity() + fw2.capacity()) * sizeof(float) +
           beats.capacity() * sizeof(Beat) + found.capacity() * sizeof(std::int64_t);
  }

  std::size_t bound() const {
    const std::size_t h = gate.enabled ? static_cast<std::size_t>(gate.half_window) : 0;
    return (static_cast<std::size_t>(kStreamChunk) * (static_cast<std::size_t>(L) + 1) + 4 * W + 2 * (2 * h + 2) + 4096) * sizeof(double) +
           ((ring_mask + 1) * lanes() + beat_cap_max * (W * lanes() + kPLen) + (opt.template_beats + 1) * W * lanes() * 2 +
            4 * W) * sizeof(float) +
           beat_cap_max * sizeof(Beat) * 2 + 1024 * sizeof(std::int64_t);
  }
};

StreamAnalyzer::StreamAnalyzer(const BeatPipeline& pipe, double fs, int num_leads, StreamOptions options) : fs_(fs) {
  const bool episodes = options.episodes;
  const EpisodeOptions episode_options = options.episode_options;
  impl_ = std::make_unique<Impl>(*this, pipe, fs, num_leads, std::move(options));
  if (episodes) episodes_ = std::make_unique<EpisodeStream>(fs, episode_options);
  final_delay_ = impl_->delay;
}

StreamAnalyzer::~StreamAnalyzer() = default;

std::vector<StreamBeat> StreamAnalyzer::take() {
  std::vector<StreamBeat> out(queue_.begin(), queue_.end());
  queue_.clear();
  return out;
}

std::vector<StreamEpisode> StreamAnalyzer::take_episodes() {
  std::vector<StreamEpisode> out(episode_queue_.begin(), episode_queue_.end());
  episode_queue_.clear();
  return out;
}

void StreamAnalyzer::emit_episodes(std::int64_t at) {
  for (const Episode& e : episodes_->take()) {
    const StreamEpisode se{e, at};
    ++counts_.episodes;
    if (episode_callback_) episode_callback_(se);
    else episode_queue_.push_back(se);
  }
}

void StreamAnalyzer::emit(const StreamBeat& b) {
  if (callback_) callback_(b);
  else queue_.push_back(b);
}

void StreamAnalyzer::push(std::span<const double> x) {
  const auto L = static_cast<std::size_t>(impl_->L);
  if (x.size() % L)
    throw InvalidArgument("stream: " + std::to_string(x.size()) + " samples are not whole frames of " + std::to_string(L) + " leads");
  impl_->push_frames(x.data(), static_cast<std::int64_t>(x.size() / L), static_cast<std::int64_t>(L), 1);
}

void StreamAnalyzer::push_leads(std::span<const std::span<const double>> leads) {
  if (leads.size() != static_cast<std::size_t>(impl_->L))
    throw InvalidArgument("stream: " + std::to_string(leads.size()) + " leads pushed, the stream has " + std::to_string(impl_->L));
  for (const auto& l : leads)
    if (l.size() != leads[0].size()) throw InvalidArgument("stream: the pushed leads differ in length");
  if (leads.empty() || leads[0].empty()) return;
  // Frame by frame through a small interleaved buffer.
  std::vector<double> buf;
  const std::size_t n = leads[0].size(), L = leads.size();
  constexpr std::size_t kFrames = 256;
  buf.resize(kFrames * L);
  for (std::size_t at = 0; at < n; at += kFrames) {
    const std::size_t m = std::min(kFrames, n - at);
    for (std::size_t k = 0; k < m; ++k)
      for (std::size_t l = 0; l < L; ++l) buf[k * L + l] = leads[l][at + k];
    impl_->push_frames(buf.data(), static_cast<std::int64_t>(m), static_cast<std::int64_t>(L), 1);
  }
}

void StreamAnalyzer::finish() { impl_->finish(); }

std::size_t StreamAnalyzer::memory_bytes() const {
  return impl_->bytes() + queue_.size() * sizeof(StreamBeat) + episode_queue_.size() * sizeof(StreamEpisode) +
         (episodes_ ? episodes_->window_beats() * (sizeof(std::int64_t) + sizeof(std::int32_t)) : 0);
}

std::size_t StreamAnalyzer::memory_bound() const { return impl_->bound(); }

}  // namespace heartwave
