// EpisodeStream gives, beat by beat, exactly the episodes find_episodes
// gives for the whole sequence: on seeded random sequences built to hold
// runs, bigeminy, trigeminy, pauses and AF spans, under several option
// sets, and on MIT-BIH reference beats with AF from the reference rhythm.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "heartwave/beats/label_sets.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/holter/episode_stream.hpp"
#include "heartwave/io/wfdb_annotation.hpp"
#include "support.hpp"

using namespace heartwave;

namespace {

struct Beats {
  std::vector<std::int64_t> r;
  std::vector<std::int32_t> cls;
  std::vector<std::uint8_t> af;
};

// Segments of patterns: normal rhythm, ectopic runs of 1..12 beats,
// bigeminy and trigeminy chains of 1..8 cycles, pauses, AF spans.
Beats random_beats(unsigned seed, std::size_t n, double fs) {
  std::mt19937 rng(seed);
  auto uni = [&](int a, int b) { return std::uniform_int_distribution<int>(a, b)(rng); };
  Beats b;
  std::int64_t t = 10;
  bool in_af = false;
  while (b.r.size() < n) {
    std::vector<std::int32_t> seg;
    switch (uni(0, 5)) {
      case 0: seg.assign(static_cast<std::size_t>(uni(1, 20)), 0); break;
      case 1: seg.assign(static_cast<std::size_t>(uni(1, 12)), uni(1, 2)); break;
      case 2: {
        const int c = uni(1, 2);
        for (int k = uni(1, 8); k > 0; --k) seg.insert(seg.end(), {0, c});
        break;
      }
      case 3: {
        const int c = uni(1, 2);
        for (int k = uni(1, 8); k > 0; --k) seg.insert(seg.end(), {0, 0, c});
        break;
      }
      case 4: seg.assign(static_cast<std::size_t>(uni(1, 4)), uni(3, 4)); break;
      default: in_af = !in_af; seg.assign(static_cast<std::size_t>(uni(1, 40)), 0); break;
    }
    for (std::int32_t c : seg) {
      const int pause = uni(0, 40);
      const double rr = pause == 0 ? 2.0 + uni(0, 50) / 10.0 : (c == 0 ? 0.8 : 0.5) + uni(0, 30) / 100.0;
      t += static_cast<std::int64_t>(rr * fs);
      b.r.push_back(t);
      b.cls.push_back(c);
      b.af.push_back(in_af && uni(0, 9) != 0);  // AF spans with holes
    }
  }
  return b;
}

using Key = std::tuple<int, std::size_t, std::size_t, std::int64_t, std::int64_t, int>;
std::vector<Key> keys(const std::vector<Episode>& eps) {
  std::vector<Key> k;
  for (const auto& e : eps) k.emplace_back(static_cast<int>(e.type), e.first_beat, e.last_beat, e.begin, e.end, e.beats);
  std::sort(k.begin(), k.end());
  return k;
}

// The window may hold the longest episode (or run of S or V beats) besides
// its margin.
std::size_t window_bound(const Beats& b, const std::vector<Episode>& batch) {
  std::size_t longest = 0, run = 0;
  for (std::size_t i = 0; i < b.cls.size(); ++i) {
    run = i > 0 && b.cls[i] == b.cls[i - 1] && (b.cls[i] == 1 || b.cls[i] == 2) ? run + 1 : 1;
    longest = std::max(longest, run);
  }
  for (const auto& e : batch)
    if (e.type != EpisodeType::af) longest = std::max(longest, static_cast<std::size_t>(e.beats));
  return 2 * kEpisodeWindowKeep + longest + 4;
}

// The stream's episodes, checking each is emitted no earlier than it
// closes, and that the window stays within `max_window` beats.
std::vector<Episode> streamed(const Beats& b, double fs, const EpisodeOptions& o, std::size_t max_window) {
  EpisodeStream s(fs, o);
  std::vector<Episode> out;
  for (std::size_t i = 0; i < b.r.size(); ++i) {
    s.push(b.r[i], b.cls[i], b.af[i] != 0);
    for (const Episode& e : s.take()) {
      EXPECT_LE(e.last_beat, i) << "an episode was emitted before its last beat arrived";
      out.push_back(e);
    }
    if (s.window_beats() > max_window) {
      ADD_FAILURE() << "the window grew to " << s.window_beats() << " beats at beat " << i;
      max_window = s.window_beats();
    }
  }
  s.finish();
  for (const Episode& e : s.take()) out.push_back(e);
  EXPECT_THROW(s.push(b.r.back() + 1000, 0, false), InvalidArgument);
  return out;
}

}  // namespace

