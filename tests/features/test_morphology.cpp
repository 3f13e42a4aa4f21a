// Morphology features and peak finding against numpy/scipy references
// (tests/fixtures/dsp/{morphology,peaks}.json).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

#include "heartwave/error.hpp"
#include "heartwave/features.hpp"
#include "support.hpp"

using namespace heartwave;

namespace {
nlohmann::json load(const std::string& name) {
  std::ifstream f(heartwave::test::fixture("dsp/" + name));
  if (!f) throw std::runtime_error("fixture missing: " + name);
  return nlohmann::json::parse(f)["cases"];
}
}  // namespace

TEST(FindPeaks, MatchesScipy) {
  const auto cases = load("peaks.json");
  ASSERT_GE(cases.size(), 5u);
  for (const auto& c : cases) {
    const auto x = c["x"].get<std::vector<double>>();
    const auto got = find_peaks(x, c["height"].get<double>(), c["distance"].get<int>());
    EXPECT_EQ(got, c["peaks"].get<std::vector<std::size_t>>()) << c["peaks"].dump();
  }
}

TEST(FindPeaks, DistanceKeepsTheHigherPeak) {
  std::vector<double> x(200, 0.0);
  x[50] = 1.0;
  x[100] = 2.0;  // 50 apart: with distance 72 only the higher survives
  x[180] = 1.5;
  EXPECT_EQ(find_peaks(x, 0.3 * 2.0, 72), (std::vector<std::size_t>{100, 180}));
  EXPECT_EQ(find_peaks(x, 0.3 * 2.0, 1), (std::vector<std::size_t>{50, 100, 180}));
}

TEST(Morphology, MatchesNumpyReference) {
  const auto cases = load("morphology.json");
  ASSERT_GE(cases.size(), 6u);
  const auto& names = feature_names();
  for (const auto& c : cases) {
    const auto xd = c["x"].get<std::vector<double>>();
    const std::vector<float> x(xd.begin(), xd.end());
    std::vector<float> got(kNumMorphologyFeatures);
    morphology_features(x, c["r_index"].get<int>(), got);
    const auto want = c["features"].get<std::vector<double>>();
    ASSERT_EQ(want.size(), kNumMorphologyFeatures);
    for (std::size_t k = 0; k < kNumMorphologyFeatures; ++k)
      EXPECT_NEAR(got[k], want[k], 2e-6 * std::max(1.0, std::abs(want[k])))
          << names[kNumRRFeatures + k];
  }
}

TEST(Morphology, SchemaAndErrors) {
  const auto& names = feature_names();
  ASSERT_EQ(names.size(), kNumFeatures);
  EXPECT_EQ(kNumFeatures, 44u);
  EXPECT_EQ(names[0], "rr_pre");
  EXPECT_EQ(names[8], "mean");
  EXPECT_EQ(names.back(), "seg5_area");
  std::vector<float> beat(187, 0.0f), out(kNumMorphologyFeatures);
  EXPECT_THROW(morphology_features(beat, 200, out), InvalidArgument);
  std::vector<float> small_out(3);
  EXPECT_THROW(morphology_features(beat, 93, small_out), InvalidArgument);
  // A flat beat: finite features, no NaN.
  morphology_features(beat, 93, out);
  for (float v : out) EXPECT_TRUE(std::isfinite(v));
}
