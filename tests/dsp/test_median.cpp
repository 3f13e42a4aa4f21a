#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <numbers>

#include "heartwave/dsp/median.hpp"
#include "heartwave/core/error.hpp"
#include "support.hpp"

using namespace heartwave;

TEST(MedianFilter, MatchesScipyNdimageNearest) {
  std::ifstream f(heartwave::test::fixture("dsp/median.json"));
  ASSERT_TRUE(f.good());
  const auto cases = nlohmann::json::parse(f)["cases"];
  ASSERT_GE(cases.size(), 4u);
  for (const auto& c : cases) {
    const auto x = c["x"].get<std::vector<double>>();
    // A median picks one of the inputs: the match must be exact.
    EXPECT_EQ(median_filter(x, c["window"].get<int>()), c["y"].get<std::vector<double>>()) << c["window"];
  }
}

TEST(MedianFilter, WindowsAndErrors) {
  EXPECT_EQ(odd_window(0.2, 360), 73);
  EXPECT_EQ(odd_window(0.6, 360), 217);
  EXPECT_EQ(odd_window(0.2, 250), 51);
  EXPECT_THROW(median_filter(std::vector<double>{1, 2}, 4), InvalidArgument);
  EXPECT_THROW(median_filter(std::vector<double>{1, 2}, 0), InvalidArgument);
  EXPECT_TRUE(median_filter(std::vector<double>{}, 3).empty());
}

TEST(Baseline, RemovesSlowWanderAndKeepsQrs) {
  const double fs = 360;
  const std::size_t n = 20 * 360;
  std::vector<double> wander(n), x(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / fs;
    wander[i] = 0.8 * std::sin(2 * std::numbers::pi * 0.2 * t);
    const double phase = std::fmod(t, 0.8);
    x[i] = wander[i] + (std::abs(phase - 0.4) < 0.02 ? 1.5 : 0.0);  // 40 ms spikes
  }
  const auto clean = remove_baseline(x, fs);
  double err = 0;
  for (std::size_t i = 400; i < n - 400; ++i) {
    const double t = static_cast<double>(i) / fs;
    const double truth = std::abs(std::fmod(t, 0.8) - 0.4) < 0.02 ? 1.5 : 0.0;
    err = std::max(err, std::abs(clean[i] - truth));
  }
  EXPECT_LT(err, 0.05);  // wander of 0.8 mV reduced to under 50 uV
}
