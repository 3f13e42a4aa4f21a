#include <gtest/gtest.h>

#include <map>

#include "heartwave/io/wfdb_annotation.hpp"
#include "heartwave/beats/label_sets.hpp"
#include "heartwave/beats/rhythm.hpp"
#include "support.hpp"

using namespace heartwave;

TEST(Rhythm, LastChangeAtOrBeforeEachTime) {
  std::vector<Annotation> a;
  a.push_back({100, 1, 0, 0, 0, ""});
  a.push_back({200, kRhythmCode, 0, 0, 0, std::string("(AFIB\0", 6)});  // trailing NUL
  a.push_back({400, kRhythmCode, 0, 0, 0, "(N"});
  a.push_back({300, 1, 0, 0, 0, "(not a rhythm: code 1)"});
  const std::vector<std::int64_t> t = {50, 200, 399, 400, 10000, 250};
  EXPECT_EQ(rhythm_at(a, t), (std::vector<std::string>{"", "(AFIB", "(AFIB", "(N", "(N", "(AFIB"}));
  EXPECT_TRUE(is_atrial_fibrillation_or_flutter("(AFIB"));
  EXPECT_TRUE(is_atrial_fibrillation_or_flutter("(AFL"));
  EXPECT_FALSE(is_atrial_fibrillation_or_flutter("(AB"));
  EXPECT_FALSE(is_atrial_fibrillation_or_flutter("(AFIBX"));
}

// Record 203's beats by rhythm, against an independent count from the .atr
// file: AAMI beats inside (AFIB 2358, inside (AFL 536.
TEST(Rhythm, Record203AtrialFibrillationAndFlutter) {
  const auto anns = read_annotations(heartwave::test::mitdb_dir() / "203.atr");
  std::vector<std::int64_t> beats;
  for (const auto& a : anns)
    if (class_of(LabelSet::aami, a.code)) beats.push_back(a.time);
  std::map<std::string, std::size_t> n;
  for (const auto& r : rhythm_at(anns, beats)) ++n[r];
  EXPECT_EQ(n["(AFIB"], 2358u);
  EXPECT_EQ(n["(AFL"], 536u);
  EXPECT_EQ(n["(VT"], 79u);
}
