// The episode-by-episode comparison (epicmp's AF rules, EC38's figures) on
// hand-made rhythm annotations whose figures are worked out by hand: partial
// overlaps, one test episode over two reference episodes, episodes running
// to the record's end, none at all, the learning period, the rhythm set, and
// the gross and average rows.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "heartwave/core/error.hpp"
#include "heartwave/eval/ec57_episodes.hpp"

using namespace heartwave;

namespace {

constexpr double kFs = 10;

Annotation rhythm(std::int64_t time, const std::string& aux) {
  Annotation a;
  a.time = time;
  a.code = 28;
  a.aux = aux;
  return a;
}

Annotation beat(std::int64_t time) {
  Annotation a;
  a.time = time;
  a.code = 1;
  return a;
}

Ec57EpisodeRecord compare(const std::vector<Annotation>& ref, const std::vector<Annotation>& test,
                          std::int64_t num_samples = 1000, double start_s = 0,
                          std::vector<std::string> rhythms = {"(AFIB", "(AFL"}) {
  Ec57EpisodeOptions o;
  o.start_s = start_s;
  o.rhythms = std::move(rhythms);
  return ec57_compare_episodes(ref, test, kFs, num_samples, o, "t");
}

void expect_near(const std::optional<double>& v, double expected) {
  ASSERT_TRUE(v.has_value());
  EXPECT_NEAR(*v, expected, 1e-9);
}

// Reference [100,300) and [500,600); test [200,550), which overlaps both,
// and [800,900), which overlaps none.
std::vector<Annotation> partial_ref() {
  return {rhythm(0, "(N"), beat(50), rhythm(100, "(AFIB"), beat(150), rhythm(300, "(N"), rhythm(500, "(AFIB"),
          rhythm(600, "(N")};
}
std::vector<Annotation> partial_test() {
  return {rhythm(200, "(AFIB"), rhythm(550, "(N"), rhythm(800, "(AFIB"), rhythm(900, "(N")};
}

}  // namespace

TEST(Ec57Episodes, BuildsEpisodesFromRhythmChanges) {
  const std::vector<std::string> af = {"(AFIB", "(AFL"};
  // (AFIB then (AFL is one episode; a trailing NUL is ignored; an episode
  // still open runs to the record's end.
  const std::vector<Annotation> a = {rhythm(100, "(AFIB"), rhythm(200, std::string("(AFL\0", 5)), rhythm(300, "(N"),
                                     rhythm(400, "(VT"),   rhythm(500, "(AFIB"), beat(600)};
  EXPECT_EQ(ec57_episodes(a, af, 1000), (std::vector<Ec57Episode>{{100, 300}, {500, 1000}}));
  const std::vector<std::string> vt = {"(VT"};
  EXPECT_EQ(ec57_episodes(a, vt, 1000), (std::vector<Ec57Episode>{{400, 500}}));
  EXPECT_TRUE(ec57_episodes(std::vector<Annotation>{beat(5)}, af, 1000).empty());
}

TEST(Ec57Episodes, PartialOverlapsAndOneTestEpisodeOverTwo) {
  const Ec57EpisodeRecord r = compare(partial_ref(), partial_test());
  EXPECT_EQ(r.reference, 2);
  EXPECT_EQ(r.detected, 2);
  EXPECT_EQ(r.test, 2);
  EXPECT_EQ(r.confirmed, 1);
  EXPECT_EQ(r.reference_duration, 300);
  EXPECT_EQ(r.test_duration, 450);
  EXPECT_EQ(r.overlap, 150);  // [200,300) and [500,550)
  const Ec57EpisodeStats f = ec57_episode_figures(r);
  expect_near(f.episode_se, 100.0);
  expect_near(f.episode_ppv, 50.0);
  expect_near(f.duration_se, 50.0);
  expect_near(f.duration_ppv, 100.0 / 3.0);
}

