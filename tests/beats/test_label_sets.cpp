#include <gtest/gtest.h>

#include <array>

#include "heartwave/core/annotation_codes.hpp"
#include "heartwave/beats/segment.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/beats/label_sets.hpp"
#include "heartwave/io/wfdb_record.hpp"
#include "support.hpp"

using namespace heartwave;

namespace {
int cls(LabelSet s, const char* m) { return class_of(s, *annotation_code(m)).value_or(-1); }
}  // namespace

TEST(LabelSets, SeedMapping) {
  for (const char* m : {"N", "L", "R", "e", "j"}) EXPECT_EQ(cls(LabelSet::seed, m), 0) << m;
  for (const char* m : {"A", "a", "J", "S"}) EXPECT_EQ(cls(LabelSet::seed, m), 1) << m;
  for (const char* m : {"V", "E"}) EXPECT_EQ(cls(LabelSet::seed, m), 2) << m;
  EXPECT_EQ(cls(LabelSet::seed, "F"), 3);
  for (const char* m : {"/", "f", "x", "Q", "|", "~"}) EXPECT_EQ(cls(LabelSet::seed, m), 4) << m;
  for (const char* m : {"+", "\"", "!", "[", "]"}) EXPECT_EQ(cls(LabelSet::seed, m), -1) << m;
}

TEST(LabelSets, AamiMappingHasBeatsOnly) {
  for (const char* m : {"N", "L", "R", "e", "j"}) EXPECT_EQ(cls(LabelSet::aami, m), 0) << m;
  for (const char* m : {"A", "a", "J", "S"}) EXPECT_EQ(cls(LabelSet::aami, m), 1) << m;
  for (const char* m : {"V", "E"}) EXPECT_EQ(cls(LabelSet::aami, m), 2) << m;
  EXPECT_EQ(cls(LabelSet::aami, "F"), 3);
  for (const char* m : {"/", "f", "Q"}) EXPECT_EQ(cls(LabelSet::aami, m), 4) << m;
  // Every code that maps to a class is a beat annotation.
  for (int c = 0; c <= kMaxAnnotationCode; ++c) {
    if (class_of(LabelSet::aami, c)) {
      EXPECT_TRUE(is_beat_code(c)) << annotation_mnemonic(c);
    }
  }
  for (const char* m : {"x", "|", "~", "+"}) EXPECT_EQ(cls(LabelSet::aami, m), -1) << m;
}

TEST(LabelSets, NamesAndParsing) {
  EXPECT_EQ(parse_label_set("seed"), LabelSet::seed);
  EXPECT_EQ(parse_label_set("aami"), LabelSet::aami);
  EXPECT_THROW(parse_label_set("mitbih"), InvalidArgument);
  EXPECT_EQ(class_name(0), "N");
  EXPECT_EQ(class_name(4), "Q");
  EXPECT_EQ(class_members(LabelSet::seed, 4), "/ f x Q | ~");
  EXPECT_EQ(class_members(LabelSet::aami, 0), "N L R e j");
}

// Acceptance: the seed mapping over all 48 records, windows [R-93, R+94)
// inside the record, gives the original project's class counts exactly.
TEST(MitBih, SeedLabelCountsOverAll48Records) {
  const auto dir = heartwave::test::mitdb_dir();
  std::array<std::size_t, 5> seed{}, aami{};
  std::vector<std::string> records;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".atr") records.push_back(e.path().stem().string());
  ASSERT_EQ(records.size(), 48u);
  for (const auto& r : records) {
    const auto anns = read_annotations(dir / (r + ".atr"));
    const std::int64_t n = read_header(dir / (r + ".hea")).num_samples;
    for (const auto& b : select_beats(anns, LabelSet::seed, n)) ++seed[static_cast<std::size_t>(b.label)];
    for (const auto& b : select_beats(anns, LabelSet::aami, n)) {
      EXPECT_TRUE(is_beat_code(b.code));
      ++aami[static_cast<std::size_t>(b.label)];
    }
  }
  EXPECT_EQ(seed, (std::array<std::size_t, 5>{90608, 2781, 7235, 802, 8981}));
  std::size_t total = 0;
  for (auto c : seed) total += c;
  EXPECT_EQ(total, 110407u);
  // AAMI: the non-beat x, | and ~ are gone from class Q; N, S, V, F unchanged.
  EXPECT_EQ(aami[0], seed[0]);
  EXPECT_EQ(aami[1], seed[1]);
  EXPECT_EQ(aami[2], seed[2]);
  EXPECT_EQ(aami[3], seed[3]);
  EXPECT_LT(aami[4], seed[4]);
}
