// StreamAnalyzer against the batch path (infer/analyze.hpp) on MIT-BIH
// records with the shipped default model: the same events for any block
// sizes, every batch beat once at the same R, the same classes given the
// same record-wide context, the latency bounds, the episodes, bounded
// memory on a long synthetic recording, and the errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "heartwave/core/error.hpp"
#include "heartwave/dsp/synthetic.hpp"
#include "heartwave/features/morphology.hpp"
#include "heartwave/infer/analyze.hpp"
#include "heartwave/io/wfdb_record.hpp"
#include "heartwave/models/bundle.hpp"
#include "heartwave/stream/stream_analyzer.hpp"
#include "shipped_model.hpp"
#include "support.hpp"

using namespace heartwave;

namespace {

using heartwave::test::shipped;

Recording mitdb(const std::string& name) { return to_recording(read_record(heartwave::test::mitdb_dir() / name)); }

std::vector<double> interleave(const Recording& r, std::size_t n) {
  const std::size_t L = r.samples.size();
  std::vector<double> x(n * L);
  for (std::size_t t = 0; t < n; ++t)
    for (std::size_t l = 0; l < L; ++l) x[t * L + l] = r.samples[l][t];
  return x;
}

struct Streamed {
  std::vector<StreamBeat> events;  // every event, in order
  std::vector<StreamBeat> finals;
  std::vector<StreamEpisode> episodes;
  std::size_t memory_max = 0;
};

// Streams the first `n` samples of `r` (all of it when 0) in blocks of
// `block` samples, or random sizes 1..10,000 (seeded) when block is 0.
Streamed stream(const Recording& r, StreamOptions o, std::size_t block, std::uint64_t seed = 1, std::size_t n = 0) {
  if (n == 0) n = r.num_samples();
  o.lead_names = r.leads;
  const std::vector<double> x = interleave(r, n);
  const std::size_t L = r.samples.size();
  StreamAnalyzer s(shipped().pipe, r.fs, static_cast<int>(L), o);
  Streamed run;
  s.set_callback([&](const StreamBeat& b) {
    run.events.push_back(b);
    if (b.stage == BeatStage::final) run.finals.push_back(b);
  });
  s.set_episode_callback([&](const StreamEpisode& e) { run.episodes.push_back(e); });
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::size_t> random_block(1, 10000);
  for (std::size_t at = 0; at < n;) {
    const std::size_t m = std::min(block ? block : random_block(rng), n - at);
    s.push(std::span<const double>(x.data() + at * L, m * L));
    at += m;
    run.memory_max = std::max(run.memory_max, s.memory_bytes());
    EXPECT_LE(s.memory_bytes(), s.memory_bound());
  }
  s.finish();
  EXPECT_EQ(s.counts().final, static_cast<std::int64_t>(run.finals.size()));
  EXPECT_EQ(s.counts().provisional, s.counts().final);
  EXPECT_THROW(s.push(std::span<const double>(x.data(), L)), InvalidArgument);
  return run;
}

bool same(const StreamBeat& a, const StreamBeat& b) {
  return a.stage == b.stage && a.sample == b.sample && a.cls == b.cls && a.proba == b.proba && a.classified == b.classified &&
         a.emitted_at == b.emitted_at && a.late == b.late && a.af == b.af;
}

}  // namespace

// The events (content and emission position) do not depend on how the
// signal is cut into blocks: one sample at a time, random sizes, and the
// whole signal at once.
TEST(Stream, EventsDoNotDependOnBlockSizes) {
  const Recording r = mitdb("208");
  const std::size_t n = static_cast<std::size_t>(4 * 60 * r.fs);  // 4 minutes: with 1-sample blocks
  const Streamed whole = stream(r, {}, n, 1, n);
  ASSERT_GT(whole.finals.size(), 300u);
  for (const Streamed& other : {stream(r, {}, 1, 1, n), stream(r, {}, 0, 7, n), stream(r, {}, 0, 8, n)}) {
    ASSERT_EQ(other.events.size(), whole.events.size());
    for (std::size_t i = 0; i < whole.events.size(); ++i)
      ASSERT_TRUE(same(other.events[i], whole.events[i])) << "event " << i << " at sample " << whole.events[i].sample;
    ASSERT_EQ(other.episodes.size(), whole.episodes.size());
    for (std::size_t i = 0; i < whole.episodes.size(); ++i) {
      EXPECT_EQ(other.episodes[i].episode.begin, whole.episodes[i].episode.begin);
      EXPECT_EQ(other.episodes[i].emitted_at, whole.episodes[i].emitted_at);
    }
  }
}

