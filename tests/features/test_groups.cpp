#include <gtest/gtest.h>

#include "heartwave/core/error.hpp"
#include "heartwave/features/groups.hpp"
#include "heartwave/features/morphology.hpp"
#include "support.hpp"

using namespace heartwave;
using heartwave::test::expect_throw_with;

namespace {
const std::vector<std::string> kBase{"rr", "morph", "template"};
}

// Every valid list sets exactly its switches, is read back in column order,
// and gives the columns feature_names gives for those switches.
TEST(FeatureGroups, EveryValidListRoundTrips) {
  const std::vector<std::string> optional{"l2_template", "relative", "quality", "l2_relative"};
  int valid = 0;
  for (unsigned mask = 0; mask < 16; ++mask) {
    std::vector<std::string> names = kBase;
    // Listed in reverse column order: the order given does not matter.
    for (int i = 3; i >= 0; --i)
      if (mask & (1u << i)) names.push_back(optional[static_cast<std::size_t>(i)]);
    Preprocessing pre;
    const bool l2 = mask & 1u, l2_relative = mask & 8u;
    if (l2_relative && !l2) {
      expect_throw_with<InvalidArgument>([&] { select_feature_groups(pre, names); }, "'l2_relative' needs 'l2_template'");
      continue;
    }
    select_feature_groups(pre, names);
    ++valid;
    EXPECT_EQ(pre.second_lead, l2);
    EXPECT_EQ(pre.relative_morphology, (mask & 2u) != 0);
    EXPECT_EQ(pre.signal_quality, (mask & 4u) != 0);
    EXPECT_EQ(pre.second_lead_morphology, l2_relative);
    std::vector<std::string> expected = kBase;
    for (std::size_t i = 0; i < 4; ++i)
      if (mask & (1u << i)) expected.push_back(optional[i]);
    EXPECT_EQ(selected_feature_groups(pre), expected) << mask;
    EXPECT_EQ(feature_names(pre.second_lead, pre.relative_morphology, pre.signal_quality, pre.second_lead_morphology).size(),
              pre.num_features());
  }
  EXPECT_EQ(valid, 12);
  // A list turns off what it does not name.
  Preprocessing pre;
  pre.relative_morphology = pre.signal_quality = true;
  select_feature_groups(pre, kBase);
  EXPECT_FALSE(pre.relative_morphology);
  EXPECT_FALSE(pre.signal_quality);
}

TEST(FeatureGroups, BadListsAreTypedErrorsNamingTheGroup) {
  Preprocessing pre;
  expect_throw_with<InvalidArgument>([&] { select_feature_groups(pre, {"rr", "morph", "template", "waves"}); },
                                     "unknown group 'waves' (rr, morph, template, l2_template, relative, quality, l2_relative)");
  expect_throw_with<InvalidArgument>([&] { select_feature_groups(pre, {"rr", "morph", "template", "relative", "relative"}); },
                                     "'relative' listed twice");
  expect_throw_with<InvalidArgument>([&] { select_feature_groups(pre, {"rr", "template", "relative"}); },
                                     "'morph' is always computed");
  expect_throw_with<InvalidArgument>([&] { select_feature_groups(pre, {"rr", "morph", "template", "relative", "l2_relative"}); },
                                     "needs 'l2_template'");
  EXPECT_FALSE(pre.relative_morphology);  // nothing set by a refused list
}
