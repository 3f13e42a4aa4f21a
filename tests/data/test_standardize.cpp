#include <gtest/gtest.h>

#include "heartwave/core/error.hpp"
#include "heartwave/data/standardize.hpp"

using namespace heartwave;

TEST(Standardize, FitsOnMaskedRowsOnly) {
  // Two columns; the third row (excluded) would shift the mean a lot.
  std::vector<float> X = {1, 10, 3, 10, 1000, -1000};
  const bool use[] = {true, true, false};
  const auto s = Standardizer::fit(X, 2, use);
  EXPECT_DOUBLE_EQ(s.mean[0], 2.0);
  EXPECT_DOUBLE_EQ(s.scale[0], 1.0);
  EXPECT_DOUBLE_EQ(s.mean[1], 10.0);
  EXPECT_DOUBLE_EQ(s.scale[1], 1.0);  // constant column: scale 1
  s.apply(X);
  EXPECT_FLOAT_EQ(X[0], -1.0f);
  EXPECT_FLOAT_EQ(X[2], 1.0f);
  EXPECT_FLOAT_EQ(X[4], 998.0f);
  EXPECT_THROW(Standardizer::fit(X, 4), InvalidArgument);
  const bool none[] = {false, false, false};
  EXPECT_THROW(Standardizer::fit(X, 2, none), InvalidArgument);
}