// Every batch beat is streamed once, at the same R (0 samples apart) and in
// R order; provisional events come within 1 s of their R except the
// detector's late beats (at most QrsDetector::delay_seconds()), finals
// within the final delay (or at the stream's end).
TEST(Stream, EveryBatchBeatOnceAtTheSameRWithinTheLatencyBounds) {
  for (const std::string name : {"100", "201", "232"}) {
    const Recording r = mitdb(name);
    const Analysis batch = analyze_recording(r, shipped().pipe);
    const Streamed run = stream(r, {}, 0, 3);
    ASSERT_EQ(run.finals.size(), batch.beats.size()) << name;
    std::size_t late = 0;
    for (std::size_t i = 0; i < batch.beats.size(); ++i) {
      ASSERT_EQ(run.finals[i].sample, batch.beats[i].sample) << name << " beat " << i;
      const std::int64_t wait = run.finals[i].emitted_at - run.finals[i].sample;
      EXPECT_TRUE(wait <= static_cast<std::int64_t>(60 * r.fs) || run.finals[i].emitted_at == static_cast<std::int64_t>(r.num_samples()))
          << name << " beat " << i;
    }
    for (const StreamBeat& e : run.events) {
      if (e.stage != BeatStage::provisional) continue;
      const double wait = static_cast<double>(e.emitted_at - e.sample) / r.fs;
      EXPECT_GE(wait, 0.0);
      EXPECT_EQ(e.late, wait > 1.0 + 1e-9);
      EXPECT_LE(wait, 3.5 + 1e-9) << name << " beat at " << e.sample;
      late += e.late;
    }
    EXPECT_LT(late, batch.beats.size() / 50) << name << ": more than 2% of the beats are late";
  }
}

// Given the batch path's record-wide context (its mean RR and dominant
// beats) and without the rhythm step, whose record adaptation is the one
// other record-wide term, the stream's final classes and probabilities are
// the batch's on every beat: the stream differs from batch only by what it
// cannot know yet (docs/streaming.md).
TEST(Stream, SameContextGivesTheBatchClassesOnEveryBeat) {
  for (const std::string name : {"119", "208", "232"}) {
    const Recording r = mitdb(name);
    AnalyzeOptions ao;
    ao.use_rhythm_step = false;
    const Analysis batch = analyze_recording(r, shipped().pipe, ao);
    std::vector<Annotation> anns;
    for (const auto& b : batch.beats) anns.push_back({b.sample, 1, 0, 0, 0, ""});
    const auto res = shipped().pipe.classify_record(r, anns);
    const auto W = static_cast<std::size_t>(shipped().pipe.preprocessing().window.length());
    StreamOptions so;
    so.use_rhythm_step = false;
    so.fixed_mean_rr_s = static_cast<double>(batch.beats.back().sample - batch.beats.front().sample) / r.fs /
                         static_cast<double>(batch.beats.size() - 1);
    so.fixed_dominant = median_template(res.beats.windows, W);
    if (!res.beats.windows2.empty()) so.fixed_dominant2 = median_template(res.beats.windows2, W);
    const Streamed run = stream(r, so, 0, 5);
    ASSERT_EQ(run.finals.size(), batch.beats.size());
    for (std::size_t i = 0; i < batch.beats.size(); ++i) {
      ASSERT_EQ(run.finals[i].cls, batch.beats[i].cls) << name << " beat " << i;
      for (std::size_t k = 0; k < 5; ++k) ASSERT_NEAR(run.finals[i].proba[k], batch.beats[i].proba[k], 1e-5) << name << " beat " << i;
    }
  }
}

// With its own running context, the stream gives the batch's final class
// for at least 99.5% of the beats of a record whose rhythm does not change
// over the recording (119: bigeminy throughout), and for most beats of any.
TEST(Stream, RunningContextAgreesWithBatch) {
  for (const auto& [name, at_least] : std::vector<std::pair<std::string, double>>{{"119", 0.995}, {"100", 0.98}, {"201", 0.95}}) {
    const Recording r = mitdb(name);
    const Analysis batch = analyze_recording(r, shipped().pipe);
    const Streamed run = stream(r, {}, 0, 11);
    ASSERT_EQ(run.finals.size(), batch.beats.size());
    std::size_t agree = 0;
    for (std::size_t i = 0; i < batch.beats.size(); ++i) agree += run.finals[i].cls == batch.beats[i].cls;
    EXPECT_GE(static_cast<double>(agree), at_least * static_cast<double>(batch.beats.size())) << name;
  }
}

