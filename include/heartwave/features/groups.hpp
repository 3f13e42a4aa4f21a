// The feature groups a dataset's rows can hold, in column order: one table,
// read by `heartwave data build --features`, its help text and the docs.
#pragma once
#include <string>
#include <vector>

#include "heartwave/features/extract.hpp"

namespace heartwave {

struct FeatureGroup {
  const char* name;         // as --features lists it
  const char* columns;      // the columns it adds
  const char* description;
  bool Preprocessing::*flag;  // the preprocessing switch that adds it; nullptr: always computed
  const char* needs;        // another group it needs, or nullptr
};

// rr, morph, template (always computed), l2_template, relative, quality, l2_relative.
const std::vector<FeatureGroup>& feature_groups();

// Sets `pre`'s feature switches to exactly the groups named. InvalidArgument
// naming the group for an unknown or repeated name, a group whose `needs` is
// not listed, or a list without one of the groups that are always computed.
void select_feature_groups(Preprocessing& pre, const std::vector<std::string>& names);
// The groups `pre` computes, in column order.
std::vector<std::string> selected_feature_groups(const Preprocessing& pre);

}  // namespace heartwave
