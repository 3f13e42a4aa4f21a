#include <gtest/gtest.h>

#include "heartwave/core/annotation_codes.hpp"

using namespace heartwave;

TEST(AnnotationCodes, MnemonicsRoundTrip) {
  for (int c = 0; c <= kMaxAnnotationCode; ++c) {
    const auto m = annotation_mnemonic(c);
    if (m.empty()) continue;
    ASSERT_EQ(annotation_code(m), c) << m;
  }
  EXPECT_EQ(annotation_mnemonic(1), "N");
  EXPECT_EQ(annotation_mnemonic(5), "V");
  EXPECT_EQ(annotation_mnemonic(28), "+");
  EXPECT_EQ(annotation_code("x"), 37);
  EXPECT_FALSE(annotation_code("zz").has_value());
  EXPECT_EQ(annotation_mnemonic(-1), "");
  EXPECT_EQ(annotation_mnemonic(500), "");
}

TEST(AnnotationCodes, BeatCodesFollowWfdbIsqrs) {
  for (const char* m : {"N", "L", "R", "a", "V", "F", "J", "A", "S", "E", "j", "/", "Q", "e", "n", "f", "B", "r", "?"})
    EXPECT_TRUE(is_beat_code(*annotation_code(m))) << m;
  for (const char* m : {"+", "~", "|", "x", "\"", "!", "[", "]", "p", "t", "u", "^", "(", ")"})
    EXPECT_FALSE(is_beat_code(*annotation_code(m))) << m;
  EXPECT_FALSE(is_beat_code(0));
  EXPECT_FALSE(is_beat_code(99));
}
