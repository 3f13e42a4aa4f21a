// Rhythm episodes on hand-built beat sequences, and as rhythm annotations.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "heartwave/core/error.hpp"
#include "heartwave/holter/episodes.hpp"

using namespace heartwave;

namespace {

constexpr double kFs = 100;

// Beats one second apart from a class string (N S V F Q letters).
struct Seq {
  std::vector<std::int64_t> r;
  std::vector<std::int32_t> cls;
  explicit Seq(const std::string& letters, std::int64_t step = 100) {
    std::int64_t t = 50;
    for (char c : letters) {
      r.push_back(t);
      t += step;
      cls.push_back(c == 'N' ? 0 : c == 'S' ? 1 : c == 'V' ? 2 : c == 'F' ? 3 : 4);
    }
  }
};

std::vector<Episode> of_type(const std::vector<Episode>& eps, EpisodeType t) {
  std::vector<Episode> out;
  for (const auto& e : eps)
    if (e.type == t) out.push_back(e);
  return out;
}

}  // namespace

TEST(Episodes, CoupletsRunsAndBigeminy) {
  //              0123456789012345678901234
  const Seq s("NNVVNNVVVNNSSSSNVNVNVNNNN");
  const auto eps = find_episodes(s.r, s.cls, {}, kFs);
  const auto vc = of_type(eps, EpisodeType::ventricular_couplet);
  ASSERT_EQ(vc.size(), 1u);
  EXPECT_EQ(vc[0].first_beat, 2u);
  EXPECT_EQ(vc[0].last_beat, 3u);
  const auto vt = of_type(eps, EpisodeType::ventricular_run);
  ASSERT_EQ(vt.size(), 1u);
  EXPECT_EQ(vt[0].first_beat, 6u);
  EXPECT_EQ(vt[0].beats, 3);
  EXPECT_EQ(vt[0].begin, s.r[6]);
  EXPECT_EQ(vt[0].end, s.r[9]);  // the beat after the run
  EXPECT_DOUBLE_EQ(vt[0].rate_bpm, 60.0);
  const auto sv = of_type(eps, EpisodeType::supraventricular_run);
  ASSERT_EQ(sv.size(), 1u);
  EXPECT_EQ(sv[0].beats, 4);
  const auto bi = of_type(eps, EpisodeType::ventricular_bigeminy);
  ASSERT_EQ(bi.size(), 1u);
  EXPECT_EQ(bi[0].first_beat, 15u);
  EXPECT_EQ(bi[0].last_beat, 20u);
  EXPECT_TRUE(of_type(eps, EpisodeType::ventricular_trigeminy).empty());
  EXPECT_TRUE(of_type(eps, EpisodeType::supraventricular_couplet).empty());
  EXPECT_TRUE(of_type(eps, EpisodeType::pause).empty());
}

TEST(Episodes, TrigeminyNeedsThreeCycles) {
  const Seq three("NNVNNVNNVN"), two("NNVNNVNNN");
  EXPECT_EQ(of_type(find_episodes(three.r, three.cls, {}, kFs), EpisodeType::ventricular_trigeminy).size(), 1u);
  EXPECT_TRUE(of_type(find_episodes(two.r, two.cls, {}, kFs), EpisodeType::ventricular_trigeminy).empty());
  EpisodeOptions o;
  o.trigeminy_min_cycles = 2;
  EXPECT_EQ(of_type(find_episodes(two.r, two.cls, {}, kFs, o), EpisodeType::ventricular_trigeminy).size(), 1u);
}

TEST(Episodes, RunLengthIsConfigurable) {
  const Seq s("NVVVVNN");
  EpisodeOptions o;
  o.run_min_beats = 5;
  EXPECT_TRUE(of_type(find_episodes(s.r, s.cls, {}, kFs, o), EpisodeType::ventricular_run).empty());
  o.run_min_beats = 4;
  EXPECT_EQ(of_type(find_episodes(s.r, s.cls, {}, kFs, o), EpisodeType::ventricular_run).size(), 1u);
}

TEST(Episodes, PausesAndAsystole) {
  Seq s("NNNNNN");
  s.r = {0, 100, 350, 450, 1050, 1150};  // RR 1.0, 2.5, 1.0, 6.0, 1.0 s
  const auto eps = find_episodes(s.r, s.cls, {}, kFs);
  const auto p = of_type(eps, EpisodeType::pause), a = of_type(eps, EpisodeType::asystole);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].begin, 100);
  EXPECT_EQ(p[0].end, 350);
  EXPECT_DOUBLE_EQ(p[1].duration_s(kFs), 6.0);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].begin, 450);
  // Thresholds move; gaps over unreadable signal are not pauses.
  EpisodeOptions o;
  o.pause_s = 3.0;
  EXPECT_EQ(of_type(find_episodes(s.r, s.cls, {}, kFs, o), EpisodeType::pause).size(), 1u);
  const std::vector<SampleRange> bad = {{500, 600}};
  EXPECT_TRUE(of_type(find_episodes(s.r, s.cls, {}, kFs, {}, bad), EpisodeType::asystole).empty());
}