// The episodes the stream emits are those find_episodes gives for the
// stream's own final beats, each emitted once it has closed.
TEST(Stream, EpisodesAreTheBatchEpisodesOfTheFinalBeats) {
  std::size_t total = 0;
  for (const std::string name : {"119", "201", "207"}) {
    const Recording r = mitdb(name);
    const Streamed run = stream(r, {}, 0, 2);
    std::vector<std::int64_t> rs;
    std::vector<std::int32_t> cls;
    std::vector<std::uint8_t> af;
    for (const auto& b : run.finals) rs.push_back(b.sample), cls.push_back(b.cls), af.push_back(b.af);
    auto batch = find_episodes(rs, cls, af, r.fs, {});
    ASSERT_EQ(run.episodes.size(), batch.size()) << name;
    std::vector<std::tuple<std::int64_t, int, std::int64_t>> a, b;
    for (const auto& e : run.episodes) {
      a.emplace_back(e.episode.begin, static_cast<int>(e.episode.type), e.episode.end);
      EXPECT_GE(e.emitted_at, e.episode.end) << name;
    }
    for (const auto& e : batch) b.emplace_back(e.begin, static_cast<int>(e.type), e.end);
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    EXPECT_EQ(a, b) << name;
    total += batch.size();
  }
  EXPECT_GT(total, 20u);
}

// Two hours of synthetic two-lead ECG: memory stays within memory_bound()
// and does not grow after the first minutes.
TEST(Stream, MemoryIsBoundedOnATwoHourRecording) {
  SyntheticOptions so;
  so.seconds = 2 * 3600;
  so.pvc_fraction = 0.1;
  so.seed = 4;
  const SyntheticEcg ecg = synthetic_ecg(so);
  StreamAnalyzer s(shipped().pipe, so.fs, 2);
  std::size_t at_20_min = 0, peak = 0;
  std::int64_t finals = 0;
  s.set_callback([&](const StreamBeat& b) { finals += b.stage == BeatStage::final; });
  const std::size_t n = ecg.leads[0].size(), block = 3600;
  std::vector<double> x(2 * block);
  for (std::size_t at = 0; at < n; at += block) {
    const std::size_t m = std::min(block, n - at);
    for (std::size_t t = 0; t < m; ++t) x[2 * t] = ecg.leads[0][at + t], x[2 * t + 1] = ecg.leads[1][at + t];
    s.push(std::span<const double>(x.data(), 2 * m));
    peak = std::max(peak, s.memory_bytes());
    if (at < static_cast<std::size_t>(20 * 60 * so.fs)) at_20_min = peak;
  }
  s.finish();
  EXPECT_LE(peak, s.memory_bound());
  EXPECT_LE(peak, at_20_min + at_20_min / 10) << "memory grew after 20 minutes: " << at_20_min << " -> " << peak;
  EXPECT_LT(peak, std::size_t{8} << 20);
  EXPECT_NEAR(static_cast<double>(finals), static_cast<double>(ecg.beats.size()), 0.01 * static_cast<double>(ecg.beats.size()));
}

TEST(Stream, BadInputIsATypedErrorNamingWhatIsWrong) {
  const BeatPipeline& p = shipped().pipe;
  heartwave::test::expect_throw_with<UnsupportedError>([&] { StreamAnalyzer(p, 250, 2); }, "360");
  heartwave::test::expect_throw_with<InvalidArgument>([&] { StreamAnalyzer(p, 0, 2); }, "sampling rate");
  heartwave::test::expect_throw_with<InvalidArgument>([&] { StreamAnalyzer(p, std::nan(""), 2); }, "sampling rate");
  StreamOptions named;
  named.lead_names = {"MLII", "V1"};
  named.lead = "V5";
  heartwave::test::expect_throw_with<InvalidArgument>([&] { StreamAnalyzer(p, 360, 2, named); }, "V5");
  StreamOptions delay;
  delay.final_delay_s = 601;
  EXPECT_THROW(StreamAnalyzer(p, 360, 2, delay), InvalidArgument);
  StreamAnalyzer s(p, 360, 2);
  const std::vector<double> three = {0.1, 0.2, 0.3};
  heartwave::test::expect_throw_with<InvalidArgument>([&] { s.push(three); }, "whole frames");
  s.finish();
  EXPECT_THROW(s.push(std::vector<double>{0.1, 0.2}), InvalidArgument);
}
