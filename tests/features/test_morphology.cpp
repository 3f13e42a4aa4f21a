// Morphology features and peak finding against numpy/scipy references
// (tests/fixtures/dsp/{morphology,peaks}.json).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

#include "heartwave/core/error.hpp"
#include "heartwave/features/morphology.hpp"
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
  EXPECT_EQ(kNumFeatures, 52u);
  EXPECT_EQ(names[0], "rr_pre");
  EXPECT_EQ(names[8], "mean");
  EXPECT_EQ(names[kNumRRFeatures + kNumMorphologyFeatures - 1], "seg5_area");
  EXPECT_EQ(names.back(), "tpl_p_energy_ratio");
  std::vector<float> beat(187, 0.0f), out(kNumMorphologyFeatures);
  EXPECT_THROW(morphology_features(beat, 200, out), InvalidArgument);
  std::vector<float> small_out(3);
  EXPECT_THROW(morphology_features(beat, 93, small_out), InvalidArgument);
  // A flat beat: finite features, no NaN.
  morphology_features(beat, 93, out);
  for (float v : out) EXPECT_TRUE(std::isfinite(v));
}

TEST(Template, MedianBeatAndRelativeFeatures) {
  // Three beats; the template is the per-sample median.
  std::vector<float> w = {1, 5, 0, 2, 6, 9, 3, 4, 3};
  EXPECT_EQ(median_template(w, 3), (std::vector<float>{2, 5, 3}));
  EXPECT_EQ(median_template(std::vector<float>{1, 2, 3, 4}, 2), (std::vector<float>{2, 3}));  // even: mean of the middle two
  EXPECT_THROW(median_template(w, 4), InvalidArgument);
  // Long records: every k-th beat. 1000 beats -> k = 4 -> beats 0, 4, ..., 996 (250 beats).
  std::vector<float> many(1000 * 2);
  for (std::size_t i = 0; i < 1000; ++i) {
    many[2 * i] = static_cast<float>(i);
    many[2 * i + 1] = i % 4 == 0 ? 1.0f : 1000.0f;  // only the sampled beats are small
  }
  const auto t = median_template(many, 2);
  EXPECT_FLOAT_EQ(t[0], 0.5f * (496.0f + 500.0f));
  EXPECT_FLOAT_EQ(t[1], 1.0f);

  std::vector<float> tmpl(187), same(187), scaled(187), other(187);
  for (std::size_t i = 0; i < 187; ++i) {
    const double t = (static_cast<double>(i) - 93) / 10.0;
    tmpl[i] = static_cast<float>(std::exp(-t * t) + 0.2 * std::sin(0.05 * static_cast<double>(i)));
    same[i] = tmpl[i];
    scaled[i] = 2.0f * tmpl[i];
    other[i] = static_cast<float>(std::cos(0.3 * static_cast<double>(i)));
  }
  std::vector<float> f(kNumTemplateFeatures);
  template_features(same, tmpl, 93, f);
  EXPECT_NEAR(f[0], 1.0f, 1e-6f);  // tpl_corr
  EXPECT_NEAR(f[1], 1.0f, 1e-6f);  // tpl_corr_qrs
  EXPECT_NEAR(f[4], 0.0f, 1e-6f);  // tpl_rms_diff
  EXPECT_NEAR(f[5], 1.0f, 1e-6f);  // tpl_r_ratio
  template_features(scaled, tmpl, 93, f);
  EXPECT_NEAR(f[0], 1.0f, 1e-6f);  // correlation ignores scale
  EXPECT_NEAR(f[4], 1.0f, 1e-5f);  // |2t - t| / |t|
  EXPECT_NEAR(f[5], 2.0f, 1e-5f);
  EXPECT_NEAR(f[6], 4.0f, 1e-4f);  // energy ratio
  EXPECT_NEAR(f[7], 4.0f, 1e-4f);
  template_features(other, tmpl, 93, f);
  EXPECT_LT(f[0], 0.5f);
  for (float v : f) EXPECT_TRUE(std::isfinite(v));
  // A flat template: ratios fall back to 0, never NaN or inf.
  const std::vector<float> flat(187, 0.0f);
  template_features(other, flat, 93, f);
  for (float v : f) EXPECT_TRUE(std::isfinite(v));
  EXPECT_THROW(template_features(other, flat, 500, f), InvalidArgument);
}