TEST(Episodes, AfFromGateVerdictsMergedAndFiltered) {
  // 200 beats 1 s apart: gated 20..69, a 5-beat gap, 75..89 (joined: gap 6 s
  // <= 10 s), then 150..159 (10 s: dropped, shorter than 30 s).
  const Seq s(std::string(200, 'N'));
  std::vector<std::uint8_t> af(200, 0);
  for (int i = 20; i < 70; ++i) af[i] = 1;
  for (int i = 75; i < 90; ++i) af[i] = 1;
  for (int i = 150; i < 160; ++i) af[i] = 1;
  EpisodeOptions joined;
  joined.af_merge_gap_s = 10;
  joined.af_min_s = 30;
  const auto eps = of_type(find_episodes(s.r, s.cls, af, kFs, joined), EpisodeType::af);
  ASSERT_EQ(eps.size(), 1u);
  EXPECT_EQ(eps[0].first_beat, 20u);
  EXPECT_EQ(eps[0].last_beat, 89u);
  EXPECT_EQ(eps[0].beats, 70);
  EpisodeOptions o;
  o.af_merge_gap_s = 5;  // the gap is 6 s: not joined; with no minimum duration, three episodes
  o.af_min_s = 0;
  const auto split = of_type(find_episodes(s.r, s.cls, af, kFs, o), EpisodeType::af);
  ASSERT_EQ(split.size(), 3u);
  EXPECT_EQ(split[1].first_beat, 75u);
}

TEST(Episodes, RhythmAnnotationsMarkEachChange) {
  const Seq s("NNVVVNNNNNNN");
  std::vector<std::uint8_t> af(s.r.size(), 0);
  const auto eps = find_episodes(s.r, s.cls, af, kFs);
  const auto ann = rhythm_annotations(eps, s.r);
  ASSERT_EQ(ann.size(), 3u);
  EXPECT_EQ(ann[0].time, s.r[0]);
  EXPECT_EQ(ann[0].aux, "(N");
  EXPECT_EQ(ann[1].time, s.r[2]);
  EXPECT_EQ(ann[1].aux, "(VT");
  EXPECT_EQ(ann[2].time, s.r[5]);
  EXPECT_EQ(ann[2].aux, "(N");
  for (const auto& a : ann) EXPECT_EQ(a.code, 28);
  // Inside AF, a run returns to AFIB, not N.
  std::vector<std::uint8_t> all(s.r.size(), 1);
  EpisodeOptions o;
  o.af_min_s = 0;
  const auto in_af = rhythm_annotations(find_episodes(s.r, s.cls, all, kFs, o), s.r);
  ASSERT_EQ(in_af.size(), 3u);
  EXPECT_EQ(in_af[0].aux, "(AFIB");
  EXPECT_EQ(in_af[1].aux, "(VT");
  EXPECT_EQ(in_af[2].aux, "(AFIB");
  // Merged with beats: the rhythm annotation precedes the beat at its sample.
  std::vector<Annotation> beats(s.r.size());
  for (std::size_t i = 0; i < beats.size(); ++i) beats[i].time = s.r[i], beats[i].code = 1;
  const auto merged = merge_annotations(beats, ann);
  ASSERT_EQ(merged.size(), beats.size() + ann.size());
  EXPECT_EQ(merged[0].code, 28);
  EXPECT_EQ(merged[1].code, 1);
  for (std::size_t i = 1; i < merged.size(); ++i) EXPECT_LE(merged[i - 1].time, merged[i].time);
  EXPECT_TRUE(rhythm_annotations(eps, {}).empty());
}

TEST(Episodes, RejectsInconsistentInput) {
  const Seq s("NNN");
  const std::vector<std::int32_t> two = {0, 0};
  EXPECT_THROW(find_episodes(s.r, two, {}, kFs), InvalidArgument);
  const std::vector<std::int64_t> back = {10, 5, 20};
  EXPECT_THROW(find_episodes(back, s.cls, {}, kFs), InvalidArgument);
  EXPECT_THROW(find_episodes(s.r, s.cls, {}, 0), InvalidArgument);
}

// The majority filter over 5 beats centred on each (fewer at the ends):
// an isolated verdict goes (0, 4), a one-beat hole fills (9), and beat 6 (3 of 4..8) turns AF.
TEST(Episodes, AfSmoothingIsACentredMajority) {
  const std::vector<std::uint8_t> af = {1, 0, 0, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1};
  const std::vector<std::uint8_t> want = {0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 1, 1, 1};
  EXPECT_EQ(smooth_af(af, 5), want);
  EXPECT_EQ(smooth_af(af, 1), af);
  EXPECT_THROW(smooth_af(af, 2), InvalidArgument);
  EXPECT_THROW(smooth_af(af, 0), InvalidArgument);
}
