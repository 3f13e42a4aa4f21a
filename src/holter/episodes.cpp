#include "heartwave/holter/episodes.hpp"

#include <algorithm>
#include <string>

#include "heartwave/core/error.hpp"

namespace heartwave {

namespace {

constexpr std::int32_t kN = 0, kS = 1, kV = 2;
constexpr int kRhythm = 28;  // WFDB RHYTHM, written '+'

struct Beats {
  std::span<const std::int64_t> r;
  std::span<const std::int32_t> cls;
  double fs;
  std::size_t size() const { return r.size(); }
  // The R of the beat after `last`, or the last's own when it is the last.
  std::int64_t end_after(std::size_t last) const { return last + 1 < r.size() ? r[last + 1] : r[last]; }
  double rate(std::size_t first, std::size_t last) const {
    return last > first ? 60.0 * static_cast<double>(last - first) * fs / static_cast<double>(r[last] - r[first]) : 0.0;
  }
  Episode make(EpisodeType type, std::size_t first, std::size_t last) const {
    Episode e;
    e.type = type;
    e.first_beat = first, e.last_beat = last;
    e.begin = r[first], e.end = end_after(last);
    e.beats = static_cast<int>(last - first + 1);
    e.rate_bpm = rate(first, last);
    return e;
  }
};

// Maximal runs of consecutive beats of class `c`: couplets and runs.
void runs_of(const Beats& b, std::int32_t c, EpisodeType couplet, EpisodeType run, int min_run, std::vector<Episode>& out) {
  for (std::size_t i = 0; i < b.size();) {
    if (b.cls[i] != c) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j + 1 < b.size() && b.cls[j + 1] == c) ++j;
    const std::size_t len = j - i + 1;
    if (len >= static_cast<std::size_t>(std::max(min_run, 3))) out.push_back(b.make(run, i, j));
    else if (len == 2) out.push_back(b.make(couplet, i, j));
    i = j + 1;
  }
}

// Repeating cycles of `normals` N beats then one beat of class `c`
// (bigeminy: 1, trigeminy: 2), at least `min_cycles` in a row.
void cycles_of(const Beats& b, std::int32_t c, std::size_t normals, int min_cycles, EpisodeType type, std::vector<Episode>& out) {
  const std::size_t period = normals + 1;
  auto cycle_at = [&](std::size_t start) {  // beats start .. start+normals: N..N then c
    if (start + normals >= b.size()) return false;
    for (std::size_t k = 0; k < normals; ++k)
      if (b.cls[start + k] != kN) return false;
    return b.cls[start + normals] == c;
  };
  for (std::size_t i = 0; i < b.size();) {
    if (!cycle_at(i)) {
      ++i;
      continue;
    }
    std::size_t cycles = 1, next = i + period;
    while (cycle_at(next)) ++cycles, next += period;
    if (cycles >= static_cast<std::size_t>(std::max(min_cycles, 1))) {
      out.push_back(b.make(type, i, next - 1));
      i = next;
    } else {
      ++i;
    }
  }
}

bool overlaps(std::span<const SampleRange> excluded, std::int64_t begin, std::int64_t end) {
  return std::any_of(excluded.begin(), excluded.end(), [&](const SampleRange& x) { return x.begin < end && begin < x.end; });
}

}  // namespace

const char* episode_type_name(EpisodeType type) {
  switch (type) {
    case EpisodeType::af: return "AFIB";
    case EpisodeType::ventricular_run: return "VT";
    case EpisodeType::supraventricular_run: return "SVTA";
    case EpisodeType::ventricular_couplet: return "VCOUPLET";
    case EpisodeType::supraventricular_couplet: return "SVCOUPLET";
    case EpisodeType::ventricular_bigeminy: return "B";
    case EpisodeType::ventricular_trigeminy: return "T";
    case EpisodeType::supraventricular_bigeminy: return "SVB";
    case EpisodeType::supraventricular_trigeminy: return "SVT3";
    case EpisodeType::pause: return "PAUSE";
    case EpisodeType::asystole: return "ASYSTOLE";
  }
  return "?";
}

std::vector<std::uint8_t> smooth_af(std::span<const std::uint8_t> af, int smooth_beats) {
  if (smooth_beats < 1 || smooth_beats % 2 == 0)
    throw InvalidArgument("AF smoothing over " + std::to_string(smooth_beats) + " beats: must be odd and at least 1");
  if (smooth_beats == 1) return {af.begin(), af.end()};
  const auto h = static_cast<std::size_t>(smooth_beats / 2), n = af.size();
  std::vector<std::uint8_t> out(n);
  std::size_t on = 0, lo = 0, hi = 0;  // af[lo, hi) summed in `on`
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t want_lo = i >= h ? i - h : 0, want_hi = std::min(n, i + h + 1);
    while (hi < want_hi) on += af[hi++] != 0;
    while (lo < want_lo) on -= af[lo++] != 0;
    out[i] = 2 * on > hi - lo;
  }
  return out;
}