TEST(Ec57Episodes, EpisodesRunningToTheRecordEnd) {
  // Reference [700,1000), test (AFL with a trailing NUL) [800,1000).
  const Ec57EpisodeRecord r =
      compare({rhythm(0, "(N"), rhythm(700, "(AFIB")}, {rhythm(800, std::string("(AFL\0", 5))});
  EXPECT_EQ(r.end_sample, 1000);
  EXPECT_EQ(r.reference_duration, 300);
  EXPECT_EQ(r.test_duration, 200);
  EXPECT_EQ(r.overlap, 200);
  const Ec57EpisodeStats f = ec57_episode_figures(r);
  expect_near(f.episode_se, 100.0);
  expect_near(f.episode_ppv, 100.0);
  expect_near(f.duration_se, 200.0 / 3.0);
  expect_near(f.duration_ppv, 100.0);
  // With no record length, the end is the last annotation of either list.
  const Ec57EpisodeRecord u = compare({rhythm(700, "(AFIB"), beat(950)}, {rhythm(800, "(AFIB")}, 0);
  EXPECT_EQ(u.end_sample, 950);
  EXPECT_EQ(u.reference_duration, 250);
  EXPECT_EQ(u.overlap, 150);
}

TEST(Ec57Episodes, NoEpisodes) {
  const Ec57EpisodeRecord r = compare({rhythm(0, "(N"), beat(10)}, {beat(10)});
  EXPECT_EQ(r.reference, 0);
  EXPECT_EQ(r.test, 0);
  const Ec57EpisodeStats f = ec57_episode_figures(r);
  EXPECT_FALSE(f.episode_se);
  EXPECT_FALSE(f.episode_ppv);
  EXPECT_FALSE(f.duration_se);
  EXPECT_FALSE(f.duration_ppv);
  const std::vector<Ec57EpisodeRecord> recs = {r};
  EXPECT_EQ(ec57_episodes_gross_line(ec57_summarize_episodes(recs)), "episodes ESe=- EPP=- DSe=- DPP=-");
  const std::string table = ec57_episodes_table(recs);
  EXPECT_NE(table.find("\nt          0    0    0    0      -      -      -      -         0.0         0.0         0.0\n"),
            std::string::npos)
      << table;
  // Only test episodes: +P 0, Se undefined.
  const Ec57EpisodeStats g = ec57_episode_figures(compare({}, {rhythm(100, "(AFIB"), rhythm(200, "(N")}));
  EXPECT_FALSE(g.episode_se);
  expect_near(g.episode_ppv, 0.0);
  EXPECT_FALSE(g.duration_se);
  expect_near(g.duration_ppv, 0.0);
}

TEST(Ec57Episodes, LearningPeriodClipsEpisodes) {
  // Start at 20 s = sample 200: reference [50,150) is gone, [180,300) becomes [200,300).
  const std::vector<Annotation> ref = {rhythm(50, "(AFIB"), rhythm(150, "(N"), rhythm(180, "(AFIB"), rhythm(300, "(N")};
  const std::vector<Annotation> test = {rhythm(100, "(AFIB"), rhythm(250, "(N")};
  const Ec57EpisodeRecord r = compare(ref, test, 1000, 20);
  EXPECT_EQ(r.start_sample, 200);
  EXPECT_EQ(r.reference, 1);
  EXPECT_EQ(r.test, 1);
  EXPECT_EQ(r.reference_duration, 100);
  EXPECT_EQ(r.test_duration, 50);
  EXPECT_EQ(r.overlap, 50);
  // A test episode that ends at the start has no length left: not counted.
  const Ec57EpisodeRecord s = compare(ref, {rhythm(100, "(AFIB"), rhythm(200, "(N")}, 1000, 20);
  EXPECT_EQ(s.test, 0);
  EXPECT_EQ(s.detected, 0);
}

