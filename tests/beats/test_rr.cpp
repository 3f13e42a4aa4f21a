#include <gtest/gtest.h>

#include "heartwave/core/error.hpp"
#include "heartwave/beats/rr.hpp"

using namespace heartwave;

TEST(RR, RegularRhythm) {
  std::vector<std::int64_t> beats;
  for (int i = 0; i < 30; ++i) beats.push_back(100 + 360 * i);  // 1 s apart
  const auto f = rr_features(beats, beats, 360.0);
  ASSERT_EQ(f.size(), 30u);
  for (const auto& r : f) {
    for (int k = 0; k < 4; ++k) EXPECT_DOUBLE_EQ(r[static_cast<std::size_t>(k)], 1.0);
    for (int k = 4; k < 8; ++k) EXPECT_DOUBLE_EQ(r[static_cast<std::size_t>(k)], 1.0);
  }
}

TEST(RR, PrematureBeatAndLocalWindow) {
  // 12 beats at 1 s, then one 0.5 s early, then a compensatory 1.5 s pause.
  std::vector<std::int64_t> beats;
  for (int i = 0; i < 12; ++i) beats.push_back(360 * i);
  beats.push_back(beats.back() + 180);
  beats.push_back(beats.back() + 540);
  const auto f = rr_features(beats, beats, 360.0);
  const auto& pvc = f[12];
  EXPECT_DOUBLE_EQ(pvc[0], 0.5);                   // pre
  EXPECT_DOUBLE_EQ(pvc[1], 1.5);                   // post
  EXPECT_DOUBLE_EQ(pvc[2], (9 * 1.0 + 0.5) / 10);  // local: 9 earlier intervals + pre
  const double record = (13.0) / 13.0;             // (last - first) / (n - 1) = 4680/360/13
  EXPECT_DOUBLE_EQ(pvc[3], record);
  EXPECT_DOUBLE_EQ(pvc[4], 0.5 / pvc[2]);
  EXPECT_DOUBLE_EQ(pvc[5], 1.5 / pvc[2]);
  // First beat: no pre-RR, it falls back to the post-RR.
  EXPECT_DOUBLE_EQ(f[0][0], 1.0);
  EXPECT_DOUBLE_EQ(f[0][2], 1.0);
  // Last beat: no post-RR, it falls back to the pre-RR.
  EXPECT_DOUBLE_EQ(f[13][1], 1.5);
  // Local window at beat 3: intervals 1..2 plus pre = 3 values.
  EXPECT_DOUBLE_EQ(f[3][2], 1.0);
}

TEST(RR, NonBeatTimesUseNeighbouringBeats) {
  const std::vector<std::int64_t> beats = {0, 360, 720};
  const std::vector<std::int64_t> at = {500};
  const auto f = rr_features(beats, at, 360.0);
  EXPECT_DOUBLE_EQ(f[0][0], 140.0 / 360.0);
  EXPECT_DOUBLE_EQ(f[0][1], 220.0 / 360.0);
}

TEST(RR, Errors) {
  const std::vector<std::int64_t> unsorted = {5, 1};
  EXPECT_THROW(rr_features(unsorted, unsorted, 360), InvalidArgument);
  EXPECT_THROW(rr_features({}, {}, 0), InvalidArgument);
  // A lone beat gets the neutral 1 s everywhere.
  const std::vector<std::int64_t> one = {10};
  EXPECT_DOUBLE_EQ(rr_features(one, one, 360)[0][0], 1.0);
}