std::vector<Episode> find_episodes(std::span<const std::int64_t> r_sample, std::span<const std::int32_t> cls,
                                   std::span<const std::uint8_t> af, double fs, const EpisodeOptions& o,
                                   std::span<const SampleRange> excluded) {
  if (cls.size() != r_sample.size() || (!af.empty() && af.size() != r_sample.size()))
    throw InvalidArgument("find_episodes: " + std::to_string(r_sample.size()) + " beat times, " + std::to_string(cls.size()) +
                          " classes and " + std::to_string(af.size()) + " AF verdicts");
  for (std::size_t i = 1; i < r_sample.size(); ++i)
    if (r_sample[i] <= r_sample[i - 1]) throw InvalidArgument("find_episodes: beat " + std::to_string(i) + " is not after the one before");
  if (!(fs > 0)) throw InvalidArgument("find_episodes: no valid sampling rate");
  const Beats b{r_sample, cls, fs};
  std::vector<Episode> out;
  runs_of(b, kV, EpisodeType::ventricular_couplet, EpisodeType::ventricular_run, o.run_min_beats, out);
  runs_of(b, kS, EpisodeType::supraventricular_couplet, EpisodeType::supraventricular_run, o.run_min_beats, out);
  cycles_of(b, kV, 1, o.bigeminy_min_cycles, EpisodeType::ventricular_bigeminy, out);
  cycles_of(b, kV, 2, o.trigeminy_min_cycles, EpisodeType::ventricular_trigeminy, out);
  cycles_of(b, kS, 1, o.bigeminy_min_cycles, EpisodeType::supraventricular_bigeminy, out);
  cycles_of(b, kS, 2, o.trigeminy_min_cycles, EpisodeType::supraventricular_trigeminy, out);
  for (std::size_t i = 1; i < b.size(); ++i) {
    const double rr = static_cast<double>(r_sample[i] - r_sample[i - 1]) / fs;
    if (rr <= o.pause_s && rr < o.asystole_s) continue;
    if (overlaps(excluded, r_sample[i - 1], r_sample[i])) continue;
    for (EpisodeType t : {EpisodeType::pause, EpisodeType::asystole}) {
      if (t == EpisodeType::pause ? rr <= o.pause_s : rr < o.asystole_s) continue;
      Episode e;
      e.type = t;
      e.first_beat = i - 1, e.last_beat = i;
      e.begin = r_sample[i - 1], e.end = r_sample[i];
      out.push_back(e);
    }
  }
  // AF: runs of gated beats, joined across short gaps, long enough.
  if (!af.empty()) {
    const std::vector<std::uint8_t> smoothed = smooth_af(af, o.af_smooth_beats);
    af = smoothed;
    std::vector<Episode> spans;
    for (std::size_t i = 0; i < b.size();) {
      if (!af[i]) {
        ++i;
        continue;
      }
      std::size_t j = i;
      while (j + 1 < b.size() && af[j + 1]) ++j;
      if (!spans.empty() && static_cast<double>(r_sample[i] - r_sample[spans.back().last_beat]) / fs <= o.af_merge_gap_s)
        spans.back() = b.make(EpisodeType::af, spans.back().first_beat, j);
      else
        spans.push_back(b.make(EpisodeType::af, i, j));
      i = j + 1;
    }
    for (const Episode& e : spans)
      if (static_cast<double>(r_sample[e.last_beat] - r_sample[e.first_beat]) / fs >= o.af_min_s) out.push_back(e);
  }
  std::stable_sort(out.begin(), out.end(), [](const Episode& x, const Episode& y) { return x.begin < y.begin; });
  return out;
}

std::vector<Annotation> rhythm_annotations(std::span<const Episode> episodes, std::span<const std::int64_t> r_sample) {
  if (r_sample.empty()) return {};
  // The rhythm label of every beat: the underlying rhythm (N, or AFIB inside
  // an AF episode), then the ectopic rhythms over it, the stronger last.
  std::vector<std::string> label(r_sample.size(), "(N");
  auto paint = [&](EpisodeType t, const char* aux) {
    for (const Episode& e : episodes)
      if (e.type == t)
        for (std::size_t k = e.first_beat; k <= e.last_beat && k < label.size(); ++k) label[k] = aux;
  };
  paint(EpisodeType::af, "(AFIB");
  paint(EpisodeType::ventricular_trigeminy, "(T");
  paint(EpisodeType::ventricular_bigeminy, "(B");
  paint(EpisodeType::supraventricular_run, "(SVTA");
  paint(EpisodeType::ventricular_run, "(VT");
  std::vector<Annotation> out;
  for (std::size_t k = 0; k < label.size(); ++k) {
    if (k > 0 && label[k] == label[k - 1]) continue;
    Annotation a;
    a.time = r_sample[k];
    a.code = kRhythm;
    a.aux = label[k];
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<Annotation> merge_annotations(std::span<const Annotation> beats, std::span<const Annotation> rhythm) {
  std::vector<Annotation> out;
  out.reserve(beats.size() + rhythm.size());
  std::size_t i = 0, j = 0;
  while (i < beats.size() || j < rhythm.size()) {
    if (j < rhythm.size() && (i == beats.size() || rhythm[j].time <= beats[i].time)) out.push_back(rhythm[j++]);
    else out.push_back(beats[i++]);
  }
  return out;
}

}  // namespace heartwave