TEST(EpisodeStream, GivesTheBatchEpisodesOnRandomSequences) {
  const double fs = 250;
  std::vector<EpisodeOptions> opts(4);
  opts[1].af_min_s = 0, opts[1].af_merge_gap_s = 10, opts[1].af_smooth_beats = 5;
  opts[2].run_min_beats = 5, opts[2].bigeminy_min_cycles = 5, opts[2].trigeminy_min_cycles = 2, opts[2].pause_s = 1.5;
  opts[3].af_min_s = 10, opts[3].af_merge_gap_s = 3, opts[3].asystole_s = 3, opts[3].af_smooth_beats = 9;
  std::size_t total = 0, af = 0;
  for (unsigned seed = 1; seed <= 12; ++seed) {
    const Beats b = random_beats(seed, 3000, fs);
    for (const EpisodeOptions& o : opts) {
      const auto batch = find_episodes(b.r, b.cls, b.af, fs, o);
      const auto stream = streamed(b, fs, o, window_bound(b, batch));
      ASSERT_EQ(keys(stream), keys(batch)) << "seed " << seed;
      total += batch.size();
      for (const auto& e : batch) af += e.type == EpisodeType::af;
    }
  }
  EXPECT_GT(total, 5000u);  // the sequences do hold episodes
  EXPECT_GT(af, 50u);
}

TEST(EpisodeStream, RatesAndTimesAreTheBatchOnes) {
  const double fs = 360;
  const Beats b = random_beats(99, 2000, fs);
  EpisodeOptions o;
  o.af_min_s = 5;
  auto batch = find_episodes(b.r, b.cls, b.af, fs, o);
  auto stream = streamed(b, fs, o, window_bound(b, batch));
  auto order = [](const Episode& x, const Episode& y) {
    return std::tie(x.begin, x.type, x.first_beat) < std::tie(y.begin, y.type, y.first_beat);
  };
  std::sort(batch.begin(), batch.end(), order);
  std::sort(stream.begin(), stream.end(), order);
  ASSERT_EQ(stream.size(), batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) EXPECT_DOUBLE_EQ(stream[i].rate_bpm, batch[i].rate_bpm) << i;
}

TEST(EpisodeStream, BadInputIsRefused) {
  EXPECT_THROW(EpisodeStream(0.0), InvalidArgument);
  EpisodeOptions even;
  even.af_smooth_beats = 4;
  EXPECT_THROW(EpisodeStream(360, even), InvalidArgument);
  EpisodeStream s(360);
  s.push(100, 0, false);
  EXPECT_THROW(s.push(100, 0, false), InvalidArgument);
  EXPECT_THROW(s.push(50, 0, false), InvalidArgument);
}

// MIT-BIH reference beats (AAMI classes) with AF where the reference
// rhythm is (AFIB or (AFL: the stream gives the batch episodes.
TEST(EpisodeStream, GivesTheBatchEpisodesOnMitBihReferenceBeats) {
  for (const std::string name : {"119", "201", "203", "207", "208", "221", "232"}) {
    Beats b;
    bool in_af = false;
    for (const Annotation& x : read_annotations(heartwave::test::mitdb_dir() / (name + ".atr"))) {
      if (x.code == 28) {
        const std::string aux = x.aux.substr(0, x.aux.find('\0'));
        in_af = aux == "(AFIB" || aux == "(AFL";
      }
      const auto c = class_of(LabelSet::aami, x.code);
      if (!c) continue;
      b.r.push_back(x.time), b.cls.push_back(*c), b.af.push_back(in_af);
    }
    const auto batch = find_episodes(b.r, b.cls, b.af, 360, {});
    ASSERT_EQ(keys(streamed(b, 360, {}, window_bound(b, batch))), keys(batch)) << name;
    EXPECT_FALSE(batch.empty()) << name;
  }
}
