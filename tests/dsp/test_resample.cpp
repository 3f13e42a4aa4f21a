#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "heartwave/core/error.hpp"
#include "heartwave/dsp/resample.hpp"

using namespace heartwave;

TEST(Resample, SinusoidsAreReproducedAtTheNewRate) {
  for (double fs_in : {128.0, 250.0, 500.0, 1000.0, 360.0}) {
    for (double hz : {1.0, 7.5, 25.0}) {
      const std::size_t n = static_cast<std::size_t>(fs_in * 10);
      std::vector<double> x(n);
      for (std::size_t i = 0; i < n; ++i) x[i] = std::sin(2 * std::numbers::pi * hz * static_cast<double>(i) / fs_in);
      const auto y = resample(x, fs_in, 360.0);
      ASSERT_EQ(y.size(), static_cast<std::size_t>(std::llround(static_cast<double>(n) * 360.0 / fs_in)));
      double err = 0;
      // Away from the edges (filter start-up), the error is tiny.
      for (std::size_t j = 360; j + 360 < y.size(); ++j)
        err = std::max(err, std::abs(y[j] - std::sin(2 * std::numbers::pi * hz * static_cast<double>(j) / 360.0)));
      EXPECT_LT(err, 1e-3) << fs_in << " Hz -> 360 Hz, tone " << hz << " Hz";
    }
  }
}

TEST(Resample, IdentityAndErrors) {
  const std::vector<double> x = {1, 2, 3};
  EXPECT_EQ(resample(x, 360, 360), x);
  EXPECT_TRUE(resample(std::vector<double>{}, 250, 360).empty());
  EXPECT_THROW(resample(x, 0, 360), InvalidArgument);
  EXPECT_THROW(resample(x, 360, -1), InvalidArgument);
  EXPECT_THROW(resample(x, 1, 1000), InvalidArgument);
}
