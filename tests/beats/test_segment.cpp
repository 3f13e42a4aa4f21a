#include <gtest/gtest.h>

#include "heartwave/core/annotation_codes.hpp"
#include "heartwave/beats/segment.hpp"
#include "heartwave/core/error.hpp"

using namespace heartwave;

namespace {
Annotation ann(std::int64_t t, const char* m) {
  Annotation a;
  a.time = t;
  a.code = *annotation_code(m);
  return a;
}
}  // namespace

TEST(Segment, WindowsOffTheRecordAreDroppedAndNonBeatsIgnored) {
  const std::vector<Annotation> anns = {ann(50, "N"), ann(93, "V"), ann(300, "+"), ann(400, "A"),
                                        ann(906, "N"), ann(907, "F")};
  const auto beats = select_beats(anns, LabelSet::aami, 1000);
  // 50: starts before 0; 907: ends at 1001 > 1000; "+" is no sample.
  ASSERT_EQ(beats.size(), 3u);
  EXPECT_EQ(beats[0].r_sample, 93);
  EXPECT_EQ(beats[0].label, 2);
  EXPECT_EQ(beats[1].label, 1);
  EXPECT_EQ(beats[2].r_sample, 906);
}

TEST(Segment, ExtractWindowsPutsRAtIndex93) {
  std::vector<double> sig(1000);
  for (std::size_t i = 0; i < sig.size(); ++i) sig[i] = static_cast<double>(i);
  const std::vector<LabeledBeat> beats = {{200, 1, 0}, {500, 1, 0}};
  const auto w = extract_windows(sig, beats);
  ASSERT_EQ(w.size(), 2u * 187u);
  EXPECT_EQ(w[0], 107.0f);
  EXPECT_EQ(w[93], 200.0f);
  EXPECT_EQ(w[186], 293.0f);
  EXPECT_EQ(w[187 + 93], 500.0f);
  // Another window shape.
  BeatWindow small{10, 20};
  EXPECT_EQ(extract_windows(sig, beats, small)[10], 200.0f);
  const std::vector<LabeledBeat> off = {{995, 1, 0}};
  EXPECT_THROW(extract_windows(sig, off), InvalidArgument);
}

TEST(Segment, BeatTimesAreSortedBeatsOnly) {
  const std::vector<Annotation> anns = {ann(30, "N"), ann(10, "V"), ann(20, "+"), ann(40, "~")};
  EXPECT_EQ(beat_times(anns), (std::vector<std::int64_t>{10, 30}));
}