TEST(Ec57Episodes, ConfigurableRhythms) {
  const std::vector<Annotation> ref = {rhythm(100, "(VT"), rhythm(200, "(N"), rhythm(300, "(AFIB"), rhythm(400, "(N")};
  const std::vector<Annotation> test = {rhythm(150, "(VT"), rhythm(180, "(N")};
  const Ec57EpisodeRecord vt = compare(ref, test, 1000, 0, {"(VT"});
  EXPECT_EQ(vt.reference, 1);
  EXPECT_EQ(vt.detected, 1);
  EXPECT_EQ(vt.overlap, 30);
  const Ec57EpisodeRecord af = compare(ref, test);  // the default set: (AFIB and (AFL
  EXPECT_EQ(af.reference, 1);
  EXPECT_EQ(af.test, 0);
  EXPECT_EQ(af.detected, 0);
  EXPECT_THROW(compare(ref, test, 1000, 0, {}), InvalidArgument);
  EXPECT_THROW(compare(ref, test, 1000, 0, {""}), InvalidArgument);
  EXPECT_THROW(compare(ref, test, 1000, -1), InvalidArgument);
  EXPECT_THROW(compare(ref, test, 100, 20), InvalidArgument);  // ends before it starts
}

TEST(Ec57Episodes, GrossAndAverage) {
  std::vector<Ec57EpisodeRecord> recs;
  recs.push_back(compare(partial_ref(), partial_test()));
  recs.back().record = "a";
  recs.push_back(compare({rhythm(700, "(AFIB")}, {rhythm(800, "(AFL")}));
  recs.back().record = "b";
  recs.push_back(compare({}, {}));
  recs.back().record = "c";
  const Ec57EpisodeSummary s = ec57_summarize_episodes(recs);
  EXPECT_EQ(s.records, 3u);
  EXPECT_EQ(s.reference, 3);
  EXPECT_EQ(s.detected, 3);
  EXPECT_EQ(s.test, 3);
  EXPECT_EQ(s.confirmed, 2);
  EXPECT_DOUBLE_EQ(s.reference_seconds, 60.0);
  EXPECT_DOUBLE_EQ(s.test_seconds, 65.0);
  EXPECT_DOUBLE_EQ(s.overlap_seconds, 35.0);
  expect_near(s.gross.episode_se, 100.0);
  expect_near(s.gross.episode_ppv, 200.0 / 3.0);
  expect_near(s.gross.duration_se, 3500.0 / 60.0);
  expect_near(s.gross.duration_ppv, 3500.0 / 65.0);
  // Record c has no figure; the average is over a and b.
  expect_near(s.average.episode_se, 100.0);
  expect_near(s.average.episode_ppv, 75.0);
  expect_near(s.average.duration_se, (50.0 + 200.0 / 3.0) / 2);
  expect_near(s.average.duration_ppv, (100.0 / 3.0 + 100.0) / 2);
  EXPECT_EQ(ec57_episodes_gross_line(s), "episodes ESe=100.00 EPP=66.67 DSe=58.33 DPP=53.85");
  const std::string table = ec57_episodes_table(recs);
  EXPECT_NE(table.find("\na          2    2    2    1 100.00  50.00  50.00  33.33        30.0        45.0        15.0\n"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("\nAverage                     100.00  75.00  58.33  66.67\n"), std::string::npos) << table;
  Ec57EpisodeOptions o;
  const nlohmann::json j = ec57_episodes_json(recs, o);
  ASSERT_EQ(j["records"].size(), 3u);
  EXPECT_EQ(j["records"][0]["confirmed"], 1);
  EXPECT_DOUBLE_EQ(j["records"][0]["overlap_seconds"].get<double>(), 15.0);
  EXPECT_TRUE(j["records"][2]["figures"]["episode_se"].is_null());
  EXPECT_EQ(j["sum"]["test"], 3);
  EXPECT_EQ(j["options"]["rhythms"], nlohmann::json({"(AFIB", "(AFL"}));
  EXPECT_TRUE(j.contains("build"));
}
